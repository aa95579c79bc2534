-- The runner: hooks around each test, paths relative to the test file, the
-- module path of run, and host.test's file reading.
local t = require "host.test"
local host = require "host"

local log = {}

t.before_each(function() log[#log + 1] = "file-before" end)
t.after_each(function() log[#log + 1] = "file-after" end)

t.describe("hooks", function()
  t.before_each(function() log[#log + 1] = "before" end)
  t.after_each(function() log[#log + 1] = "after" end)

  t.it("run outer before inner, the test between", function()
    t.eq(log, { "file-before", "before" })
    log[#log + 1] = "test"
  end)

  t.it("after_each ran after the previous test, inner first", function()
    t.eq(log, { "file-before", "before", "test", "after", "file-after", "file-before", "before" })
  end)
end)

t.it("hooks of a describe do not apply outside it", function()
  t.eq(log[#log], "file-before")
  t.eq(log[#log - 1], "file-after")
end)

t.it("paths are relative to the test file", function()
  t.match(t.path("fixtures/sonarr.jsonl"), "tests/lua/testing/fixtures/sonarr%.jsonl$")
  t.eq(t.path("/abs/x"), "/abs/x")
  local text = t.read_file("fixtures/not_a_recording.jsonl")
  t.match(text, '^{"method":"GET"')
  local none, err = t.read_file("fixtures/missing.jsonl")
  t.is_nil(none)
  t.match(err, "cannot open .*missing%.jsonl")
end)

t.it("tests run under the test command with the sandbox of run", function()
  t.eq(host.options.command, "test")
  t.is_nil(rawget(_G, "io"))
  t.is_nil(rawget(_G, "debug"))
  t.raises(function() return undeclared_global end, "undeclared global") -- luacheck: ignore
end)

t.it("reload requires a module again", function()
  package.loaded["host.log"] = "stale"
  t.eq(type(t.reload("host.log")), "table")
end)
