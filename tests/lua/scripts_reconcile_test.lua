-- reconcile.lua: schema merge, diff and the shape of the bodies it sends,
-- with a fake client (no HTTP).
local t = require "host.test"
-- The scripts and the test helpers come from the module path.
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"
local fakeapps = require "scripts_fakeapps"

local field = fakeapps.field
local MASK = fakeapps.MASK

-- Fresh modules with a quiet log.
package.loaded["host.log"] = { debug = function() end, info = function() end, warn = function() end,
  error = function() end, app = function() end }
for _, m in ipairs({ "reconcile", "report", "tags", "values", "util" }) do package.loaded[m] = nil end
local reconcile = require "reconcile"
local report = require "report"

local TEMPLATE = {
  implementation = "QBittorrent", configContract = "QBittorrentSettings", name = "", enable = false,
  priority = 1, tags = json.array{}, presets = json.array{},
  fields = json.array{
    field("host", "localhost"), field("port", 8080, { type = "number" }),
    field("password", nil, { type = "password", privacy = "password" }),
    field("tvCategory", "tv-sonarr"),
    field("categories", json.array{}, { type = "select" }),
  },
}

local KIND = { key = "download_clients", label = "download client", path = "downloadclient",
  enable_props = { "enable" }, defaults = { enable = true } }

local function setup(existing, tags)
  local client = { sent = {}, retries = 0, backoff = 0, timeout = 30 }
  local data = { downloadclient = json.array(existing or {}), ["downloadclient/schema"] = json.array{ TEMPLATE },
    tag = json.array(tags or {}) }
  function client.get(_, path) return data[path] end
  function client:send(method, path, body, query)
    self.sent[#self.sent + 1] = { method = method, path = path, body = body, query = query }
    return { status = method == "POST" and 201 or 202, data = body }
  end
  local problems = {}
  local run = { cfg = { test_secrets = false }, report = report.new(), problems = problems }
  function run.problem(_, path, fmt, ...) problems[#problems + 1] = path .. ": " .. string.format(fmt, ...) end
  local app = { name = "sonarr", client = client, cfg = { prune = {} }, cache = {} }
  return run, app, client, problems
end

local function existing_client(over)
  local e = { id = 7, name = "qBittorrent", implementation = "QBittorrent", configContract = "QBittorrentSettings",
    enable = true, priority = 1, tags = json.array{},
    fields = json.array{
      field("host", "qbittorrent"), field("port", 8080, { type = "number" }),
      field("password", MASK, { type = "password", privacy = "password" }),
      field("tvCategory", "tv"), field("categories", json.array{ 5000 }, { type = "select" }),
    } }
  for k, v in pairs(over or {}) do e[k] = v end
  return e
end

local function values_of(body)
  local out = {}
  for _, f in ipairs(body.fields) do out[f.name] = f.value == nil and json.null or f.value end
  return out
end

t.test("a new item is the schema template with the desired values on top", function()
  local run, app, client, problems = setup()
  local kp = reconcile.plan(run, app, KIND, { { name = "qBit", implementation = "qbittorrent",
    fields = { host = "qbittorrent", port = 8081.0, password = "s3cret" } } })
  t.eq(problems, {})
  local a = kp.actions[1]
  t.eq(a.op, "create")
  t.eq(a.body.id, nil)
  t.eq(a.body.presets, nil)
  t.eq(a.body.implementation, "QBittorrent")
  t.eq(a.body.configContract, "QBittorrentSettings")
  t.eq(a.body.enable, true)
  t.eq(json.encode(a.body.tags), "[]")
  local names = {}
  for i, f in ipairs(a.body.fields) do names[i] = f.name end
  t.eq(names, { "host", "port", "password", "tvCategory", "categories" }, "all template fields, in order")
  t.eq(values_of(a.body), { host = "qbittorrent", port = 8081, password = "s3cret", tvCategory = "tv-sonarr",
    categories = json.array{} })
  t.match(json.encode(a.body), '"value":8081[,}]')
  t.match(json.encode(a.body), '"value":%[%]')
  reconcile.apply(run, app, kp)
  t.eq(client.sent[1].method, "POST")
  t.eq(client.sent[1].path, "downloadclient")
end)

t.test("an unchanged item with a masked secret is a no-op", function()
  local run, app, client = setup({ existing_client() })
  local kp = reconcile.plan(run, app, KIND, { { name = "QBITTORRENT", implementation = "QBittorrent",
    fields = { host = "qbittorrent", password = "s3cret", categories = { 5000 } } } })
  t.eq(kp.actions[1].op, "update", "the name's case differs")
  t.eq(kp.actions[1].changes, { { path = "name", old = "qBittorrent", new = "QBITTORRENT" } })
  kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent", fields = { host = "qbittorrent",
    password = "s3cret" } } })
  t.eq(kp.actions[1].op, "noop")
  t.eq(kp.actions[1].secret_test, { "password" })
  reconcile.apply(run, app, kp)
  t.eq(#client.sent, 0)
end)

