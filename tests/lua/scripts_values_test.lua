-- values.lua: coercion to the JSON kind a field needs, normalisation, equality.
local t = require "host.test"
-- The scripts and the test helpers come from the module path.
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"
local values = require "values"

t.describe("coerce", function()
  t.it("keeps integers integral and turns 8080.0 into 8080", function()
    t.eq(values.coerce({ type = "number", value = 8080 }, 8080.0), 8080)
    t.eq(math.type(values.coerce({ type = "number" }, 8080.0)), "integer")
    t.eq(values.coerce({ type = "number" }, "9091"), 9091)
  end)
  t.it("refuses a fraction for an integer field, keeps it for a float field", function()
    local v, err = values.coerce({ type = "number" }, 1.5)
    t.eq(v, nil)
    t.match(err, "whole number")
    t.eq(values.coerce({ type = "number", isFloat = true }, 1.5), 1.5)
  end)
  t.it("wants real booleans for checkboxes (\"false\" is a 500 in the apps)", function()
    t.eq(values.coerce({ type = "checkbox" }, false), false)
    local v, err = values.coerce({ type = "checkbox" }, "false")
    t.eq(v, nil)
    t.match(err, "true or false")
  end)
  t.it("makes list selects JSON arrays, even empty ones", function()
    local meta = { type = "select", value = json.array{ 5030 } }
    local v = values.coerce(meta, {})
    t.ok(json.is_array(v))
    t.eq(json.encode(v), "[]")
    t.eq(json.encode(values.coerce(meta, { 5000, 5010.0 })), "[5000,5010]")
    t.eq(json.encode(values.coerce(meta, 5000)), "[5000]")
  end)
  t.it("maps select option names to their values", function()
    local meta = { type = "select", value = 0, selectOptions = json.array{
      { value = 0, name = "Started" }, { value = 2, name = "Stopped" } } }
    t.eq(values.coerce(meta, "stopped"), 2)
    local v, err = values.coerce(meta, "Stoped")
    t.eq(v, nil)
    t.match(err, "options: Stopped, Started")
  end)
  t.it("turns numbers into strings for text fields and refuses booleans", function()
    t.eq(values.coerce({ type = "textbox" }, 42), "42")
    t.eq(values.coerce({}, "qbittorrent"), "qbittorrent")
    t.eq(values.coerce({ type = "textbox" }, true), nil)
  end)
  t.it("passes null through", function()
    t.eq(values.coerce({ type = "number" }, json.null), json.null)
  end)
end)

t.describe("coerce keeps the JSON kind of the field's value", function()
  -- qBittorrent's port as the pinned Sonarr's /schema has it (ARR-API 7.1, schemas/sonarr).
  local port = { name = "port", type = "textbox", value = 8080, isFloat = false }
  t.it("sends an integer for an integer-valued textbox", function()
    t.eq(math.type(values.coerce(port, 8080)), "integer")
    t.eq(json.encode(values.coerce(port, 8080.0)), "8080")
    t.eq(json.encode(values.coerce(port, "8080")), "8080")
  end)
  t.it("refuses fractions and non-numbers for an integer field", function()
    local v, err = values.coerce(port, 8080.5)
    t.eq(v, nil)
    t.match(err, "whole number, got 8080.5")
    v, err = values.coerce(port, "80x")
    t.eq(v, nil)
    t.match(err, 'whole number, got string "80x"')
  end)
  t.it("keeps strings strings and lists lists", function()
    t.eq(values.coerce({ type = "textbox", value = "tv-sonarr" }, 5), "5")
    t.eq(values.coerce({ type = "textbox", value = "tv-sonarr" }, 5.0), "5")
    t.eq(json.encode(values.coerce({ type = "textbox", value = json.array{} }, {})), "[]")
    t.eq(json.encode(values.coerce({ type = "tag", value = json.array{} }, { "a", 2 })), '["a","2"]')
    t.eq(json.encode(values.coerce({ type = "select", value = json.array{ 5030 } }, { 5040.0 })), "[5040]")
  end)
  t.it("uses type and isFloat when the value is null", function()
    t.eq(json.encode(values.coerce({ type = "number", isFloat = true }, 1)), "1")
    t.eq(values.coerce({ type = "number", isFloat = true }, 1.5), 1.5)
    t.eq(values.coerce({ type = "url" }, 8), "8")
    t.eq(json.encode(values.coerce({ type = "tag" }, "x")), '["x"]')
    t.eq(values.coerce({ type = "checkbox" }, 1), nil)
  end)
  t.it("matches option names without case and spaces, and accepts option values", function()
    local meta = { type = "select", value = 7, selectOptions = json.array{
      { value = 7, name = "Started" }, { value = 10, name = "Force Started" }, { value = 13, name = "Stopped" } } }
    t.eq(values.coerce(meta, "forcestarted"), 10)
    t.eq(values.coerce(meta, "FORCE  started"), 10)
    t.eq(values.coerce(meta, 13), 13)
    t.eq(values.coerce(meta, "13"), 13)
    local v, err = values.coerce(meta, "ForceStart")
    t.eq(v, nil)
    t.match(err, "options: Force Started, Started, Stopped")
  end)
end)

