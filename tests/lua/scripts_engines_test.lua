-- The engine modules one by one: kind descriptors (kinds.lua) and what
-- reads them, the type loader, the instance record, tags, readiness, the
-- Prowlarr-synced indexer guard and the sync check.
local t = require "host.test"
-- The scripts and the test helpers come from the module path.
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"
local fakeapps = require "scripts_fakeapps"

local function keys_of(list)
  local out = {}
  for _, k in ipairs(list) do out[#out + 1] = k.key end
  return out
end

-- Fresh script modules against FAKE (quiet log captured in fake.lines).
local function fresh(fake, env, secrets)
  return fakeapps.install(fake or fakeapps.new(), env or {}, secrets or {})
end

t.describe("kinds.lua", function()
  t.it("every descriptor names its key, label, path, engine and types; the engine exists", function()
    fresh()
    local kinds = require "kinds"
    for i, k in ipairs(kinds.LIST) do
      local where = "kinds.LIST[" .. i .. "]"
      for _, f in ipairs({ "key", "label", "path", "engine" }) do
        t.eq(type(k[f]), "string", where .. "." .. f)
      end
      t.ok(#k.on > 0, where .. ".on")
      local engine = kinds.engine(k)
      t.eq(type(engine.plan), "function", where .. " engine plan")
      t.eq(type(engine.apply), "function", where .. " engine apply")
      t.eq(type(engine.check), "function", where .. " engine check")
      if k.engine == "keyed" then t.ok(#k.identity > 0, where .. ".identity") end
    end
  end)

  t.it("a type lists its kinds through its family, in apply order", function()
    fresh()
    t.eq(keys_of(require("sonarr").kinds),
      { "settings", "root_folders", "remote_path_mappings", "delay_profiles", "download_clients", "indexers",
        "notifications", "import_lists", "metadata" })
    t.eq(keys_of(require("lidarr").kinds), keys_of(require("sonarr").kinds))
    t.eq(keys_of(require("prowlarr").kinds),
      { "settings", "indexer_proxies", "download_clients", "notifications", "indexers", "applications" })
    local kinds = require "kinds"
    t.eq(kinds.for_type({ name = "sonarr", family = "servarr" })[6].enable_props,
      { "enableRss", "enableAutomaticSearch", "enableInteractiveSearch" }, "the servarr indexers")
    t.eq(kinds.for_type({ name = "prowlarr", family = "prowlarr" })[5].enable_props, { "enable" },
      "Prowlarr's indexers")
  end)

  t.it("an unknown engine is a clear error", function()
    fresh()
    t.raises(function() require("kinds").engine({ key = "x", engine = "nope" }) end,
      'kind x: unknown engine "nope"')
  end)

  t.it("one more descriptor is one more kind: config accepts it for its types, a run applies it", function()
    local fake = fakeapps.new()
    fake.add("sonarr", "http://s.test", "k")
    fake.add("radarr", "http://r.test", "k2")
    fresh(fake, { SONARR_URL = "http://s.test", RADARR_URL = "http://r.test" },
      { ["sonarr-api-key"] = "k", ["radarr-api-key"] = "k2" })
    -- A stand-in for a new provider kind: its own key, an existing collection.
    table.insert(require("kinds").LIST, { key = "extra_clients", label = "extra client", path = "downloadclient",
      engine = "provider", on = { "sonarr" }, enable_props = { "enable" } })
    local config = require "config"
    local file = "tests/lua/scripts_fixtures/extra_kind.lua"
    local cfg, problems = config.load({ config = file })
    t.eq(cfg, nil)
    t.match(table.concat(problems, "\n"), 'radarr: unknown key "extra_clients"')
    local run_mod = require "run"
    package.loaded.host.options = { command = "run", only = { "sonarr" } }
    t.eq(run_mod.main({ command = "run", config = "tests/lua/scripts_fixtures/extra_kind_sonarr.lua",
      only = { "sonarr" } }), 0)
    t.eq(fake.apps["http://s.test"].colls.downloadclient[1].name, "Extra")
    t.eq(#fake.grep('sonarr extra client "Extra": created'), 1)
  end)
end)

t.describe("types.lua", function()
  t.it("loads a type module and says what its shape lacks", function()
    fresh()
    local types = require "types"
    t.eq(types.load("radarr").display, "Radarr")
    package.loaded.whisparr = { name = "whisparr", display = "Whisparr", api = "v3", kinds = {},
      plan = function() end, apply = function() end }
    t.raises(function() types.load("whisparr") end, 'whisparr.lua: field "family" must be a string, got nil')
    package.loaded.whisparr = require("servarr").define{ name = "sonarr", display = "Whisparr", api = "v3" }
    t.raises(function() types.load("whisparr") end, 'whisparr.lua: name is "sonarr", expected "whisparr"')
    package.loaded.whisparr = nil
  end)

  t.it("a new Sonarr-like type is one define{} call", function()
    fresh()
    local w = require("servarr").define{ name = "whisparr", display = "Whisparr", api = "v3" }
    t.eq(keys_of(w.kinds), keys_of(require("sonarr").kinds))
    t.eq(w.target, true)
  end)
end)

t.describe("instance.lua", function()
  t.it("a record holds the declared fields only; release drops what apply no longer needs", function()
    fresh()
    local instance = require "instance"
    local rec = instance.new({ name = "sonarr-4k", type = "sonarr", url = "http://s4k.test", api_key = "k" },
      require("sonarr"), { http = { timeout = 5, connect_timeout = 1, retries = 0, backoff = 0 },
        wait = { timeout = 7 } })
    t.eq(rec.client.name, "sonarr-4k")
    t.eq(rec.client.base, "http://s4k.test")
    t.eq(rec.client.retry_for, 7, "retries bounded by the wait deadline")
    rec.down_reason = "later"
    rec.cache.tag = {}
    t.raises(function() rec.planz = {} end, 'the instance record has no field "planz"')
    instance.release(rec)
    t.eq(rec.cache, {})
    t.eq(rec.plans, {})
    for k in pairs(rec) do t.ok(instance.FIELDS[k], "undeclared field " .. k) end
  end)
end)

-- A client over canned answers: ANSWERS["METHOD path"] = { status, data } or a
-- function(body) returning one; every exchange is recorded.
local function stub_client(answers)
  local c = { sent = {}, answers = answers, timeout = 30, retries = 0, backoff = 0, writes = 0, reads = 0 }
  local function answer(method, path, body)
    c.sent[#c.sent + 1] = method .. " " .. path
    local a = answers[method .. " " .. path]
    if type(a) == "function" then a = a(body) end
    if not a then return nil, { kind = "connect", message = "refused" } end
    return a
  end
  function c.get(_, path)
    local res, err = answer("GET", path)
    if not res then return nil, err end
    if res.status ~= 200 then return nil, { kind = "status", message = "HTTP " .. res.status } end
    return res.data
  end
  function c.send(_, method, path, body) return answer(method, path, body) end
  function c.request(_, opts) return answer(opts.method, opts.path) end
  function c.api_path(_, p) return "/api/v3/" .. p end
  return c
end

t.describe("tags.lua", function()
  t.it("reads the tags once, creates only the missing ones, shows unknown ids as #id", function()
    local fake = fakeapps.new()
    fresh(fake)
    local tags = require "tags"
    local n = 2
    local c = stub_client{
      ["GET tag"] = { status = 200, data = json.array{ { id = 1, label = "TV" } } },
      ["POST tag"] = function(body) n = n + 1; return { status = 201, data = { id = n, label = body.label } } end,
    }
    local app = { name = "sonarr-4k", client = c }
    t.ok(tags.load(app))
    t.ok(tags.load(app))
    t.eq(c.sent, { "GET tag" }, "one read")
    t.eq(tags.missing(app, { "tv", "uhd" }), { "uhd" }, "labels compare lower-case")
    local report = require("report").new()
    t.eq(tags.ids(app, { "tv", "uhd" }, report), json.array{ 1, 3 })
    t.eq(c.sent, { "GET tag", "POST tag" })
    t.eq(tags.labels(app, { 3, 1, 7 }), { "#7", "tv", "uhd" })
    t.eq(report.rows["sonarr-4k\0tag"].created, 1)
  end)

  t.it("a failed create is an error naming the label", function()
    fresh()
    local tags = require "tags"
    local app = { name = "sonarr", client = stub_client{ ["POST tag"] = { status = 400, data = {} } } }
    local ids, err = tags.ids(app, { "uhd" })
    t.eq(ids, nil)
    t.eq(err, 'creating tag "uhd": HTTP 400')
  end)
end)

t.describe("wait.lua", function()
  -- Instances over stub clients and a virtual clock.
  local function setup(answers_by_name)
    local fake = fakeapps.new()
    local host = fresh(fake)
    local clock = 0
    host.now = function() return clock end
    host.sleep = function(s) clock = clock + s; fake.slept[#fake.slept + 1] = s end
    local list = {}
    for _, spec in ipairs(answers_by_name) do
      list[#list + 1] = { name = spec.name, cfg = { url = "http://" .. spec.name .. ".test",
        env_prefix = spec.prefix }, mod = { display = spec.display or "Sonarr" }, client = stub_client(spec.answers) }
    end
    return fake, require "wait", list
  end

  local ok_status = { status = 200, data = { appName = "Sonarr", version = "4.0" } }

  t.it("ready, rejected and wrong-app instances are told apart in one pass; a 401 is not retried", function()
    local fake, wait, list = setup{
      { name = "sonarr", answers = { ["GET /ping"] = { status = 200 }, ["GET /api/v3/system/status"] = ok_status } },
      { name = "sonarr-4k", prefix = "SONARR_4K", answers = { ["GET /ping"] = { status = 200 },
        ["GET /api/v3/system/status"] = { status = 401 } } },
      { name = "sonarr-anime", prefix = "SONARR_ANIME", answers = { ["GET /ping"] = { status = 200 },
        ["GET /api/v3/system/status"] = { status = 200, data = { appName = "Radarr" } } } },
    }
    wait.all(list, { timeout = 10, interval = 1, max_interval = 4 })
    t.eq(list[1].ready, true)
    t.eq(list[1].version, "4.0")
    t.eq(list[2].rejected, true)
    t.eq(list[2].down_reason, "API key rejected")
    t.eq(#list[2].client.sent, 2, "ping and one status: a 401 is final")
    t.eq(list[3].down_reason, "wrong app")
    t.eq(#fake.grep("sonarr-anime at http://sonarr-anime.test answers as Radarr: check SONARR_ANIME_URL"), 1)
    t.eq(fake.slept, {}, "nothing left to wait for")
  end)

  t.it("an instance answering 503 is polled with backoff until ready; one that stays down hits the deadline",
    function()
      local n = 0
      local fake, wait, list = setup{
        { name = "radarr", display = "Radarr", answers = {
          ["GET /ping"] = function() n = n + 1; return { status = n < 3 and 503 or 200 } end,
          ["GET /api/v3/system/status"] = { status = 200, data = { appName = "Radarr" } } } },
        { name = "lidarr", display = "Lidarr", answers = {} },
      }
      wait.all(list, { timeout = 5, interval = 1, max_interval = 2 })
      t.eq(list[1].ready, true)
      t.eq(list[2].ready, nil)
      t.eq(list[2].down_reason, "ping: refused")
      t.eq(fake.slept, { 1, 2, 2 }, "doubling up to max_interval, cut at the deadline")
      t.eq(#fake.grep("radarr not ready (attempt 1): ping: HTTP 503 (starting up)"), 1)
      t.eq(#fake.grep("lidarr at http://lidarr.test not ready after 5s: ping: refused; skipping it"), 1)
    end)
end)

t.describe("servarr.lua", function()
  t.it("an indexer is Prowlarr's by its name or by a baseUrl under the run's Prowlarr", function()
    fresh()
    local servarr = require "servarr"
    local run = { prowlarr = { cfg = { url = "http://prowlarr:9696", url_from_apps = "http://prowlarr.media:9696/" } } }
    local function idx(name, url)
      return { name = name, fields = { { name = "baseUrl", value = url } } }
    end
    t.eq(servarr.prowlarr_managed(run, idx("Tracker (Prowlarr)", "http://elsewhere")), true)
    t.eq(servarr.prowlarr_managed(run, idx("Renamed", "http://PROWLARR.media:9696/3/")), true)
    t.eq(servarr.prowlarr_managed(run, idx("Mine", "http://jackett:9117/api")), false)
    t.eq(servarr.prowlarr_managed({}, idx("Mine", "http://prowlarr.media:9696/3/")), false,
      "without Prowlarr in the run only the name counts")
  end)
end)

t.describe("sync.lua", function()
  local function synced_indexer(id, purl)
    return { id = id, name = "T" .. id .. " (Prowlarr)", fields = { { name = "baseUrl", value = purl .. "/" .. id .. "/" } } }
  end

  t.it("planning notes which of this Prowlarr's indexers each target holds, and keeps only the names", function()
    fresh()
    local sync = require "sync"
    local P = "http://prowlarr.test"
    local target = { name = "sonarr-4k", ready = true, cache = {}, client = stub_client{
      ["GET indexer"] = { status = 200, data = json.array{ synced_indexer(1, P), synced_indexer(2, "http://other"),
        { id = 3, name = "Mine", fields = {} } } } } }
    local p = { name = "prowlarr", cache = {}, client = stub_client{ ["GET indexer"] = { status = 200, data = {} } } }
    local run = { cfg = { sync = { verify = true } }, instances = { ["sonarr-4k"] = target } }
    sync.prepare(run, p, { { target = "sonarr-4k", fields = { prowlarrUrl = P } } })
    t.eq(p.synced, { ["sonarr-4k"] = { t1 = true } }, "only the indexers pointing at this Prowlarr")
    t.eq(target.cache.indexer, nil, "the target's list is not kept")
  end)

  t.it("a converged target needs no sync; a short one after no save starts ApplicationIndexerSync", function()
    local fake = fakeapps.new()
    local host = fresh(fake)
    host.sleep = function() end
    local sync = require "sync"
    local P = "http://prowlarr.test"
    local held = json.array{ synced_indexer(1, P) }
    local short = { name = "sonarr-4k", client = stub_client{ ["GET indexer"] = function()
      return { status = 200, data = held } end } }
    local full = { name = "sonarr", client = stub_client{ ["GET indexer"] = { status = 200,
      data = json.array{ synced_indexer(1, P), synced_indexer(2, P) } } } }
    local indexers = json.array{ { id = 1, name = "T1", enable = true, tags = {} },
      { id = 2, name = "T2", enable = true, tags = {} } }
    local p = { name = "prowlarr", cache = { indexer = indexers },
      synced = { ["sonarr-4k"] = { t1 = true }, sonarr = { t1 = true, t2 = true } },
      client = stub_client{
        ["POST command"] = function()
          held = json.array{ synced_indexer(1, P), synced_indexer(2, P) }
          return { status = 201, data = { id = 9 } }
        end,
        ["GET command/9"] = { status = 200, data = { id = 9, status = "completed" } },
      } }
    local run = { cfg = { sync = { verify = true, timeout = 5, settle = 1 } }, report = require("report").new(),
      instances = { ["sonarr-4k"] = short, sonarr = full } }
    local app_item = function(name)
      return { op = "noop", item = { target = name, fields = { prowlarrUrl = P } },
        existing = { syncLevel = "fullSync", tags = {}, fields = {} } }
    end
    sync.verify(run, p, { actions = { app_item("sonarr-4k"), app_item("sonarr") } })
    t.eq(p.client.sent, { "POST command", "GET command/9" })
    t.eq(#fake.grep("sonarr-4k holds 2 Prowlarr indexer(s) (2 expected)"), 1)
    t.eq(#fake.grep("sonarr holds 2 Prowlarr indexer(s) (2 expected)"), 1)
    t.eq(full.client.sent, {}, "counts from planning: no read")
  end)
end)

t.describe("a type that manages fewer kinds (an override)", function()
  t.it("kinds = {...} narrows what is managed; the config may still name the others, left alone", function()
    local fake = fakeapps.new()
    fake.add("sonarr", "http://s.test", "k")
    local host, r = fresh(fake, { SONARR_URL = "http://s.test" }, { ["sonarr-api-key"] = "k" })
    package.loaded.sonarr = require("servarr").define{ name = "sonarr", display = "Sonarr", api = "v3",
      kinds = { "indexers", "notifications" } }
    t.eq(keys_of(package.loaded.sonarr.kinds), { "indexers", "notifications" })
    host.options = { command = "run", config = "tests/lua/scripts_fixtures/fewer_kinds.lua" }
    t.eq(r.main(host.options), 0)
    t.eq(#fake.apps["http://s.test"].colls.downloadclient, 0, "download clients left alone")
    t.eq(#fake.apps["http://s.test"].rootfolders, 0, "root folders left alone")
    t.eq(#fake.grep("sonarr: download_clients are configured, but sonarr.lua does not manage them"), 1)
    t.eq(fake.apps["http://s.test"].colls.indexer[1].name, "MyTorznab")
  end)

  t.it("an unknown kind in kinds = {...} is an error naming the module", function()
    fresh()
    t.raises(function()
      require("servarr").define{ name = "sonarr", display = "Sonarr", api = "v3", kinds = { "indexer" } }
    end, 'sonarr.lua: kinds: "indexer" is not a kind of sonarr %(kinds: delay_profiles, download_clients, ')
  end)
end)

t.describe("keyedset.lua", function()
  -- An instance over a stub client holding LIST at PATH; POST answers from POST_ANSWERS in turn.
  local function setup(path, list, post_answers, prune)
    local fake = fakeapps.new()
    fresh(fake)
    local stored = json.array(list)
    local posts = 0
    local c = stub_client{
      ["GET " .. path] = function() return { status = 200, data = stored } end,
      ["POST " .. path] = function(body)
        posts = posts + 1
        local a = post_answers and post_answers[posts] or { status = 201 }
        if a.status < 300 or a.stored then
          local e = require("util").copy(body)
          e.id = 100 + posts
          stored[#stored + 1] = e
        end
        return a
      end,
    }
    local inst = { name = "sonarr-4k", client = c, cache = {}, cfg = { prune = prune or {} } }
    local run = { report = require("report").new() }
    return fake, run, inst, c, function() return stored end
  end

  local ROOT = { key = "root_folders", label = "root folder", path = "rootfolder", engine = "keyed",
    identity = { "path" }, updatable = false }

  t.it("root folders: created when missing, compared without a trailing slash, deleted only when pruning",
    function()
      local _, run, inst, c = setup("rootfolder", { { id = 1, path = "/tv/" }, { id = 2, path = "/old" } }, nil,
        { root_folders = true })
      c.answers["DELETE rootfolder/2"] = { status = 200 }
      local ks = require "keyedset"
      local kp = ks.plan(run, inst, ROOT, { { path = "/tv" }, { path = "/data/" } })
      local ops = {}
      for _, a in ipairs(kp.actions) do ops[#ops + 1] = a.op .. " " .. a.name end
      t.eq(ops, { "noop /tv", "create /data", "delete /old" })
      t.eq(kp.actions[2].body, { path = "/data" })
      c.sent = {}
      t.ok(ks.apply(run, inst, kp))
      t.eq(c.sent, { "POST rootfolder", "DELETE rootfolder/2" })
      t.eq(run.report.rows["sonarr-4k\0root folder"].created, 1)
      inst.cfg.prune = {}
      kp = ks.plan(run, inst, ROOT, { { path = "/tv" } })
      t.eq(#kp.actions, 1, "without prune nothing is deleted")
    end)

  t.it("a POST answering 5xx is looked for before it is sent again: created once", function()
    local _, run, inst, c, stored = setup("rootfolder", {}, { { status = 503, stored = true } })
    local ks = require "keyedset"
    t.ok(ks.apply(run, inst, ks.plan(run, inst, ROOT, { { path = "/tv" } })))
    t.eq(c.sent, { "GET rootfolder", "POST rootfolder", "GET rootfolder" })
    t.eq(#stored(), 1)
    local _, run2, inst2, c2, stored2 = setup("rootfolder", {}, { { status = 503 }, { status = 201 } })
    t.ok(ks.apply(run2, inst2, ks.plan(run2, inst2, ROOT, { { path = "/tv" } })))
    t.eq(c2.sent, { "GET rootfolder", "POST rootfolder", "GET rootfolder", "POST rootfolder" })
    t.eq(#stored2(), 1)
  end)

  t.it("identity of two fields, snake_case keys, an update of what differs (a remote path mapping shape)",
    function()
      local kind = { key = "remote_path_mappings", label = "remote path mapping", path = "remotepathmapping",
        engine = "keyed", identity = { "host", "remote_path" } }
      local _, run, inst, c = setup("remotepathmapping", {
        { id = 2, host = "qbittorrent", remotePath = "/downloads/", localPath = "/data/old/" } })
      c.answers["PUT remotepathmapping/2"] = function(body) return { status = 202, data = body } end
      local ks = require "keyedset"
      local kp = ks.plan(run, inst, kind, {
        { host = "qbittorrent", remote_path = "/downloads", local_path = "/data/downloads/" } })
      t.eq(kp.actions[1].op, "update")
      t.eq(kp.actions[1].name, "qbittorrent /downloads")
      t.eq(kp.actions[1].changes, { { path = "localPath", old = "/data/old/", new = "/data/downloads/" } })
      t.eq(kp.actions[1].body, { id = 2, host = "qbittorrent", remotePath = "/downloads",
        localPath = "/data/downloads/" })
      t.ok(ks.apply(run, inst, kp))
      t.eq(c.sent[#c.sent], "PUT remotepathmapping/2")
      t.eq(run.report.rows["sonarr-4k\0remote path mapping"].updated, 1)
      kp = ks.plan(run, inst, kind, { { host = "qbittorrent", remotePath = "/downloads/", localPath = "/data/old" } })
      t.eq(kp.actions[1].op, "noop", "camelCase keys and trailing slashes compare equal")
    end)
end)
