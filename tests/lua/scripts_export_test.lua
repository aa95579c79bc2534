-- export.lua and the engines' export functions against the in-memory fakes:
-- what a configured stack exports, read back as a config, secret names.
local t = require "host.test"
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"
local fakeapps = require "scripts_fakeapps"

local S, R, P = "http://sonarr.test", "http://radarr.test", "http://prowlarr.test"
local ENV = { SONARR_URL = S, RADARR_URL = R, PROWLARR_URL = P }
local SECRETS = { ["sonarr-api-key"] = "sonarrkey", ["radarr-api-key"] = "radarrkey",
  ["prowlarr-api-key"] = "prowlarrkey", ["qbittorrent-password"] = "qbit-pw", ["jackett-api-key"] = "jk" }

local function stack()
  local fake = fakeapps.new()
  fake.add("sonarr", S, "sonarrkey")
  fake.add("radarr", R, "radarrkey")
  local p = fake.add("prowlarr", P, "prowlarrkey")
  p.colls.indexer = { { id = 1, name = "Tracker", enable = true, tags = {}, fields = {} } }
  return fake
end

-- Runs COMMAND; returns the exit code and what it wrote to standard output.
local function run(fake, options)
  local host, r = fakeapps.install(fake, ENV, SECRETS)
  local out = {}
  host.write = function(s) out[#out + 1] = s end
  host.dry_run = options.command ~= "run"
  host.options = options
  return r.main(options), table.concat(out)
end

-- The exported TEXT as the config file loader reads it.
local function read_back(text)
  local env = { null = json.null, secret = function(n) return { secret = n } end,
    env = function(n) return { env = n } end }
  local chunk, err = load(text, "=exported", "t", env)
  t.ok(chunk, err)
  return chunk()
end

t.test("secret names: instance, item and field, lower-case, runs of other characters as one -", function()
  fakeapps.install(fakeapps.new(), {}, {})
  local export = require "export"
  t.eq(export.secret_name("sonarr", "qBittorrent", "password"), "sonarr-qbittorrent-password")
  t.eq(export.secret_name("sonarr-4k", "qBittorrent (4K) ", "seedCriteria.apiKey"),
    "sonarr-4k-qbittorrent-4k-seedcriteria-apikey")
  t.eq(export.secret_name("radarr", "--Ünï code--", "token"), "radarr-n-code-token")
end)

t.test("a configured stack exports what differs from the templates, read-only", function()
  local fake = stack()
  t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/full.lua" }), 0)
  fake.clear_log()
  local code, text = run(fake, { command = "export" })
  t.eq(code, 0, table.concat(fake.lines, "\n"))
  t.eq(fake.writes(), 0, "writes during export")
  t.match(text, "^%-%- starrhost export: the configuration of sonarr, radarr, prowlarr%.\n")
  t.match(text, "\n%-%-   sonarr%-qbittorrent%-password  +SONARR_QBITTORRENT_PASSWORD_FILE  +sonarr download "
    .. "client \"qBittorrent\", field password\n")
  t.match(text, "\n%-%-   sonarr%-mytorznab%-apikey  +SONARR_MYTORZNAB_APIKEY_FILE  +sonarr indexer \"MyTorznab\", "
    .. "field apiKey\n")
  t.ok(not text:find("qbit-pw", 1, true) and not text:find("sonarrkey", 1, true), "no secret value")
  local cfg = read_back(text)
  t.eq(cfg.sonarr.url, { env = "SONARR_URL" })
  t.eq(cfg.sonarr.api_key, { secret = "sonarr-api-key" })
  t.eq(cfg.sonarr.tags, { "tv" })
  t.eq(cfg.sonarr.root_folders, { "/tv" })
  t.eq(cfg.radarr.root_folders, { "/movies" })
  -- The template's port (8080) and useSsl are left out; the select is its value.
  t.eq(cfg.sonarr.download_clients, { { name = "qBittorrent", implementation = "QBittorrent",
    fields = { host = "qbittorrent", initialState = 2, password = { secret = "sonarr-qbittorrent-password" },
      tvCategory = "tv", username = "admin" },
    tags = { "tv" } } })
  -- Prowlarr's synced indexers are not Sonarr's to export.
  t.eq(#cfg.sonarr.indexers, 1)
  t.eq(cfg.sonarr.indexers[1].name, "MyTorznab")
  t.eq(cfg.sonarr.indexers[1].implementation, "Torznab", "the template's spelling")
  t.eq(cfg.sonarr.indexers[1].priority, 10)
  t.eq(cfg.prowlarr.applications, { radarr = { sync_level = "addOnly" }, sonarr = {} })
  t.eq(cfg.prowlarr.indexer_proxies[1].fields, { host = "http://flaresolverr:8191/" })
  -- The same stack, the same bytes.
  local _, again = run(fake, { command = "export" })
  t.eq(again, text)
end)

t.test("an instance without its Prowlarr application exports false, so a run does not add one", function()
  local fake = stack()
  t.eq(run(fake, { command = "run" }), 0)
  local apps = fake.apps[P].colls.applications
  for i = #apps, 1, -1 do
    if apps[i].implementation == "Radarr" then table.remove(apps, i) end
  end
  local code, text = run(fake, { command = "export" })
  t.eq(code, 0)
  t.eq(read_back(text).prowlarr.applications, { radarr = false, sonarr = {} })
end)

t.test("an application of an app the export does not know is named in a warning and left out", function()
  local fake = stack()
  t.eq(run(fake, { command = "run" }), 0)
  local code, text = run(fake, { command = "export", only = { "prowlarr" } })
  t.eq(code, 0)
  t.eq(read_back(text).prowlarr.applications, nil)
  t.match(table.concat(fake.lines, "\n"), 'prowlarr application "Sonarr" %(http://sonarr.test%) is not the '
    .. "application of an instance of this export")
end)

t.test("keyed items: the path alone as a string, other properties kept (Lidarr's root folders), computed ones not",
  function()
    local fake = stack()
    t.eq(run(fake, { command = "run", config = "tests/lua/scripts_fixtures/full.lua" }), 0)
    local folders = fake.apps[R].rootfolders
    folders[#folders + 1] = { id = 99, path = "/anime", name = "Anime", defaultQualityProfileId = 2,
      accessible = true, freeSpace = 1, unmappedFolders = json.array{} }
    local code, text = run(fake, { command = "export" })
    t.eq(code, 0)
    t.eq(read_back(text).radarr.root_folders,
      { { defaultQualityProfileId = 2, name = "Anime", path = "/anime" }, "/movies" })
  end)

t.test("an item's secret never takes the name of the instance's key; same names get -2", function()
  fakeapps.install(fakeapps.new(), {}, {})
  local ex = setmetatable({ secrets = { ["sonarr-api-key"] = "sonarr API key" } }, require("export").Exporter)
  local w = require "luawriter"
  t.eq(w.render(ex:secret("sonarr", "api", "key", "indexer")), 'secret("sonarr-api-key-2")')
  t.eq(w.render(ex:secret("sonarr", "api", "key", "indexer")), 'secret("sonarr-api-key-2")', "the same field again")
  t.eq(w.render(ex:secret("sonarr", "API", "key", "indexer")), 'secret("sonarr-api-key-3")')
end)

t.test("a type module without export (an old override) is exit 2 naming it; nothing printed", function()
  local fake = stack()
  local host, r = fakeapps.install(fake, ENV, SECRETS)
  local out = {}
  host.write = function(s) out[#out + 1] = s end
  host.dry_run = true
  host.options = { command = "export" }
  require("radarr").export = nil
  t.eq(r.main({ command = "export" }), 2)
  t.eq(out, {})
  t.match(table.concat(fake.lines, "\n"), "radarr: radarr.lua has no export function")
end)
