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
  enable_props = { "enable" }, defaults = { enable = true },
  protect = function(_, e) return e.name:match("%(Prowlarr%)$") ~= nil end }

local function setup(existing, tags)
  local client = { sent = {}, retries = 0, backoff = 0 }
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
  local kp = reconcile.plan(run, app, KIND, { { name = "qBittorrent" } })
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
