-- Property check on real documents: decode(encode(decode(x))) equals
-- decode(x) for the apps' OpenAPI documents (../shared/reference/openapi).
-- The sandbox has no io, so `make test-json` hands them over as a generated
-- Lua chunk named by STARRHOST_JSON_OPENAPI.
local t = require "host.test"
local json = require "host.json"
local host = require "host"

local fixture = host.env("STARRHOST_JSON_OPENAPI")
local docs = {}
if fixture then
  local chunk, err = host.loadfile(fixture, {})
  assert(chunk, err)
  docs = chunk()
end

local names = {}
for name in pairs(docs) do names[#names + 1] = name end
table.sort(names)

if #names == 0 then
  t.test("OpenAPI documents round-trip", function()
    t.skip("skipped: no OpenAPI documents (../shared/reference/openapi absent; run through make test-json)")
  end)
end

for _, name in ipairs(names) do
  t.test(name .. ": decode(encode(decode(x))) equals decode(x)", function()
    local v, err = json.decode(docs[name])
    t.ok(v ~= nil, err)
    t.eq(type(v), "table")
    local compact = t.ok(json.encode(v))
    t.eq(json.decode(compact), v)
    local pretty = t.ok(json.encode(v, { pretty = true }))
    t.eq(json.decode(pretty), v)
    t.eq(json.encode(json.decode(compact), { pretty = true }), pretty)
  end)

  t.test(name .. ": empty arrays and objects keep their kind", function()
    local v = json.decode(docs[name])
    local arrays, objects = 0, 0
    local function walk(x)
      if type(x) ~= "table" then return end
      if json.is_array(x) then arrays = arrays + 1 else objects = objects + 1 end
      for _, child in pairs(x) do walk(child) end
    end
    walk(v)
    local back = json.decode(json.encode(v))
    local arrays2, objects2 = arrays, objects
    arrays, objects = 0, 0
    walk(back)
    t.eq(arrays, arrays2)
    t.eq(objects, objects2)
  end)
end