t.test("an update sends the full fields array with untouched values kept", function()
  local run, app, client = setup({ existing_client() })
  local kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent", fields = { port = 9091 } } })
  local a = kp.actions[1]
  t.eq(a.op, "update")
  t.eq(a.changes, { { path = "fields.port", old = 8080, new = 9091 } })
  reconcile.apply(run, app, kp)
  t.eq(client.sent[1].method, "PUT")
  t.eq(client.sent[1].path, "downloadclient/7")
  t.eq(client.sent[1].body.id, 7)
  t.eq(values_of(client.sent[1].body), { host = "qbittorrent", port = 9091, password = MASK, tvCategory = "tv",
    categories = json.array{ 5000 } })
end)

t.test("enable false is a change; a top-level property is checked against the item", function()
  local run, app, _, problems = setup({ existing_client() })
  local kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent", enable = false, priority = 2,
    removeCompletedDownloads = false } })
  t.eq(kp.actions[1].changes[1], { path = "enable", old = true, new = false })
  run, app = setup({ existing_client({ enable = false }) })
  kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent" } })
  t.eq(kp.actions[1].changes, { { path = "enable", old = false, new = true } }, "false shown as false")
  t.eq(#problems, 1)
  t.match(problems[1], 'unknown property "removeCompletedDownloads"')
end)

