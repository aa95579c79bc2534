-- create.lua (create-once) and transient.lua, against a stand-in app that
-- has no unique-name check: every POST that reaches it stores an item, also
-- the ones it answers with a 500. Nothing may be stored twice.
local t = require "host.test"
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"

local lines = {}
local clock = 0
local function logger(level)
  return function(fmt, ...) lines[#lines + 1] = level .. " " .. string.format(fmt, ...) end
end
local real_host = require "host"
package.loaded["host"] = { version = real_host.version, dry_run = false,
  now = function() return clock end, sleep = function(s) clock = clock + s end }
package.loaded["host.log"] = { debug = function() end, info = logger("INFO"), warn = logger("WARN"),
  error = logger("ERROR"), app = function() end }
for _, m in ipairs({ "create", "transient", "reconcile", "keyedset", "report", "tags", "values", "util",
  "client" }) do
  package.loaded[m] = nil
end
local create = require "create"
local transient = require "transient"
local reconcile = require "reconcile"
local keyedset = require "keyedset"
-- The root folders' descriptor (kinds.lua).
local ROOT_FOLDERS = { key = "root_folders", label = "root folder", path = "rootfolder", engine = "keyed",
  identity = { "path" }, updatable = false }
local report = require "report"
local util = require "util"

-- The stand-in: SCRIPT lists what each POST does ("store+500", "500",
-- "timeout", "201", "400"); READS lists whether each GET works.
local function standin(script, reads)
  local s = { items = {}, posts = 0, gets = 0, backoff = 0.1, retry_for = 30, retries = 2, timeout = 30 }
  function s:send(method, path, body)
    assert(method == "POST", "only POSTs in these tests, got " .. method .. " " .. path)
    self.posts = self.posts + 1
    local step = script[self.posts] or "201"
    if step == "timeout" then
      self.items[#self.items + 1] = util.copy(body)
      return nil, { kind = "timeout", message = "Operation timed out after 30000 milliseconds" }
    end
    if step == "400" then
      return { status = 400, data = json.array{ { propertyName = "Host", errorMessage = "Invalid host",
        severity = "error" } } }
    end
    if step ~= "500" then
      local item = util.copy(body)
      item.id = #self.items + 1
      self.items[#self.items + 1] = item
    end
    if step == "201" then return { status = 201, data = self.items[#self.items] } end
    return { status = 500, data = { message = "injected" } }
  end
  function s:get()
    self.gets = self.gets + 1
    if reads and reads[self.gets] == false then
      return nil, { kind = "status", status = 503, message = "HTTP 503" }
    end
    return json.array(util.copy(self.items))
  end
  return s
end

local function post(s, name)
  return create.post{
    client = s, what = "item " .. name,
    post = function() return s:send("POST", "thing", { name = name }) end,
    reread = function() return s:get("thing") end,
    find = function(list) return reconcile.find_by_name(list, name) end,
  }
end

t.test("a 500 after storing, then a failed re-read: reported unknown, never POSTed again", function()
  local s = standin({ "store+500" }, { false })
  local outcome, msg = post(s, "A")
  t.eq(outcome, "unknown")
  t.match(msg, "POST answered HTTP 500 and reading the collection again failed")
  t.match(msg, "the next run adopts it")
  t.eq(s.posts, 1)
  t.eq(#s.items, 1, "stored once")
  -- The next run reads the collection first and finds it.
  t.ok(reconcile.find_by_name(s:get(), "a"), "the next run adopts it")
end)

t.test("a 500 after storing: the re-read finds the item and adopts it", function()
  local s = standin({ "store+500" })
  local outcome, item = post(s, "A")
  t.eq(outcome, "adopted")
  t.eq(item.id, 1)
  t.eq(s.posts, 1)
  t.eq(#s.items, 1)
end)

t.test("a 500 before storing: the re-read shows nothing, so the POST is sent again", function()
  local s = standin({ "500", "201" })
  local outcome, item = post(s, "A")
  t.eq(outcome, "created")
  t.eq(item.name, "A")
  t.eq(s.posts, 2)
  t.eq(#s.items, 1)
end)

t.test("a timeout is an unknown outcome too: looked for before anything else", function()
  local s = standin({ "timeout" })
  local outcome = post(s, "A")
  t.eq(outcome, "adopted")
  t.eq(s.posts, 1)
  t.eq(#s.items, 1)
end)

t.test("a 400 is a definite answer: no re-read, no second POST", function()
  local s = standin({ "400" })
  local outcome, res = post(s, "A")
  t.eq(outcome, "rejected")
  t.eq(res.status, 400)
  t.eq(s.gets, 0)
  t.eq(s.posts, 1)
end)

t.test("500s that store nothing are tried again only within the retry budget", function()
  local s = standin(setmetatable({}, { __index = function() return "500" end }))
  s.retry_for = 3
  clock = 0
  local outcome, msg = post(s, "A")
  t.eq(outcome, "failed")
  t.match(msg, "nothing was stored")
  t.ok(clock <= 3, "within the budget (" .. clock .. "s)")
  t.ok(s.posts >= 3, "tried a few times (" .. s.posts .. ")")
  t.eq(#s.items, 0)
end)

-- The engines use it: a provider item and a root folder against the stand-in.
local KIND = { key = "notifications", label = "notification", path = "notification" }

local function engine_app(s)
  local data = { ["notification/schema"] = json.array{ { implementation = "Webhook",
    configContract = "WebhookSettings", name = "", tags = json.array{},
    fields = json.array{ { name = "url", value = json.null } } } } }
  local c = setmetatable({}, { __index = s })
  function c.get(_, path)
    if data[path] then return data[path] end
    return s:get(path)
  end
  function c.send(_, method, path, body) return s:send(method, path, body) end
  local problems = {}
  local run = { cfg = { test_secrets = false }, report = report.new(), problems = problems }
  function run.problem(_, path, fmt, ...) problems[#problems + 1] = path .. ": " .. string.format(fmt, ...) end
  return run, { name = "sonarr", client = c, cfg = { prune = {} }, cache = {} }
end

t.test("reconcile: a POST answered 500 after storing, re-read failing, is one item and a failure", function()
  -- Planning reads the collection (works); the re-read after the 500 fails.
  local s = standin({ "store+500" }, { true, false })
  local run, app = engine_app(s)
  local kp = reconcile.plan(run, app, KIND, { { name = "Hook", implementation = "Webhook",
    fields = { url = "http://example.invalid/hook" } } })
  lines = {}
  local ok = reconcile.apply(run, app, kp)
  t.eq(s.posts, 1, "not POSTed again")
  t.eq(ok, false)
  t.eq(#s.items, 1)
  t.eq(run.report.failed, 1)
  local found = false
  for _, l in ipairs(lines) do
    if l:find('^ERROR sonarr notification "Hook": POST answered HTTP 500') then found = true end
  end
  t.ok(found, "the unknown outcome is reported: " .. table.concat(lines, " | "))
end)

t.test("root folders: a POST answered 500 after storing, re-read failing, is one folder and a failure", function()
  local s = standin({ "store+500" }, { true, false })
  local run, app = engine_app(s)
  local plan = keyedset.plan(run, app, ROOT_FOLDERS, { { path = "/tv" } })
  local ok = keyedset.apply(run, app, plan)
  t.eq(s.posts, 1, "not POSTed again")
  t.eq(ok, false)
  t.eq(#s.items, 1)
  t.eq(run.report.failed, 1)
end)

-- Prowlarr's application test, as the app words its failures (Applications/Sonarr/Sonarr.cs Test()).
local SCHEMA_500 = "Unable to complete application test, cannot connect to Sonarr. HTTP request failed: "
  .. "[500:InternalServerError] [GET] at [http://127.0.0.1:8989/api/v3/indexer/schema]"

local function app_test_client(answers)
  local c = { posts = 0, backoff = 0.25, retry_for = 60, retries = 4, timeout = 30 }
  local data = { applications = json.array{}, ["applications/schema"] = json.array{ { implementation = "Sonarr",
    configContract = "SonarrSettings", name = "", syncLevel = "disabled", tags = json.array{},
    fields = json.array{ { name = "baseUrl", value = json.null }, { name = "apiKey", value = json.null,
      privacy = "apiKey" } } } } }
  function c.get(_, path) return data[path] end
  function c:send(method)
    assert(method == "POST")
    self.posts = self.posts + 1
    local a = answers[self.posts]
    if a == nil then return { status = 201, data = { id = 1, name = "Sonarr" } } end
    return { status = 400, data = json.array{ { propertyName = a[1], errorMessage = a[2], isWarning = false,
      severity = "error" } } }
  end
  local run = { cfg = { test_secrets = false }, report = report.new(), problems = {} }
  function run.problem(_, path, fmt, ...) run.problems[#run.problems + 1] = path .. ": " .. string.format(fmt, ...) end
  return run, { name = "prowlarr", client = c, cfg = { prune = {} }, cache = {} }, c
end

local APPS = { key = "applications", label = "application", path = "applications", keep_results = true }
local ITEM = { name = "Sonarr", implementation = "Sonarr", fields = { baseUrl = "http://127.0.0.1:8989",
  apiKey = "k" } }

t.test("an application test failing for a passing reason is sent again until it passes", function()
  local run, app, c = app_test_client({ { "BaseUrl", SCHEMA_500 }, { "BaseUrl", SCHEMA_500 },
    { "ProwlarrUrl", "Prowlarr URL is invalid, Sonarr cannot connect to Prowlarr" }, { "BaseUrl", SCHEMA_500 },
    { "BaseUrl", "Unable to complete application test, cannot connect to Sonarr. Http request timed out" } })
  clock = 0
  local kp = reconcile.plan(run, app, APPS, { ITEM })
  t.eq(reconcile.apply(run, app, kp), true)
  t.eq(c.posts, 6)
  t.ok(clock < 60, "within the budget")
end)

t.test("an application test failing for a lasting reason fails at once", function()
  local run, app, c = app_test_client({ { "ApiKey", "API Key is invalid" } })
  clock = 0
  local kp = reconcile.plan(run, app, APPS, { ITEM })
  t.eq(reconcile.apply(run, app, kp), false)
  t.eq(c.posts, 1, "not sent again")
  t.eq(clock, 0, "no waiting")
end)

t.test("transient causes inside the apps' validation messages, as Prowlarr words them", function()
  local function v(msg, prop)
    return transient.validation({ status = 400, data = json.array{ { propertyName = prop or "BaseUrl",
      errorMessage = msg, isWarning = false } } })
  end
  t.ok(v("Unable to complete application test, cannot connect to Sonarr. HTTP request failed: "
    .. "[500:InternalServerError] [GET] at [http://sonarr:8989/api/v3/indexer/schema]"), "5xx")
  t.ok(v("Unable to complete application test, cannot connect to Sonarr. HTTP request failed: "
    .. "[429:TooManyRequests] [POST] at [http://sonarr:8989/api/v3/indexer/test]"), "429")
  t.ok(v("Unable to complete application test, cannot connect to Sonarr. Http request timed out"), "timeout")
  t.ok(v("Unable to complete application test, cannot connect to Radarr. Connection refused (radarr:7878)"),
    "refused")
  t.ok(v("Unable to complete application test, cannot connect to Sonarr. An error occurred while sending "
    .. "the request."), "reset")
  t.ok(v("Prowlarr URL is invalid, Sonarr cannot connect to Prowlarr", "ProwlarrUrl"),
    "the last hop, whose reason Prowlarr drops")
  t.eq(v("API Key is invalid", "ApiKey"), nil, "a wrong key is final")
  t.eq(v("Sonarr URL is invalid, Prowlarr cannot connect to Sonarr. Is Sonarr running and accessible? "
    .. "Sonarr v2 is not supported."), nil, "a 404 is final")
  t.eq(transient.validation({ status = 400, data = json.array{
    { propertyName = "Host", errorMessage = "'Host' must not be empty." } } }), nil,
    "a field's own validation (no isWarning) is final")
  t.eq(transient.validation({ status = 400, data = json.array{
    { propertyName = "BaseUrl", errorMessage = "Http request timed out", isWarning = false },
    { propertyName = "ApiKey", errorMessage = "API Key is invalid", isWarning = false } } }), nil,
    "one final error makes the 400 final")
  t.ok(transient.response(nil, { kind = "connect" }))
  t.ok(transient.response({ status = 503 }))
  t.ok(transient.response({ status = 429 }))
  t.eq(transient.response({ status = 404 }), false)
end)

t.test("userinfo of a URL is masked wherever the scripts print it", function()
  t.eq(util.mask_userinfo("http://admin:pw@sonarr:8989/x"), "http://***@sonarr:8989/x")
  t.eq(util.mask_userinfo("sonarr is ready at https://u@h/ (version 4)"), "sonarr is ready at https://***@h/ (version 4)")
  t.eq(util.mask_userinfo('"http://a:b@h" -> "http://c:d@h"'), '"http://***@h" -> "http://***@h"')
  t.eq(util.mask_userinfo("admin:pw@sonarr:8989"), "***@sonarr:8989", "no scheme")
  t.eq(util.mask_userinfo("mail me at a@b"), "mail me at a@b", "not a URL")
  t.eq(util.mask_userinfo("http://h/p?q=a@b"), "http://h/p?q=a@b", "an @ after the host is not userinfo")
  local line = report.rejection("prowlarr", "application", "Sonarr", { status = 400, data = json.array{
    { propertyName = "BaseUrl", errorMessage = "HTTP request failed: [500:InternalServerError] [GET] at "
      .. "[http://admin:pw@sonarr:8989/api/v3/indexer/schema]", attemptedValue = "http://admin:pw@sonarr:8989" } } })
  t.ok(not line[1]:find("pw", 1, true), line[1])
end)
