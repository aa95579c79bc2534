-- A whole run of the scripts against the in-memory fake apps: env-only
-- converge, no-op rerun, plan, drift, rotated key, config errors.
local t = require "host.test"
-- The scripts and the test helpers come from the module path.
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local fakeapps = require "scripts_fakeapps"

local S, R, P = "http://sonarr.test", "http://radarr.test", "http://prowlarr.test"
local ENV = { SONARR_URL = S, RADARR_URL = R, PROWLARR_URL = P }
local SECRETS = { ["sonarr-api-key"] = "sonarrkey", ["radarr-api-key"] = "radarrkey",
  ["prowlarr-api-key"] = "prowlarrkey" }

local function stack()
  local fake = fakeapps.new()
  fake.add("sonarr", S, "sonarrkey")
  fake.add("radarr", R, "radarrkey")
  local p = fake.add("prowlarr", P, "prowlarrkey")
  p.colls.indexer = {
    { id = 1, name = "Tracker", enable = true, tags = {}, fields = {} },
    { id = 2, name = "Usenet", enable = true, tags = {}, fields = {} },
  }
  return fake
end

local function run(fake, options, env, secrets)
  local host, r = fakeapps.install(fake, env or ENV, secrets or SECRETS)
  options = options or { command = "run" }
  host.dry_run = options.command == "plan" or options.dry_run or false
  host.options = options
  return r.main(options)
end