t.test("an unknown field name lists the valid ones, nearest first", function()
  local run, app, _, problems = setup()
  reconcile.plan(run, app, KIND, { { name = "q", implementation = "QBittorrent", fields = { hots = "x" } } })
  t.eq(#problems, 1)
  t.match(problems[1], '^sonarr.download_clients%[1%].fields.hots: unknown field "hots"')
  t.match(problems[1], "valid: host, port, ")
end)

t.test("tags compare as label sets and keep the existing order", function()
  local tags = { { id = 1, label = "tv" }, { id = 2, label = "hd" } }
  local run, app, client = setup({ existing_client({ tags = json.array{ 2, 1 } }) }, tags)
  require("tags").load(app)
  local kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent", tags = { "tv", "hd" } } })
  t.eq(kp.actions[1].op, "noop")
  kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent", tags = { "tv" } } })
  t.eq(kp.actions[1].op, "update")
  reconcile.apply(run, app, kp)
  t.eq(json.encode(client.sent[1].body.tags), "[1]")
end)

t.test("prune deletes unmanaged items but never protected ones", function()
  local run, app = setup({ existing_client(), existing_client({ id = 8, name = "Old" }),
    existing_client({ id = 9, name = "X (Prowlarr)" }) })
  app.cfg.prune.download_clients = true
  local protect = function(e) return e.name:match("%(Prowlarr%)$") ~= nil end
  local kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent" } }, { protect = protect })
  local ops = {}
  for _, a in ipairs(kp.actions) do ops[a.name] = a.op end
  t.eq(ops, { qBittorrent = "noop", Old = "delete" })
end)

t.test("a masked value from the template is never posted as a secret", function()
  local run, app = setup()
  TEMPLATE.fields[3].value = MASK
  local kp = reconcile.plan(run, app, KIND, { { name = "q", implementation = "QBittorrent" } })
  TEMPLATE.fields[3].value = nil
  t.eq(values_of(kp.actions[1].body).password, json.null)
end)

t.test("an item stored with tags null (Sonarr keeps it) gets [] back", function()
  local run, app, client = setup({ existing_client({ tags = json.null }) })
  local kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent", tags = {} } })
  t.eq(kp.actions[1].op, "update", "managed tags stored as null are repaired")
  kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent", fields = { port = 1 } } })
  reconcile.apply(run, app, kp)
  t.eq(json.encode(client.sent[1].body.tags), "[]")
end)

-- Stored secrets are checked with one POST <kind>/testall per collection.
local WARNED = {}
package.loaded["host.log"].warn = function(fmt, ...) WARNED[#WARNED + 1] = string.format(fmt, ...) end

local function failures(list)
  local out = {}
  for i, f in ipairs(list) do out[i] = { propertyName = f[1], errorMessage = f[2], severity = "error" } end
  return json.array(out)
end

-- ANSWER: the testall response (or nil, err); the plan of three managed
-- clients (7, 8 and a disabled 10) next to an unmanaged one (9).
local function plan_with_testall(answer, item_over, run_over)
  for i = #WARNED, 1, -1 do WARNED[i] = nil end
  local run, app, client = setup({ existing_client(), existing_client({ id = 8, name = "Second" }),
    existing_client({ id = 9, name = "Unmanaged" }), existing_client({ id = 10, name = "Off", enable = false }) })
  run.cfg.test_secrets = true
  for k, v in pairs(run_over or {}) do run.cfg[k] = v end
  local send = client.send
  function client:send(method, path, body, query, opts)
    if path:match("/testall$") then
      self.sent[#self.sent + 1] = { method = method, path = path, body = body, opts = opts }
      if type(answer) == "function" then return answer() end
      return answer
    end
    return send(self, method, path, body, query, opts)
  end
  local items = {}
  for i, name in ipairs({ "qBittorrent", "Second", "Off" }) do
    items[i] = { name = name, fields = { password = "s3cret" }, enable = name ~= "Off" }
    for k, v in pairs(item_over or {}) do items[i][k] = v end
  end
  local kp = reconcile.plan(run, app, KIND, items)
  local ops = {}
  for _, a in ipairs(kp.actions) do ops[a.name] = a.op end
  return kp, ops, client, run, app
end

local function results(status, list)
  return { status = status, data = json.array(list) }
end

t.test("one testall for the collection; a failure on a secret field updates that item only", function()
  local kp, ops, client, run, app = plan_with_testall(results(400, {
    { id = 7, isValid = false, validationFailures = failures{ { "Password", "Authentication failure" } } },
    { id = 8, isValid = true, validationFailures = failures{} },
    { id = 9, isValid = false, validationFailures = failures{ { "Password", "Authentication failure" } } },
  }))
  t.eq(#client.sent, 1)
  t.eq(client.sent[1].method, "POST")
  t.eq(client.sent[1].path, "downloadclient/testall")
  t.eq(client.sent[1].body, nil)
  t.eq(client.sent[1].opts.read_only, true, "allowed in plan")
  t.eq(client.sent[1].opts.timeout, 33, "the request timeout plus a second per enabled item")
  t.eq(ops, { qBittorrent = "update", Second = "noop", Off = "noop" }, "the unmanaged item's failure is ignored")
  t.eq(kp.actions[1].changes[1].path, "fields.password")
  t.eq(kp.actions[1].changes[1].secret, true)
  t.match(kp.actions[1].changes[1].note, "Authentication failure")
  reconcile.apply(run, app, kp)
  t.eq(#client.sent, 2)
  t.eq(client.sent[2].method, "PUT")
  t.eq(client.sent[2].path, "downloadclient/7")
  t.eq(values_of(client.sent[2].body).password, "s3cret", "the real secret is sent")
end)

t.test("testall answering 200 with warnings only, or failures elsewhere, writes nothing and warns", function()
  local _, ops = plan_with_testall(results(200, {
    { id = 7, isValid = true, validationFailures = failures{ { "TvCategory", "Category is recommended" } } },
    { id = 8, isValid = true, validationFailures = failures{} },
  }))
  t.eq(ops, { qBittorrent = "noop", Second = "noop", Off = "noop" })
  t.eq(#WARNED, 1)
  t.match(WARNED[1], 'sonarr download client "qBittorrent": tvCategory: Category is recommended')
  t.match(WARNED[1], "nothing written")
  _, ops = plan_with_testall(results(400, {
    { id = 8, isValid = false, validationFailures = failures{ { "Host", "Unable to connect" }, { "", "down" } } },
  }))
  t.eq(ops, { qBittorrent = "noop", Second = "noop", Off = "noop" })
  t.eq(#WARNED, 1)
  t.match(WARNED[1], '"Second": host: Unable to connect; .*"Second": %(item%): down')
end)

t.test("a failed login reported against the user name points at the password", function()
  local _, ops = plan_with_testall(results(400, {
    { id = 8, isValid = false, validationFailures = failures{ { "Username", "Authentication failure" } } },
  }))
  t.eq(ops.Second, "update")
  _, ops = plan_with_testall(results(400, {
    { id = 8, isValid = false, validationFailures = failures{ { "UrlBase", "Not found" } } },
  }))
  t.eq(ops.Second, "noop", "other fields still only warn")
end)

t.test("propertyName matches the secret field case-insensitively (ApiKey, apikey, Password)", function()
  for _, prop in ipairs({ "password", "PASSWORD", "Password" }) do
    local _, ops = plan_with_testall(results(400, {
      { id = 8, isValid = false, validationFailures = failures{ { "Host", "x" }, { prop, "Wrong password" } } },
    }))
    t.eq(ops.Second, "update", prop)
  end
end)

t.test("a testall that fails (5xx, transport, not an array) skips the check without failing", function()
  for _, answer in ipairs({ { status = 503, data = { message = "down" } }, { status = 400, data = { title = "x" } },
      function() return nil, { kind = "timeout", message = "timed out" } end, { status = 200 } }) do
    local kp, ops, client = plan_with_testall(answer)
    t.eq(#client.sent, 1, "one attempt, not retried")
    t.eq(client.sent[1].opts.retry, false)
    t.eq(ops, { qBittorrent = "noop", Second = "noop", Off = "noop" })
    t.eq(#kp.actions, 3)
    t.eq(#WARNED, 1)
    t.match(WARNED[1], "^sonarr downloadclient/testall .*: stored secrets of 2 download client item%(s%) not checked")
  end
end)

t.test("no testall with test_secrets = false, per item or global, or when only disabled items hold one", function()
  local answer = results(400, { { id = 7, isValid = false, validationFailures = failures{ { "Password", "x" } } } })
  local _, ops, client = plan_with_testall(answer, { test_secret = false })
  t.eq(#client.sent, 0)
  t.eq(ops.qBittorrent, "noop")
  _, _, client = plan_with_testall(answer, nil, { test_secrets = false })
  t.eq(#client.sent, 0)
  _, _, client = plan_with_testall(answer, { enable = false })
  t.eq(#client.sent, 0, "testall does not test disabled items")
end)

t.test("a credential field of an app that sends no privacy is shown as (secret) in the plan", function()
  -- Older apps (Sonarr 3, Radarr 4) send no privacy key: the name alone marks the field.
  local old_template = require("util").copy(TEMPLATE)
  old_template.fields = json.array{ field("host", "localhost"), field("apiKey", nil),
    field("secretToken", nil) }
  local run, app = setup()
  app.cache["downloadclient/schema"] = json.array{ old_template }
  local kp = reconcile.plan(run, app, KIND, { { name = "qBit", implementation = "QBittorrent",
    fields = { host = "h", apiKey = "literal-key-123", secretToken = "tok-456" } } })
  local a = kp.actions[1]
  local shown = {}
  for _, c in ipairs(a.changes) do
    if c.path == "fields.apiKey" or c.path == "fields.secretToken" then shown[c.path] = c.secret end
  end
  t.eq(shown, { ["fields.apiKey"] = true, ["fields.secretToken"] = true })
  local lines = {}
  package.loaded["host.log"].info = function(fmt, ...) lines[#lines + 1] = string.format(fmt, ...) end
  run.report:action("sonarr", "download client", a)
  package.loaded["host.log"].info = function() end
  local text = table.concat(lines, "\n")
  t.ok(text:find("fields.apiKey: (secret)", 1, true), text)
  t.ok(not text:find("literal-key-123", 1, true) and not text:find("tok-456", 1, true), text)
end)
