-- The resource kinds of the apps, described once as data (DESIGN section 10).
-- Config validation (config.lua), planning and applying (apptype.lua) all
-- read these descriptors; a type lists its kinds through `on`.
--
-- A descriptor:
--   key      config key (and prune key) of the kind
--   label    singular, for logs, plans and the summary
--   path     API collection path
--   engine   "provider": a collection with /schema, identity name (reconcile.lua)
--            "keyed": a collection without schema, identity = the fields of
--            `identity` (keyedset.lua)
--            "delay": delay profiles, identity the tag set, kept in order
--            (delayprofiles.lua)
--            "singleton": the /config/<section> resources of `sections`,
--            `restart` (type -> properties that need a restart), `enums`
--            (singleton.lua)
--   on       the types or type families (apptype.lua `family`) that have it
-- Provider options (reconcile.lua): enable_props, enable_value, defaults,
-- enums, output (properties the app computes, never exported), keep_results,
-- example (an implementation name for error messages),
-- by_definition (items may give `definition`), default_profile (a lookup of
-- profiles.lua whose first profile a new item gets when the template has 0),
-- protect (a guard servarr.lua names: existing items never managed),
-- explain (a module whose explain(run, inst, action) tells a passing failure
-- of the app's test from a lasting one when the app gives no reason).
-- Keyed options (keyedset.lua): identity, fields (validator per field:
-- "absolute_path", "string"), shorthand (a string item means
-- { <shorthand> = s }), updatable, props (the properties an item may give,
-- snake_case; others are config errors; default: any), output (properties
-- the app computes, never exported; ARR-API.md 7.6).
-- The engine checks the config of its kinds too (engine.check); a type may
-- check a kind its own way (prowlarr.lua: applications, one per instance).
--
-- Adding a kind is one entry here. Adding an engine (singletons, lookups of
-- a profile id by name) is one entry in ENGINES plus its module with plan,
-- apply, check and export (export.lua: the config that reproduces what the
-- app holds; the same engine function serves every kind it runs).
local M = {}

local SERVARR, PROWLARR = "servarr", "prowlarr"

-- In the order they are planned and applied within an instance: root folders
-- and download clients before the indexers that may name them; Prowlarr's
-- applications last (saving them starts the indexer sync).
M.LIST = {
  { key = "root_folders", label = "root folder", path = "rootfolder", engine = "keyed", on = { SERVARR },
    identity = { "path" }, fields = { path = "absolute_path" }, shorthand = "path",
    -- The apps have no update of a root folder: delete and create instead.
    updatable = false, output = { "accessible", "freeSpace", "unmappedFolders" } },
  -- Where the download client's paths are seen here (DESIGN section 10).
  { key = "remote_path_mappings", label = "remote path mapping", path = "remotepathmapping", engine = "keyed",
    on = { SERVARR }, identity = { "host", "remote_path" },
    fields = { host = "string", remote_path = "string", local_path = "absolute_path" },
    props = { "host", "remote_path", "local_path" } },
  -- Identity: the tag set; the profile without tags is updated only (delayprofiles.lua).
  { key = "delay_profiles", label = "delay profile", path = "delayprofile", engine = "delay",
    on = { SERVARR } },
  { key = "indexer_proxies", label = "indexer proxy", path = "indexerproxy", engine = "provider",
    on = { PROWLARR }, example = "FlareSolverr" },
  { key = "download_clients", label = "download client", path = "downloadclient", engine = "provider",
    on = { SERVARR, PROWLARR }, enable_props = { "enable" }, defaults = { enable = true } },
  { key = "indexers", label = "indexer", path = "indexer", engine = "provider", on = { SERVARR },
    enable_props = { "enableRss", "enableAutomaticSearch", "enableInteractiveSearch" },
    defaults = { enableRss = true, enableAutomaticSearch = true, enableInteractiveSearch = true },
    example = "Torznab",
    -- Indexers that Prowlarr's sync owns are never managed or pruned here.
    protect = "prowlarr_synced" },
  { key = "notifications", label = "notification", path = "notification", engine = "provider",
    on = { SERVARR, PROWLARR }, example = "Webhook" },
  { key = "indexers", label = "indexer", path = "indexer", engine = "provider", on = { PROWLARR },
    enable_props = { "enable" }, defaults = { enable = true }, example = "Torznab",
    -- { definition = "1337x" } picks the template of that definitionName.
    by_definition = true,
    -- The template's appProfileId 0 is refused: a new indexer gets the first app profile.
    default_profile = "appProfile" },
  { key = "import_lists", label = "import list", path = "importlist", engine = "provider", on = { SERVARR } },
  { key = "metadata", label = "metadata", path = "metadata", engine = "provider", on = { SERVARR },
    enable_props = { "enable" } },
  -- Omitting syncLevel stores a disabled application: it is always sent.
  -- sync.lua reads the saved applications (keep_results).
  { key = "applications", label = "application", path = "applications", engine = "provider",
    on = { PROWLARR }, keep_results = true, enable_props = { "syncLevel" },
    enable_value = function(on) return on and "fullSync" or "disabled" end,
    defaults = { syncLevel = "fullSync" },
    -- enable follows syncLevel (ARR-API.md 6.1).
    output = { "enable" },
    enums = { syncLevel = { disabled = 0, addonly = 1, fullsync = 2 } },
    -- A test failing with "cannot connect to Prowlarr": the target is asked why.
    explain = "feedcheck" },
}

-- The settings singletons (/config/<name>, DESIGN section 10).
local SERVARR_SECTIONS = {
  { key = "host", path = "config/host" }, { key = "naming", path = "config/naming" },
  { key = "media_management", path = "config/mediamanagement" },
  { key = "download_client", path = "config/downloadclient" }, { key = "indexer", path = "config/indexer" },
  { key = "ui", path = "config/ui" },
}
local PROWLARR_SECTIONS = {
  { key = "host", path = "config/host" }, { key = "ui", path = "config/ui" },
  { key = "development", path = "config/development" },
}
-- Host properties the app applies only after a restart: each UI's
-- requiresRestartKeys (frontend/src/Settings/General/GeneralSettings.js),
-- and authenticationMethod, which AuthenticationService reads once, at start.
local RESTART_COMMON = { "bindAddress", "port", "urlBase", "enableSsl", "sslPort", "sslCertPassword",
  "authenticationMethod" }
local function restart(...)
  local out = { table.unpack(RESTART_COMMON) }
  for _, p in ipairs({ ... }) do out[#out + 1] = p end
  return out
end
-- Enum properties of the config resources: the apps answer their names and
-- take any case (NzbDrone.Core Authentication/, Update/, Http/Proxy, ...).
local SETTINGS_ENUMS = {}
for _, p in ipairs({ "authenticationMethod", "authenticationRequired", "updateMechanism", "proxyType",
  "certificateValidation", "downloadPropersAndRepacks", "rescanAfterRefresh", "episodeTitleRequired",
  "fileDate", "colonReplacementFormat" }) do SETTINGS_ENUMS[p] = true end

-- Settings first: the items after them are saved under the settings they need.
for i, family in ipairs({ SERVARR, PROWLARR }) do
  table.insert(M.LIST, i, { key = "settings", label = "settings", path = "config", engine = "singleton",
    on = { family }, sections = family == SERVARR and SERVARR_SECTIONS or PROWLARR_SECTIONS,
    enums = SETTINGS_ENUMS,
    restart = { sonarr = restart("instanceName", "sslCertHash"),
      radarr = restart("instanceName", "sslCertPath"), lidarr = restart("sslCertPath"),
      readarr = restart("sslCertPath"), prowlarr = restart("sslCertPath") } })
end

-- Engine name -> module implementing plan(run, inst, kind, items, opts),
-- apply(run, inst, kind_plan), check(value, path, kind, problems, ctx) and
-- export(run, inst, kind, ex, opts) -> config value or nil (none), or nil, err;
-- `prunable = false` when it has nothing to delete (no prune key).
M.ENGINES = { provider = "reconcile", keyed = "keyedset", singleton = "singleton", delay = "delayprofiles" }

local function has(kind, mod)
  for _, o in ipairs(kind.on) do
    if o == mod.name or o == mod.family then return true end
  end
  return false
end

-- The kinds of type module MOD ({ name, family }), in apply order.
function M.for_type(mod)
  local out = {}
  for _, kind in ipairs(M.LIST) do
    if has(kind, mod) then out[#out + 1] = kind end
  end
  return out
end

function M.engine(kind)
  local name = M.ENGINES[kind.engine]
  if not name then error(string.format("kind %s: unknown engine %q", kind.key, tostring(kind.engine)), 2) end
  return require(name)
end

return M