t.test("env only: applications created, indexers arrive, second run writes nothing", function()
  local fake = stack()
  t.eq(run(fake), 0)
  local apps = fake.apps[P].colls.applications
  t.eq(#apps, 2)
  local sonarr = apps[1].implementation == "Sonarr" and apps[1] or apps[2]
  t.eq(sonarr.syncLevel, "fullSync")
  local values = {}
  for _, f in ipairs(sonarr.fields) do values[f.name] = f.value end
  t.eq(values.baseUrl, S)
  t.eq(values.prowlarrUrl, P)
  t.eq(values.apiKey, "sonarrkey")
  t.eq(values.syncCategories, require("host.json").array{ 5000, 5040 })
  t.eq(#fake.apps[S].colls.indexer, 2)
  t.eq(#fake.apps[R].colls.indexer, 2)
  fake.clear_log()
  t.eq(run(fake), 0)
  t.eq(fake.writes(), 0, "writes on the second run")
end)

t.test("plan shows pending changes and exits 4 without writing; 0 after a run", function()
  local fake = stack()
  t.eq(run(fake, { command = "plan" }), 4)
  t.eq(fake.writes(), 0)
  t.eq(run(fake), 0)
  t.eq(run(fake, { command = "plan" }), 0)
end)

t.test("a wrong key is exit 3 and the other apps still converge", function()
  local fake = stack()
  local secrets = { ["sonarr-api-key"] = "wrong", ["radarr-api-key"] = "radarrkey",
    ["prowlarr-api-key"] = "prowlarrkey" }
  t.eq(run(fake, nil, nil, secrets), 3)
  t.eq(#fake.apps[P].colls.applications, 1)
  t.eq(fake.apps[P].colls.applications[1].implementation, "Radarr")
end)

t.test("a rotated Sonarr key heals the Prowlarr application", function()
  local fake = stack()
  t.eq(run(fake), 0)
  fake.apps[S].key = "newkey"
  fake.hooks.test = function(app, coll, body)
    if coll ~= "applications" then return nil end
    local stored
    for _, a in ipairs(app.colls.applications) do if a.id == body.id then stored = a end end
    for _, f in ipairs(stored.fields) do
      if f.name == "apiKey" then
        local target = stored.implementation == "Sonarr" and fake.apps[S] or fake.apps[R]
        if f.value ~= target.key then
          return { status = 400, headers = { ["content-type"] = "application/json" },
            body = '[{"propertyName":"ApiKey","errorMessage":"API Key is invalid","isWarning":false}]' }
        end
      end
    end
    return { status = 200, headers = {}, body = "{}" }
  end
  local secrets = { ["sonarr-api-key"] = "newkey", ["radarr-api-key"] = "radarrkey",
    ["prowlarr-api-key"] = "prowlarrkey" }
  fake.clear_log()
  t.eq(run(fake, nil, nil, secrets), 0)
  t.eq(fake.writes("prowlarr"), 1)
  local shape = {}
  for _, e in ipairs(fake.log) do
    if e.app == "prowlarr" and e.method ~= "GET" then shape[#shape + 1] = e.method .. " " .. e.path end
  end
  t.eq(shape, { "POST /api/v1/applications/testall", "PUT /api/v1/applications/1" },
    "one testall for the collection, one PUT for the application whose key fails")
  local key
  for _, a in ipairs(fake.apps[P].colls.applications) do
    if a.implementation == "Sonarr" then
      for _, f in ipairs(a.fields) do if f.name == "apiKey" then key = f.value end end
    end
  end
  t.eq(key, "newkey")
end)

local function secrets_plus(extra)
  local s = {}
  for k, v in pairs(SECRETS) do s[k] = v end
  for k, v in pairs(extra) do s[k] = v end
  return s
end

local FULL_SECRETS = secrets_plus{ ["qbittorrent-password"] = "qbitpass", ["jackett-api-key"] = "jackettkey" }

local function item(list, name)
  for _, e in ipairs(list) do
    if e.name:lower() == name:lower() then return e end
  end
end

local function value(e, name)
  for _, f in ipairs(e.fields) do
    if f.name == name then return f.value end
  end
end

t.test("a full config converges; a drifted field is repaired with one write", function()
  local fake = stack()
  local opts = { command = "run", config = "tests/lua/scripts_fixtures/full.lua" }
  t.eq(run(fake, opts, nil, FULL_SECRETS), 0)
  local s = fake.apps[S]
  local qbit = item(s.colls.downloadclient, "qbittorrent")
  t.eq(qbit.enable, true)
  t.eq(value(qbit, "host"), "qbittorrent")
  t.eq(value(qbit, "port"), 8080)
  t.eq(value(qbit, "password"), "qbitpass")
  t.eq(value(qbit, "initialState"), 2)
  t.eq(value(qbit, "useSsl"), false, "template default kept")
  t.eq(qbit.tags, require("host.json").array{ 1 })
  local idx = item(s.colls.indexer, "MyTorznab")
  t.eq(idx.implementation, "Torznab", "implementation spelled as the schema does")
  t.eq(idx.priority, 10)
  t.eq(idx.enableRss, true)
  t.eq(s.rootfolders[1].path, "/tv")
  t.eq(fake.apps[R].rootfolders[1].path, "/movies")
  t.eq(#fake.apps[P].colls.indexerproxy, 1)
  t.eq(item(fake.apps[P].colls.applications, "Radarr").syncLevel, "addOnly")

  fake.clear_log()
  t.eq(run(fake, opts, nil, FULL_SECRETS), 0)
  t.eq(fake.writes(), 0, "writes on the second run")

  for _, f in ipairs(qbit.fields) do
    if f.name == "port" then f.value = 9999 end
  end
  t.eq(run(fake, { command = "plan", config = opts.config }, nil, FULL_SECRETS), 4)
  t.eq(#fake.grep("fields.port: 9999 -> 8080"), 1)
  fake.clear_log()
  t.eq(run(fake, opts, nil, FULL_SECRETS), 0)
  t.eq(fake.writes(), 1)
  t.eq(value(item(s.colls.downloadclient, "qbittorrent"), "port"), 8080)
  t.eq(value(item(s.colls.downloadclient, "qbittorrent"), "password"), "qbitpass", "stored secret kept")
end)

t.test("an unknown field or implementation is exit 2 with nothing written", function()
  local fake = stack()
  t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/unknown_field.lua" }), 2)
  t.eq(fake.writes(), 0)
  local lines = fake.grep('unknown field "hots"')
  t.eq(#lines, 1)
  t.match(lines[1], "valid: host, ")
  t.eq(#fake.grep('unknown implementation "QBittorent"'), 1)
end)

t.test("bad config values are all reported before any request", function()
  local fake = stack()
  t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/bad_values.lua" }), 2)
  t.eq(#fake.log, 0, "requests made")
  for _, want in ipairs({ "wait.timeout", "sonarr.url", "tags[1]", "enable", "[3].name",
      'unknown key "indexer"', 'unknown key "api_key"', "sync_level", 'secret "missing-secret"',
      '"qbittorrent" is also item 1' }) do
    t.ok(#fake.grep(want) > 0, "no problem reported for " .. want)
  end
end)

t.test("a 400 reports every element, fails the item, applies the others", function()
  local fake = stack()
  fake.hooks.validate = function(_, coll, body)
    if coll == "downloadclient" and body.name == "qBittorrent" then
      return { status = 400, headers = { ["content-type"] = "application/json" },
        body = '[{"propertyName":"Host","errorMessage":"must be valid Host without http://","isWarning":false},'
          .. '{"propertyName":"Password","errorMessage":"Authentication failure","attemptedValue":"qbitpass",'
          .. '"isWarning":false}]' }
    end
  end
  t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/full.lua" }, nil, FULL_SECRETS), 1)
  t.eq(#fake.grep('ERROR sonarr download client "qBittorrent": host: must be valid Host without http://'), 1)
  t.eq(#fake.grep('ERROR sonarr download client "qBittorrent": password: Authentication failure [value: (secret)]'), 1)
  t.eq(#fake.apps[S].colls.downloadclient, 0)
  t.eq(#fake.apps[S].colls.indexer, 3, "the indexer and the synced ones")
end)

t.test("warnings only: saved again with forceSave", function()
  local fake = stack()
  local forced = 0
  fake.hooks.validate = function(_, coll, _, query)
    if coll == "downloadclient" then
      if query == "forceSave=true" then forced = forced + 1; return nil end
      return { status = 400, headers = { ["content-type"] = "application/json" },
        body = '[{"propertyName":"TvCategory","errorMessage":"Category is recommended","isWarning":true}]' }
    end
  end
  t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/full.lua" }, nil, FULL_SECRETS), 0)
  t.eq(forced, 1)
  t.eq(#fake.apps[S].colls.downloadclient, 1)
end)

t.test("5xx faults, before or after the write, converge without duplicates", function()
  local fake = stack()
  local n = 0
  fake.fault = function()
    n = n + 1
    if n % 5 == 0 then return "before" end
    if n % 7 == 0 then return "after" end
  end
  t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/full.lua" }, nil, FULL_SECRETS), 0)
  fake.fault = nil
  t.ok(#fake.grep("retrying in") > 0, "no retried request")
  t.ok(#fake.grep("but the item was stored; adopting it") > 0, "no POST with an unknown outcome")
  t.eq(#fake.apps[S].colls.downloadclient, 1)
  t.eq(#fake.apps[P].colls.applications, 2)
  t.eq(#fake.apps[P].colls.indexerproxy, 1)
  t.eq(#fake.apps[S].rootfolders, 1)
  t.eq(#fake.apps[S].tags, 1)
  fake.clear_log()
  t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/full.lua" }, nil, FULL_SECRETS), 0)
  t.eq(fake.writes(), 0)
end)

t.test("an indexer without the app's categories is not expected there (no sync every run)", function()
  local fake = stack()
  local p = fake.apps[P]
  p.colls.indexer[3] = { id = 3, name = "Music only", enable = true, tags = {}, fields = {},
    capabilities = { categories = { { id = 3000, subCategories = { { id = 3010 } } } } } }
  t.eq(run(fake), 0)
  -- The in-memory sync pushes every indexer; keep only what real Prowlarr would.
  for _, url in ipairs({ S, R }) do
    local kept = {}
    for _, e in ipairs(fake.apps[url].colls.indexer) do
      if not e.name:find("Music only", 1, true) then kept[#kept + 1] = e end
    end
    fake.apps[url].colls.indexer = kept
  end
  fake.clear_log()
  t.eq(run(fake), 0)
  t.eq(fake.writes(), 0, "writes (an ApplicationIndexerSync would be one)")
  t.eq(#fake.grep("sonarr holds 2 Prowlarr indexer(s) (2 expected)"), 1)
end)

t.test("a tagged Prowlarr application converges and then stays put", function()
  local fake = stack()
  local opts = { command = "run", config = "tests/lua/scripts_fixtures/app_tags.lua" }
  t.eq(run(fake, opts), 0)
  t.eq(fake.apps[P].tags, { { id = 1, label = "tv" } })
  t.eq(item(fake.apps[P].colls.applications, "Sonarr").tags, require("host.json").array{ 1 })
  fake.clear_log()
  t.eq(run(fake, opts), 0)
  t.eq(fake.writes(), 0)
end)

t.test("a hand-made application for the same app under another name is adopted", function()
  local fake = stack()
  t.eq(run(fake), 0)
  local apps = fake.apps[P].colls.applications
  local sonarr = item(apps, "Sonarr")
  sonarr.name = "My Sonarr"
  fake.clear_log()
  t.eq(run(fake), 0)
  t.eq(#apps, 2, "no second Sonarr application")
  t.eq(fake.writes(), 0)
end)

-- The requests of the last run, "METHOD path" without the API prefix, for APP.
local function sent(fake, kind)
  local out = {}
  for _, e in ipairs(fake.log) do
    if e.app == kind then out[#out + 1] = e.method .. " " .. e.path:gsub("^/api/v%d/", "") end
  end
  return out
end

t.test("after creating the applications the targets are read again at once, without sleeping", function()
  local fake = stack()
  t.eq(run(fake), 0)
  t.eq(fake.slept, {}, "the in-memory Prowlarr syncs while saving: nothing to wait for")
  local s = sent(fake, "sonarr")
  t.eq({ s[#s - 1], s[#s] }, { "GET indexer", "GET indexer" }, "planning, then once after the save")
  for _, e in ipairs(fake.log) do t.ok(e.path ~= "/api/v1/command", "no ApplicationIndexerSync") end
end)

t.test("targets still syncing are polled together: one sleep for both, no forced sync", function()
  local fake = stack()
  fake.defer_sync = true
  t.eq(run(fake), 0)
  t.eq(fake.slept, { 0.01 }, "one short wait (10 ms) for Sonarr and Radarr together")
  t.eq(#fake.apps[S].colls.indexer, 2)
  t.eq(#fake.apps[R].colls.indexer, 2)
  for _, e in ipairs(fake.log) do t.ok(e.path ~= "/api/v1/command", "no ApplicationIndexerSync") end
  t.eq(#fake.grep("sonarr holds 2 Prowlarr indexer(s) (2 expected)"), 1)
  t.eq(#fake.grep("radarr holds 2 Prowlarr indexer(s) (2 expected)"), 1)
end)

t.test("indexers missing without a save: ApplicationIndexerSync at once, then counted again", function()
  local fake = stack()
  t.eq(run(fake), 0)
  fake.apps[S].colls.indexer = {}
  fake.clear_log()
  fake.slept = {}
  t.eq(run(fake), 0)
  local p = sent(fake, "prowlarr")
  t.ok(p[#p - 1] == "POST command" or p[#p - 2] == "POST command", "the sync was started: " .. table.concat(p, ", "))
  t.eq(#fake.apps[S].colls.indexer, 2)
  t.eq(#fake.grep("sonarr holds 2 Prowlarr indexer(s) (2 expected)"), 1)
  t.eq(fake.slept, {}, "no settling wait when nothing was saved")
end)

t.test("POST command answered 500 is looked for and sent again until the sync starts", function()
  local fake = stack()
  t.eq(run(fake), 0)
  fake.apps[S].colls.indexer = {}
  fake.clear_log()
  local faults = 0
  fake.fault = function(e)
    if e.method == "POST" and e.path:match("/command$") and faults < 2 then
      faults = faults + 1
      return "before"
    end
  end
  t.eq(run(fake), 0)
  fake.fault = nil
  t.eq(faults, 2)
  t.eq(#fake.apps[S].colls.indexer, 2, "the sync ran")
  t.eq(#fake.grep("sonarr holds 2 Prowlarr indexer(s) (2 expected)"), 1)
end)

t.test("readiness asks each app up once: system/status with its key, no /ping", function()
  local fake = stack()
  t.eq(run(fake), 0)
  for _, kind in ipairs({ "prowlarr", "sonarr", "radarr" }) do
    local pings, statuses = 0, 0
    for _, e in ipairs(fake.log) do
      if e.app == kind and e.path == "/ping" then pings = pings + 1 end
      if e.app == kind and e.path:match("/system/status$") then statuses = statuses + 1 end
    end
    t.eq({ kind, pings, statuses }, { kind, 0, 1 })
  end
end)
