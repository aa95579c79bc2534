-- client.lua: what a response that is not the JSON it should be is reported as.
local t = require "host.test"
-- The scripts and the test helpers come from the module path.
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end

-- A client over a stub transport that answers every request with REPLY.
local function client_answering(reply)
  local saved = { http = package.loaded["host.http"], log = package.loaded["host.log"] }
  package.loaded["host.http"] = { request = function() return reply end }
  package.loaded["host.log"] = { debug = function() end, info = function() end, warn = function() end,
    error = function() end, app = function() end }
  package.loaded.client = nil
  local c = require("client").new{ name = "sonarr", url = "http://sonarr.test", api = "v3", api_key = "k",
    retries = 0 }
  package.loaded["host.http"], package.loaded["host.log"] = saved.http, saved.log
  package.loaded.client = nil
  return c
end

t.test("a truncated JSON body is reported as such, with the decoder's byte offset", function()
  local c = client_answering{ status = 200, headers = { ["content-type"] = "application/json" },
    body = '[{"id":1,"name":"qBit' }
  local data, err = c:get("downloadclient")
  t.eq(data, nil)
  t.match(err.message, "does not decode")
  t.match(err.message, "byte offset %d+")
  t.ok(not err.message:find("URL base", 1, true), "no URL-base hint for broken JSON: " .. err.message)
end)

t.test("a body that looks like JSON but is not, without a JSON content type, says so too", function()
  local c = client_answering{ status = 200, headers = { ["content-type"] = "text/plain" }, body = '{"a":' }
  local _, err = c:get("tag")
  t.match(err.message, "does not decode.*byte offset")
end)

t.test("an HTML answer keeps the URL-base hint", function()
  local c = client_answering{ status = 200, headers = { ["content-type"] = "text/html" },
    body = "<!doctype html><html><body>Sonarr</body></html>" }
  local _, err = c:get("tag")
  t.match(err.message, "is the URL base missing")
end)

-- A client over a scripted transport (ANSWERS: a reply, or false for a refused
-- connection, per request) with a clock that moves only when it sleeps.
local function scripted(answers, opts)
  local saved = { http = package.loaded["host.http"], log = package.loaded["host.log"],
    host = package.loaded["host"], transient = package.loaded.transient }
  local state = { n = 0, clock = 0, errors = {} }
  package.loaded["host.http"] = { request = function()
    state.n = state.n + 1
    local a = answers[state.n]
    if a == nil then a = answers.default end
    if a == false then
      return nil, setmetatable({ kind = "connect", message = "Couldn't connect to server" },
        { __tostring = function(e) return e.message end })
    end
    return a
  end }
  package.loaded["host.log"] = { debug = function() end, info = function() end, warn = function() end,
    error = function(fmt, ...) state.errors[#state.errors + 1] = string.format(fmt, ...) end,
    app = function() end }
  local real = saved.host or require "host"
  package.loaded["host"] = { dry_run = false, now = function() return state.clock end,
    sleep = function(s) state.clock = state.clock + s end, version = real.version }
  package.loaded.client, package.loaded.transient = nil, nil
  local o = { name = "sonarr", url = "http://sonarr.test", api = "v3", api_key = "k", retries = 1,
    backoff = 0.25, retry_for = 20 }
  for k, v in pairs(opts or {}) do o[k] = v end
  local c = require("client").new(o)
  c.live = true
  package.loaded["host.http"], package.loaded["host.log"] = saved.http, saved.log
  package.loaded["host"], package.loaded.transient, package.loaded.client = saved.host, saved.transient, nil
  return c, state
end

local OK = { status = 200, headers = { ["content-type"] = "application/json" }, body = "[]" }
local E500 = { status = 500, headers = {}, body = "" }

t.test("a GET failing for a passing reason is retried past `retries`, until the budget is spent", function()
  local c, st = scripted({ E500, E500, E500, E500, E500, OK })
  local data = c:get("tag")
  t.eq(st.n, 6)
  t.ok(data, "the sixth answer")
  c, st = scripted({ default = E500 })
  local _, err = c:get("tag")
  t.eq(err.status, 500)
  t.ok(st.clock <= 20, "within the budget: " .. st.clock)
  t.ok(st.n > 4, "tried until then: " .. st.n)
  local before = st.n
  c:get("tag")
  t.eq(st.n - before, 2, "the budget spent, later requests get the quick retries only")
end)

t.test("a 401 after readiness marks the app lost: nothing more is sent", function()
  local c, st = scripted({ { status = 401, headers = {}, body = "" }, OK })
  local _, err = c:get("tag")
  t.eq(err.status, 401)
  t.eq(c.lost.kind, "rejected")
  t.match(st.errors[1], "API key rejected by sonarr")
  local _, err2 = c:get("tag")
  t.eq(st.n, 1, "not sent")
  t.match(err2.message, "API key rejected")
end)

t.test("an app refusing connections after readiness is lost once the budget is spent", function()
  local c, st = scripted({ default = false })
  local _, err = c:get("tag")
  t.eq(err.kind, "connect")
  t.match(c.lost.message, "stopped answering")
  local n = st.n
  c:get("indexer")
  t.eq(st.n, n, "nothing more is sent")
end)
