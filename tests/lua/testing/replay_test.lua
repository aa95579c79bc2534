-- fake.replay serves the exchanges of a --record file: matched by method, URL
-- (the recorder's "***" stands for any text) and request body, in order for
-- repeated requests; a request the recording does not have fails the test.
local t = require "host.test"
local json = require "host.json"

local S = "http://sonarr.test:8989/api/v3"
local POST_BODY = { name = "qBittorrent", port = 8080, fields = { { name = "password", value = "hunter2" } } }

local fake, http

t.before_each(function()
  fake = t.fake_http().replay("fixtures/sonarr.jsonl").install()
  http = require "host.http"
end)

local function post(body)
  return http.post(S .. "/downloadclient", json.encode(body), { headers = { ["Content-Type"] = "application/json" } })
end

t.it("serves the recorded responses in order for repeated requests", function()
  local status = http.get(S .. "/system/status")
  t.eq(status.status, 200)
  t.eq(json.decode(status.body).appName, "Sonarr")
  t.eq(status.headers["content-type"], "application/json; charset=utf-8")
  t.eq(http.get(S .. "/downloadclient").body, "[]")
  local created = post(POST_BODY)
  t.eq(created.status, 201)
  t.eq(http.get(S .. "/downloadclient").body, '[{"id":1,"name":"qBittorrent"}]')
  t.eq(fake.requests[3].replayed, "fixtures/sonarr.jsonl:3")
end)

t.it("matches a redacted API key in the URL, and binary bodies come back as bytes", function()
  local res = http.get(S .. "/tag?apikey=0123456789abcdef")
  t.eq(res.body, "\0\255")
end)

t.it("gives a recorded transport error as host.http's error", function()
  local res, err = http.request{ method = "DELETE", url = "http://radarr.test:7878/api/v3/indexer/3" }
  t.is_nil(res)
  t.eq(err.kind, "timeout")
  t.eq(tostring(err), "timed out after 30 s")
end)

t.it("compares JSON bodies by value, key order aside", function()
  http.get(S .. "/downloadclient")
  local res = http.request{ method = "POST", url = S .. "/downloadclient",
    body = '{"port":8080,"fields":[{"value":"other-secret","name":"password"}],"name":"qBittorrent"}' }
  t.eq(res.status, 201)
end)

t.describe("fails the test", function()
  local function failure(fn)
    local msg = t.raises(fn)
    t.eq(#fake.failures, 1, "recorded for the runner")
    fake.failures = {} -- checked here; the runner would fail the test on it
    return msg
  end

  t.it("on a request the recording does not have", function()
    local msg = failure(function() http.get(S .. "/notification") end)
    t.match(msg, "replay_test%.lua:%d+: fake http: GET http://sonarr%.test:8989/api/v3/notification "
      .. "is not in the recording")
  end)

  t.it("on a body that differs, naming where", function()
    local body = json.decode(json.encode(POST_BODY))
    body.port = 8081
    local msg = failure(function() post(body) end)
    t.match(msg, "POST http://sonarr%.test:8989/api/v3/downloadclient: the request body differs from the "
      .. "recording %(fixtures/sonarr%.jsonl:3%): body%.port: recorded 8080, sent 8081")
  end)

  t.it("on one more repeat than was recorded", function()
    http.get(S .. "/system/status")
    local msg = failure(function() http.get(S .. "/system/status") end)
    t.match(msg, "the recording has 1 such request%(s%); this is one more")
  end)

  t.it("from done() when recorded exchanges were never requested", function()
    http.get(S .. "/system/status")
    local msg = t.raises(function() fake.done() end)
    t.match(msg, "^[^:]*replay_test%.lua:%d+: fake http: 5 recorded exchange%(s%) never requested:\n"
      .. "  GET http://sonarr%.test:8989/api/v3/downloadclient %(fixtures/sonarr%.jsonl:2%)")
    t.eq(#fake.pending(), 5)
  end)
end)

t.it("routes take precedence over the recording", function()
  fake.route("GET", "/api/v3/system/status", { status = 503 })
  t.eq(http.get(S .. "/system/status").status, 503)
  t.eq(http.get(S .. "/downloadclient").status, 200)
end)

t.it("a recording that is not JSONL is an error naming the line", function()
  t.raises(function() t.fake_http().replay("fixtures/not_a_recording.jsonl") end,
    "fixtures/not_a_recording%.jsonl:2: not an exchange of a recording")
  t.raises(function() t.fake_http().replay("fixtures/missing.jsonl") end, "cannot open")
end)