t.test("is_secret also knows credential names (older apps send no privacy)", function()
  for _, name in ipairs({ "apiKey", "ApiKey", "password", "secretToken", "token", "passkey", "clientSecret" }) do
    t.ok(values.is_secret({ name = name, type = "textbox" }), name)
  end
  t.ok(values.is_secret({ type = "textbox" }, "botToken"))
  t.ok(not values.is_secret({ name = "username", type = "textbox" }))
  t.ok(not values.is_secret({ name = "host", type = "textbox" }))
  t.ok(not values.is_secret({ name = "useFreeleechToken", type = "checkbox", value = false }))
end)

t.describe("coerce_top", function()
  t.it("follows the kind of the template value", function()
    t.eq(values.coerce_top(25, 10.0), 10)
    t.eq(math.type(values.coerce_top(25, 10.0)), "integer")
    t.eq(values.coerce_top(false, true), true)
    t.eq(values.coerce_top(false, "true"), nil)
    t.eq(values.coerce_top("fullSync", "addOnly"), "addOnly")
  end)
end)

t.describe("equal", function()
  t.it("ignores trailing slashes on URLs and paths", function()
    t.ok(values.equal("http://prowlarr:9696/", "http://prowlarr:9696"))
    t.ok(values.equal("/tv/", "/tv"))
    t.ok(not values.equal("http://a:1", "http://b:1"))
  end)
  t.it("treats null, absent and empty string alike", function()
    t.ok(values.equal(nil, json.null))
    t.ok(values.equal("", nil))
  end)
  t.it("compares numbers by value and numeric strings as numbers", function()
    t.ok(values.equal(1, 1.0))
    t.ok(values.equal("8080", 8080))
    t.ok(not values.equal(8080, 8081))
  end)
  t.it("compares lists of scalars as sets", function()
    t.ok(values.equal(json.array{ 5040, 5030 }, { 5030, 5040 }))
    t.ok(not values.equal({ 5030 }, { 5030, 5040 }))
  end)
  t.it("does not confuse booleans with strings", function()
    t.ok(not values.equal(true, "true"))
  end)
  t.it("compares enums case-insensitively and by number", function()
    local enum = { disabled = 0, addonly = 1, fullsync = 2 }
    t.ok(values.equal_top("FullSync", "fullSync", enum))
    t.ok(values.equal_top(2, "fullSync", enum))
    t.ok(not values.equal_top("addOnly", "fullSync", enum))
  end)
end)

t.test("is_secret knows the app's privacy markers and the mask", function()
  t.ok(values.is_secret({ privacy = "apiKey" }))
  t.ok(values.is_secret({ privacy = "password" }))
  t.ok(values.is_secret({ value = "********" }))
  t.ok(not values.is_secret({ privacy = "userName", value = "admin" }))
end)

t.describe("values JSON cannot carry", function()
  local function deep(n)
    local top = {}
    local at = top
    for _ = 1, n do at[1] = {}; at = at[1] end
    return top
  end
  t.it("json_problems names each bad value's config path, never the value", function()
    local cfg = { download_clients = { { name = "ok", fields = { host = "h" } },
      { name = "bad", fields = { password = "pw-\xff", port = 0 / 0, ratio = math.huge, x = deep(5000) } } } }
    local p = values.json_problems(cfg, "sonarr")
    t.eq(#p, 4)
    t.match(p[1], "^sonarr%.download_clients%[2%]%.fields%.password: JSON cannot carry a string that is not valid UTF%-8")
    t.match(p[2], "^sonarr%.download_clients%[2%]%.fields%.port: JSON cannot carry NaN")
    t.match(p[3], "^sonarr%.download_clients%[2%]%.fields%.ratio: JSON cannot carry an infinite number")
    t.match(p[4], "^sonarr%.download_clients%[2%]%.fields%.x%[1%]%[1%].*%.%.%.: JSON cannot carry nesting deeper")
    t.ok(not p[1]:find("pw-", 1, true))
    t.eq(values.json_problems({ a = deep(900), b = "é" }, "x"), {})
  end)
  t.it("check_body finds what host.json refuses in a body and names the field", function()
    local seen = {}
    local function problem(sub, reason) seen[#seen + 1] = sub .. ": " .. reason end
    local body = { name = "x", fields = json.array{ { name = "host", value = "h" },
      { name = "password", value = "pw-\xff" } } }
    t.eq(values.check_body(body, problem), false)
    t.match(seen[1], "^%.fields%.password: JSON cannot carry this value %(invalid UTF%-8")
    -- 998 levels pass the config walk; inside a body (fields[i].value) they are too deep.
    seen = {}
    body.fields[2].value = deep(998)
    t.eq(values.check_body(body, problem), false)
    t.match(seen[1], "^%.fields%.password: JSON cannot carry this value %(nesting deeper than 1000")
    seen = {}
    t.eq(values.check_body({ name = "y", priority = 0 / 0, fields = json.array{} }, problem), false)
    t.match(seen[1], "^%.priority: ")
    t.ok(values.check_body({ name = "z", fields = json.array{ { name = "a", value = deep(10) } } }, problem))
  end)
end)
