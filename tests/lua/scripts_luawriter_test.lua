-- luawriter.lua: Lua source for config values, read back exactly.
local t = require "host.test"
if not pcall(require, "util") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"
local w = require "luawriter"

-- Reads TEXT back as a Lua expression (secret/env/null as the config file sees them).
local function back(text)
  local env = { null = json.null, math = math,
    secret = function(n) return "secret:" .. n end, env = function(n) return "env:" .. n end }
  local chunk, err = load("return " .. text, "=rendered", "t", env)
  if not chunk then error(err .. "\n" .. text, 2) end
  return chunk()
end

local function round_trip(v)
  local text = w.render(v)
  local got = back(text)
  t.eq(got, v, text)
  return text
end

t.describe("strings", function()
  t.it("escapes quotes, backslashes, line breaks and tabs by name", function()
    t.eq(w.render('say "hi" \\ there'), '"say \\"hi\\" \\\\ there"')
    t.eq(w.render("a\nb\r\tc"), '"a\\nb\\r\\tc"')
    round_trip('q"\\\n\r\t')
  end)
  t.it("writes other control bytes and bytes that are not UTF-8 as \\xNN", function()
    t.eq(w.render("\0\1\27\127"), '"\\x00\\x01\\x1B\\x7F"')
    t.eq(w.render("a\255b\xC3"), '"a\\xFFb\\xC3"')
    round_trip("\0\1\27\127 a\255b\xC3")
    -- A \xNN followed by a digit still reads back as the byte and the digit.
    round_trip("\0" .. "12")
  end)
  t.it("keeps valid UTF-8 as it is", function()
    t.eq(w.render("Séries 4K — 日本"), '"Séries 4K — 日本"')
    round_trip("Séries 4K — 日本 😀")
  end)
end)

t.describe("numbers", function()
  t.it("integers stay integers", function()
    t.eq(w.render(8080), "8080")
    t.eq(w.render(-1), "-1")
    t.eq(math.type(back(w.render(8080))), "integer")
    t.eq(back(w.render(math.maxinteger)), math.maxinteger)
    t.eq(w.render(math.mininteger), "math.mininteger")
    t.eq(math.type(back(w.render(math.mininteger))), "integer")
  end)
  t.it("floats read back as the same double, in the shortest spelling", function()
    t.eq(w.render(1.5), "1.5")
    t.eq(w.render(0.1), "0.1")
    t.eq(w.render(3.0), "3.0")
    t.eq(math.type(back(w.render(3.0))), "float")
    t.eq(w.render(1e20), "1e+20")
    t.eq(math.type(back(w.render(1e20))), "float")
    for _, f in ipairs({ 1 / 3, 2 ^ 53 + 0.0, 5e-324, 1.7976931348623157e308, -0.0001234, 123456.789 }) do
      t.eq(back(w.render(f)), f, w.render(f))
    end
  end)
end)

t.describe("other values", function()
  t.it("booleans, json.null as null, calls as calls", function()
    t.eq(w.render(true), "true")
    t.eq(w.render(json.null), "null")
    t.eq(back(w.render(json.null)), json.null)
    t.eq(w.render(w.call("secret", "sonarr-qbittorrent-password")), 'secret("sonarr-qbittorrent-password")')
    t.eq(back(w.render(w.call("env", "SONARR_URL"))), "env:SONARR_URL")
    t.ok(w.is_call(w.call("env", "X")))
    t.ok(not w.is_call({}))
  end)
  t.it("refuses what Lua source cannot hold, and cycles", function()
    t.raises(function() w.render(function() end) end, "cannot write a function")
    local c = {}
    c.self = c
    t.raises(function() w.render(c) end, "contains itself")
  end)
end)

t.describe("tables", function()
  t.it("an empty list and an empty table are both {} (the field's template says which JSON kind)", function()
    t.eq(w.render(json.array{}), "{}")
    t.eq(w.render({}), "{}")
    t.eq(w.render({ a = {}, b = json.array{} }), "{ a = {}, b = {} }")
  end)
  t.it("short lists and maps of plain values fit on one line; keys are sorted", function()
    t.eq(w.render({ 5000, 5030 }), "{ 5000, 5030 }")
    t.eq(w.render({ port = 8080, host = "qb" }), '{ host = "qb", port = 8080 }')
  end)
  t.it("keys that are not names, and Lua keywords, are written [\"...\"]", function()
    t.eq(w.render({ ["sonarr-4k"] = 1, ["end"] = 2, ["seedCriteria.seedRatio"] = 3, ["1a"] = 4, _ok = 5 }),
      '{ ["1a"] = 4, _ok = 5, ["end"] = 2, ["seedCriteria.seedRatio"] = 3, ["sonarr-4k"] = 1 }')
    round_trip({ ["and"] = true, ["nil"] = false, ["a b"] = "x", ["é"] = 1 })
    t.eq(w.render({ [10] = "x" }), '{ [10] = "x" }')
  end)
  t.it("nested tables go one entry per line, indented, with trailing commas; map keys sorted bytewise", function()
    local text = w.render({ sonarr = { download_clients = { { name = "qBittorrent", fields = { port = 8080 } } } } })
    t.eq(text, table.concat({
      "{",
      "  sonarr = {",
      "    download_clients = {",
      "      {",
      "        fields = { port = 8080 },",
      '        name = "qBittorrent",',
      "      },",
      "    },",
      "  },",
      "}",
    }, "\n"))
  end)
  t.it("a line that would be too long is split", function()
    local long = {}
    for i = 1, 30 do long[i] = i * 1000 end
    local text = w.render(long)
    t.ok(text:find("\n"), text)
    for line in text:gmatch("[^\n]+") do t.ok(#line <= w.WIDTH, line) end
    t.eq(back(text), long)
  end)
  t.it("ordered maps keep their order and drop nil values; a deep mix round-trips", function()
    t.eq(w.render(w.ordered{ { "name", "x" }, { "gone", nil }, { "implementation", "Y" } }),
      '{ name = "x", implementation = "Y" }')
    round_trip({ a = { b = { c = { 1, 2.5, "three", false, json.null } } }, list = { { x = 1 }, { y = 2 } } })
  end)
  t.it("the same value renders to the same bytes", function()
    local v = {}
    for i = 1, 50 do v["k" .. i] = { i, tostring(i) } end
    t.eq(w.render(v), w.render(v))
  end)
end)
