-- Instances (DESIGN section 9): declared by the config file, by
-- STARRHOST_INSTANCES and by <TYPE>_URL; two of one type in one run against
-- the in-memory fake apps; one instance's script error contained.
local t = require "host.test"
-- The scripts and the test helpers come from the module path.
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local fakeapps = require "scripts_fakeapps"

local S, S4, R, P = "http://sonarr.test", "http://sonarr4k.test", "http://radarr.test", "http://prowlarr.test"
local ENV = { SONARR_URL = S, RADARR_URL = R, PROWLARR_URL = P, SONARR_4K_URL = S4,
  STARRHOST_INSTANCES = "sonarr-4k=sonarr" }
local SECRETS = { ["sonarr-api-key"] = "sonarrkey", ["sonarr-4k-api-key"] = "uhdkey",
  ["radarr-api-key"] = "radarrkey", ["prowlarr-api-key"] = "prowlarrkey", ["qbittorrent-password"] = "pw" }

local function with(base, over)
  local out = {}
  for k, v in pairs(base) do out[k] = v end
  for k, v in pairs(over or {}) do out[k] = v end
  return out
end

-- config.load with ENV and SECRETS, fresh modules.
local function load_config(env, options, secrets)
  local fake = fakeapps.new()
  fakeapps.install(fake, env, secrets or SECRETS)
  return require("config").load(options or {})
end

local function has(problems, text)
  for _, p in ipairs(problems or {}) do
    if p:find(text, 1, true) then return true end
  end
  return false
end

t.describe("config: instances", function()
  t.it("STARRHOST_INSTANCES declares a second Sonarr; its prefix gives URL and key", function()
    local cfg = assert(load_config(ENV))
    t.eq(cfg.order, { "sonarr", "sonarr-4k", "radarr", "prowlarr" })
    local uhd = cfg.instances["sonarr-4k"]
    t.eq(uhd.type, "sonarr")
    t.eq(uhd.env_prefix, "SONARR_4K")
    t.eq(uhd.url, S4)
    t.eq(uhd.api_key, "uhdkey", "from the secret sonarr-4k-api-key")
    t.eq(uhd.url_from_prowlarr, S4)
    t.eq(uhd.application_name, "sonarr-4k", "an instance not named like its type")
    t.eq(cfg.instances.sonarr.application_name, "Sonarr")
  end)

  t.it("<PREFIX>_URL_FROM_PROWLARR and <PREFIX>_CONFIG_XML follow the instance name", function()
    local secrets = with(SECRETS, { ["sonarr-4k-api-key"] = false })
    secrets["sonarr-4k-api-key"] = nil
    local fake = fakeapps.new()
    fakeapps.install(fake, with(ENV, { SONARR_4K_URL_FROM_PROWLARR = "http://uhd.media:8989",
      SONARR_4K_CONFIG_XML = "/uhd/config.xml" }), secrets)
    package.loaded["host.secret"].from_config_xml = function(path)
      if path == "/uhd/config.xml" then return "fromxml" end
      return nil, "no such file"
    end
    local cfg = assert(require("config").load({}))
    t.eq(cfg.instances["sonarr-4k"].url_from_prowlarr, "http://uhd.media:8989")
    t.eq(cfg.instances["sonarr-4k"].api_key, "fromxml")
  end)

  t.it("the config file alone declares an instance; the environment fills its URL and key", function()
    local env = with(ENV, { STARRHOST_INSTANCES = "" })
    local cfg = assert(load_config(env, { config = "tests/lua/scripts_fixtures/instances.lua" }))
    t.eq(cfg.order, { "sonarr", "sonarr-4k", "radarr", "prowlarr" })
    t.eq(cfg.instances["sonarr-4k"].items.download_clients[1].name, "qBittorrent 4K")
    t.eq(cfg.instances.sonarr.items.download_clients, nil, "the other Sonarr has none")
    t.eq(cfg.instances.prowlarr.items.applications["sonarr-4k"].name, "Sonarr 4K")
  end)

  t.it("false in the file disables an instance STARRHOST_INSTANCES declares", function()
    local cfg = assert(load_config(ENV, { config = "tests/lua/scripts_fixtures/instance_disabled.lua" }))
    t.eq(cfg.order, { "sonarr", "radarr", "prowlarr" })
  end)

  t.it("bad names, types and declarations are all reported", function()
    local file = "tests/lua/scripts_fixtures/bad_instances.lua"
    local _, problems = load_config(with(ENV, { STARRHOST_INSTANCES = "sonarr-4k=radarr,anime=radar,Bad=sonarr" }),
      { config = file })
    local all = table.concat(problems or {}, "\n")
    for _, want in ipairs({
      'Sonarr-UHD: instance names are lower-case letters',
      'films.type: unknown type "radar" (types: radarr',
      'config: unknown key "sonar" (valid: sonarr',
      'STARRHOST_INSTANCES sonarr-4k=radarr: the config file makes sonarr-4k a sonarr',
      'STARRHOST_INSTANCES anime=radar: unknown type "radar"',
      'STARRHOST_INSTANCES Bad=sonarr: instance names are lower-case',
      'config: one Prowlarr instance per run, got indexers, prowlarr',
      'prowlarr.applications: unknown key "sonarr-8k" (valid: sonarr-4k',
      'prowlarr.applications.sonarr-4k.name: "Sonarr" is also the application of sonarr',
      'copy.url: http://sonarr.test/ is also the URL of sonarr',
    }) do
      t.ok(all:find(want, 1, true), "not reported: " .. want .. "\n--- got\n" .. all)
    end
  end)

  t.it("--only takes instance names; an unknown one lists them, nearest first", function()
    local cfg = assert(load_config(ENV, { only = { "sonarr-4k" } }))
    t.eq(cfg.order, { "sonarr-4k" })
    t.eq(cfg.excluded.sonarr.application_name, "Sonarr")
    t.eq(cfg.excluded.prowlarr.type, "prowlarr")
    local _, problems = load_config(ENV, { only = { "sonarr-8k" } })
    t.ok(has(problems, 'unknown instance "sonarr-8k" (instances: sonarr-4k, '), table.concat(problems, "\n"))
  end)

  t.it("a config that works today works the same: type-named apps, no type key needed", function()
    local env = { SONARR_URL = S, PROWLARR_URL = P }
    local cfg = assert(load_config(env, { config = "tests/lua/scripts_fixtures/app_tags.lua" }))
    t.eq(cfg.order, { "sonarr", "prowlarr" })
    t.eq(cfg.instances.sonarr.type, "sonarr")
  end)
end)

