-- The "host" module: time, environment, options and loading a user's file.
local t = require "host.test"
local host = require "host"
local log = require "host.log"

t.test("now is monotonic and sleep waits", function()
  local a = host.now()
  host.sleep(0.02)
  local b = host.now()
  t.ok(b - a >= 0.015, "slept " .. (b - a))
  t.eq(math.type(a), "float")
end)

t.test("sleep and now reject bad arguments", function()
  t.raises(function() host.sleep(-1) end, "expected 0 to 86400")
  t.raises(function() host.sleep("x") end, "number expected")
end)

t.test("traceback is a message handler for xpcall: the message, then the frames", function()
  local function inner() error("boom") end
  local ok, trace = xpcall(function() inner() end, host.traceback)
  t.eq(ok, false)
  t.match(trace, "^[^\n]*host_module_test%.lua:%d+: boom\nstack traceback:")
  t.match(trace, "in upvalue 'inner'")
end)

t.test("time_left has no deadline under starrhost test", function()
  -- run, plan and check have one (tests/cli/cases/deadline.sh); tests do not.
  t.eq(host.time_left(), math.huge)
  t.eq(host.options.deadline, nil)
end)

t.test("env reads the environment", function()
  t.eq(host.env("STARRHOST_SURELY_UNSET_VARIABLE"), nil)
  t.eq(type(host.env("PATH")), "string")
end)

t.test("version and options are present", function()
  t.match(host.version, "^%d+%.%d+%.%d+")
  t.eq(host.options.command, "test")
  t.eq(host.dry_run, false)
  t.eq(type(host.options.scripts), "table")
end)

t.test("loadfile loads text chunks with the given environment", function()
  local fn, err = host.loadfile("tests/lua/host/fixtures/config_chunk.lua", {
    env = function(name) return "env:" .. name end,
    secret = function(name) return "secret:" .. name end,
  })
  t.ok(fn, err)
  t.eq(fn(), { url = "env:SONARR_URL", key = "secret:sonarr-api-key" })
end)

t.test("loadfile reports syntax errors with file:line and missing files by path", function()
  local fn, err = host.loadfile("tests/lua/host/fixtures/syntax_error.lua")
  t.is_nil(fn)
  t.match(err, "^tests/lua/host/fixtures/syntax_error%.lua:2:")
  fn, err = host.loadfile("tests/lua/host/fixtures/missing.lua")
  t.is_nil(fn)
  t.match(err, "cannot open tests/lua/host/fixtures/missing%.lua")
end)

t.test("log functions accept formats and reject unknown levels", function()
  log.debug("not shown at the default level %d", 1)
  t.eq(log.enabled("error"), true)
  t.raises(function() log.enabled("loud") end, "expected debug")
end)

t.test("the sandbox holds in test files too", function()
  t.eq(rawget(_G, "io"), nil)
  t.raises(function() return rawget(_G, "nothing") or _G.nothing end, "undeclared global")
end)
