# A replay test built from a --record file: the script under test passes
# while it makes the recorded requests, and fails, naming the request and
# the line of the script that made it, when it makes one the recording lacks.
mkdir scripts tests
cat >scripts/tags.lua <<'LUA'
local http = require "host.http"
local json = require "host.json"
local M = {}
function M.ensure(base, label)
  local res = http.get(base .. "/api/v3/tag")
  for _, tag in ipairs(json.decode(res.body)) do
    if tag.label == label then return tag.id end
  end
  res = http.post(base .. "/api/v3/tag", json.encode({ label = label }))
  return json.decode(res.body).id
end
return M
LUA
cat >tests/run.jsonl <<'JSONL'
{"ts":"2026-11-30T10:00:00.000Z","method":"GET","url":"http://sonarr:8989/api/v3/tag","request_headers":{},"status":200,"response_headers":{"content-type":"application/json"},"response_body":"[{\"id\":1,\"label\":\"tv\"}]","duration_ms":1.0}
JSONL
cat >tests/tags_test.lua <<'LUA'
local t = require "host.test"
local fake
t.before_each(function()
  fake = t.fake_http().replay("run.jsonl").install()
end)
t.test("an existing tag is reused", function()
  t.eq(require("tags").ensure("http://sonarr:8989", "tv"), 1)
  fake.done()
end)
t.test("a new tag is created", function()
  t.eq(require("tags").ensure("http://sonarr:8989", "anime"), 2)
end)
LUA
sh_run test --scripts scripts tests