-- A whole run against the in-memory apps, two Sonarr instances included.
local function stack()
  local fake = fakeapps.new()
  fake.add("sonarr", S, "sonarrkey")
  fake.add("sonarr", S4, "uhdkey")
  fake.add("radarr", R, "radarrkey")
  local p = fake.add("prowlarr", P, "prowlarrkey")
  p.colls.indexer = { { id = 1, name = "Tracker", enable = true, tags = {}, fields = {} } }
  return fake
end

local function run(fake, options, env)
  local host, r = fakeapps.install(fake, env or ENV, SECRETS)
  options = options or { command = "run" }
  host.dry_run = options.command == "plan"
  host.options = options
  return r.main(options)
end

local function value(e, name)
  for _, f in ipairs(e.fields) do
    if f.name == name then return f.value end
  end
end

local function by_base_url(apps)
  local out = {}
  for _, a in ipairs(apps) do out[value(a, "baseUrl")] = a end
  return out
end

t.describe("a run with two Sonarr instances", function()
  t.it("three applications with distinct baseUrls and keys; indexers in both Sonarrs; rerun writes nothing",
    function()
      local fake = stack()
      t.eq(run(fake), 0)
      local apps = fake.apps[P].colls.applications
      t.eq(#apps, 3)
      local by = by_base_url(apps)
      t.eq(by[S].name, "Sonarr")
      t.eq(by[S4].name, "sonarr-4k")
      t.eq(by[S4].implementation, "Sonarr")
      t.eq(value(by[S4], "apiKey"), "uhdkey")
      t.eq(value(by[S], "apiKey"), "sonarrkey")
      t.eq(#fake.apps[S].colls.indexer, 1)
      t.eq(#fake.apps[S4].colls.indexer, 1)
      fake.clear_log()
      t.eq(run(fake), 0)
      t.eq(fake.writes(), 0)
    end)

  t.it("an application named like one instance but pointing at the other is not adopted twice", function()
    local fake = stack()
    fake.apps[P].colls.applications = { { id = 1, name = "Sonarr", implementation = "Sonarr",
      configContract = "SonarrSettings", syncLevel = "fullSync", tags = {},
      fields = { { name = "prowlarrUrl", value = P }, { name = "baseUrl", value = S4 },
        { name = "apiKey", value = "uhdkey" }, { name = "syncCategories", value = { 5000, 5040 } } } } }
    fake.apps[P].next_id = 2
    t.eq(run(fake), 0)
    local by = by_base_url(fake.apps[P].colls.applications)
    t.eq(#fake.apps[P].colls.applications, 3)
    t.eq(by[S].id, 1, "the name wins: \"Sonarr\" now points at the instance sonarr")
    t.eq(by[S4].name, "sonarr-4k", "a new one for the 4K instance")
  end)

  t.it("a hand-made application for the 4K baseUrl is adopted; naming it in the config renames it", function()
    local fake = stack()
    t.eq(run(fake), 0)
    local by = by_base_url(fake.apps[P].colls.applications)
    by[S4].name = "Sonarr UHD"
    fake.clear_log()
    t.eq(run(fake), 0)
    t.eq(#fake.apps[P].colls.applications, 3)
    t.eq(fake.writes(), 0)
    t.eq(#fake.grep('adopting the existing application "Sonarr UHD" for sonarr-4k'), 1)
    fake.clear_log()
    t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/instances.lua" }), 0)
    t.eq(#fake.apps[P].colls.applications, 3, "renamed, not duplicated")
    t.eq(by_base_url(fake.apps[P].colls.applications)[S4].name, "Sonarr 4K")
    t.eq(by_base_url(fake.apps[P].colls.applications)[S4].id, by[S4].id)
  end)

  t.it("--only sonarr-4k reads and writes that instance alone, leaving Prowlarr's applications", function()
    local fake = stack()
    t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/instances.lua", only = { "sonarr-4k" } }),
      0)
    for _, e in ipairs(fake.log) do
      t.ok(e.path == "/ping" or e.app == "sonarr", "request to " .. tostring(e.app))
    end
    t.eq(#fake.apps[S4].colls.downloadclient, 1)
    t.eq(#fake.apps[S].colls.downloadclient, 0)
    t.eq(#fake.apps[P].colls.applications, 0)
  end)
end)

-- Override modules: a patched type module that raises.
local function patch(name, src)
  package.preload[name] = function() return assert(load(src, "=" .. name .. ".lua", "t", _ENV))() end
end

local function unpatch(name)
  package.preload[name] = nil
end

t.describe("one instance's script error", function()
  t.after_each(function()
    for _, n in ipairs({ "radarr", "prowlarr", "sonarr" }) do unpatch(n) end
  end)

  t.it("a raise in Radarr's plan: the Sonarrs and Prowlarr still converge; exit 1 after writes", function()
    local fake = stack()
    local opts = { command = "run", config = "tests/lua/scripts_fixtures/instances.lua" }
    local host, r = fakeapps.install(fake, ENV, SECRETS)
    patch("radarr", [[
local mod = require("servarr").define{ name = "radarr", display = "Radarr", api = "v3" }
function mod.plan() error("patched radarr is broken") end
return mod]])
    host.options = opts
    t.eq(r.main(opts), 1)
    t.eq(fake.grep("script error"), {
      "ERROR radarr: script error in plan (the rest of radarr is skipped): radarr.lua:2: patched radarr is broken",
      "ERROR script error in: radarr" })
    t.eq(#fake.apps[S4].colls.downloadclient, 1, "the instances before it configured")
    t.eq(#fake.apps[P].colls.applications, 3, "Prowlarr, after Radarr, configured")
  end)

  t.it("a raise with nothing written is exit 2", function()
    local fake = stack()
    local host, r = fakeapps.install(fake, ENV, SECRETS)
    patch("prowlarr", [[
local mod = require("apptype").define{ name = "prowlarr", display = "Prowlarr", api = "v1", family = "prowlarr" }
function mod.plan(_, inst) inst.undeclared_field = true end
return mod]])
    host.options = { command = "run" }
    t.eq(r.main(host.options), 2)
    t.eq(fake.writes(), 0)
    local lines = fake.grep("script error")
    t.eq(#fake.grep('the instance record has no field "undeclared_field"'), 1, table.concat(lines, "\n"))
  end)

  t.it("a type module that raises while loading fails its instances only", function()
    local fake = stack()
    local host, r = fakeapps.install(fake, ENV, SECRETS)
    patch("sonarr", [[error("sonarr.lua does not load")]])
    host.options = { command = "run" }
    t.eq(r.main(host.options), 1, "Radarr's application was written")
    t.eq(#fake.grep("sonarr: script error loading sonarr.lua, sonarr skipped"), 1)
    t.eq(#fake.grep("sonarr-4k: script error loading sonarr.lua"), 1)
    t.eq(#fake.apps[P].colls.applications, 1)
    t.eq(fake.apps[P].colls.applications[1].implementation, "Radarr")
  end)
end)
