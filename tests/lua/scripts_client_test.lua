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
