-- config.lua: environment defaults, the config file, and validation.
local t = require "host.test"
-- The scripts and the test helpers come from the module path.
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end

local function load(env, secrets, options, xml)
  local real = require "host"
  package.loaded["host"] = { env = function(n) return env[n] end, loadfile = real.loadfile,
    options = {}, dry_run = false }
  package.loaded["host.secret"] = {
    get = function(name)
      if secrets[name] then return secrets[name] end
      return nil, "secret " .. name .. " not found"
    end,
    from_config_xml = function(path)
      if xml and xml[path] then return xml[path] end
      return nil, "cannot read " .. path
    end,
  }
  package.loaded["config"] = nil
  package.loaded["util"] = nil
  local config = require "config"
  package.loaded["host"] = real
  return config.load(options or {})
end

local function has(problems, pattern)
  for _, p in ipairs(problems or {}) do
    if p:find(pattern, 1, true) then return true end
  end
  return false
end

t.test("the environment alone enables apps, with keys and cross URLs", function()
  local cfg = load({ SONARR_URL = "http://sonarr:8989", PROWLARR_URL = "http://prowlarr:9696",
    SONARR_URL_FROM_PROWLARR = "http://sonarr.media:8989", RADARR_URL = "" },
    { ["sonarr-api-key"] = "k1", ["prowlarr-api-key"] = "k2" })
  t.eq(cfg.order, { "sonarr", "prowlarr" })
  t.eq(cfg.instances.sonarr.api_key, "k1")
  t.eq(cfg.instances.sonarr.type, "sonarr")
  t.eq(cfg.instances.sonarr.application_name, "Sonarr")
  t.eq(cfg.instances.sonarr.url_from_prowlarr, "http://sonarr.media:8989")
  t.eq(cfg.instances.prowlarr.url_from_apps, "http://prowlarr:9696")
  t.eq(cfg.wait.timeout, 300)
  t.eq(cfg.instances.sonarr.prune, {})
end)

t.test("the key can come from the app's config.xml", function()
  local cfg = load({ RADARR_URL = "http://radarr:7878", RADARR_CONFIG_XML = "/config/config.xml" }, {}, nil,
    { ["/config/config.xml"] = "fromxml" })
  t.eq(cfg.instances.radarr.api_key, "fromxml")
end)

t.test("a missing key and a bad URL are reported together", function()
  local cfg, problems = load({ SONARR_URL = "sonarr:8989" }, {})
  t.eq(cfg, nil)
  t.ok(has(problems, "sonarr.url: SONARR_URL: expected an http(s):// URL"), table.concat(problems, "\n"))
  t.ok(has(problems, "sonarr.api_key: no API key"), table.concat(problems, "\n"))
end)

t.test("--timeout overrides the wait deadline; --only narrows the apps", function()
  local env = { SONARR_URL = "http://s:1", RADARR_URL = "http://r:1" }
  local keys = { ["sonarr-api-key"] = "a", ["radarr-api-key"] = "b" }
  local cfg = load(env, keys, { timeout = 5, only = { "radarr" } })
  t.eq(cfg.order, { "radarr" })
  t.eq(cfg.excluded, { sonarr = { name = "sonarr", type = "sonarr", application_name = "Sonarr" } })
  t.eq(cfg.wait.timeout, 5)
  local _, problems = load(env, keys, { only = { "sonar" } })
  t.ok(has(problems, 'unknown instance "sonar" (instances: sonarr'), table.concat(problems, "\n"))
end)

t.test("nothing enabled is a problem", function()
  local _, problems = load({}, {})
  t.ok(has(problems, "no instance enabled"))
end)

t.test("a config file: env fills the gaps, false disables, names stay unique", function()
  local env = { SONARR_URL = "http://s:1", RADARR_URL = "http://r:1", PROWLARR_URL = "http://p:1" }
  local keys = { ["sonarr-api-key"] = "a", ["radarr-api-key"] = "b", ["prowlarr-api-key"] = "c",
    ["qbittorrent-password"] = "pw", ["jackett-api-key"] = "j" }
  local cfg = load(env, keys, { config = "tests/lua/scripts_fixtures/full.lua" })
  t.ok(cfg, "loads")
  t.eq(cfg.wait.timeout, 5)
  t.eq(cfg.order, { "sonarr", "radarr", "prowlarr" })
  t.eq(cfg.instances.sonarr.items.download_clients[1].fields.password, "pw")
  t.eq(cfg.instances.sonarr.items.root_folders, { { path = "/tv" } })
  t.eq(cfg.instances.prowlarr.items.applications.radarr.sync_level, "addOnly")
  local _, problems = load(env, keys, { config = "tests/lua/scripts_fixtures/app_names.lua" })
  t.ok(has(problems, 'radarr.name: "media" is also the application of sonarr'), table.concat(problems or {}, "\n"))
  t.ok(has(problems, "lidarr.url: missing"), table.concat(problems or {}, "\n"))
end)
