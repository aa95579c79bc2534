-- Prowlarr (API v1): indexer proxies, download clients, notifications,
-- indexers, and one application per enabled Sonarr/Radarr/Lidarr/Readarr;
-- then makes sure the apps received Prowlarr's indexers (sync.lua).
local log = require "host.log"
local feedcheck = require "feedcheck"
local reconcile = require "reconcile"
local servarr = require "servarr"
local sync = require "sync"
local util = require "util"

local KINDS = {
  indexer_proxies = { key = "indexer_proxies", label = "indexer proxy", path = "indexerproxy" },
  download_clients = { key = "download_clients", label = "download client", path = "downloadclient",
    enable_props = { "enable" }, defaults = { enable = true } },
  notifications = { key = "notifications", label = "notification", path = "notification" },
  indexers = { key = "indexers", label = "indexer", path = "indexer", enable_props = { "enable" },
    defaults = { enable = true } },
  -- Omitting syncLevel stores a disabled application: it is always sent.
  -- sync.lua reads the saved applications (keep_results).
  applications = { key = "applications", label = "application", path = "applications", keep_results = true,
    enable_props = { "syncLevel" },
    enable_value = function(on) return on and "fullSync" or "disabled" end,
    defaults = { syncLevel = "fullSync" },
    enums = { syncLevel = { disabled = 0, addonly = 1, fullsync = 2 } },
    -- A test failing with "cannot connect to Prowlarr": the target is asked why.
    explain = feedcheck.explain },
}
local ORDER = { "indexer_proxies", "download_clients", "notifications", "indexers", "applications" }

local mod = { name = "prowlarr", display = "Prowlarr", api = "v1", target = false, kinds = ORDER }

-- An application made by hand under another name for the same app is
-- adopted (a second one would make Prowlarr sync every indexer twice).
local function adopted_name(existing, display, base_url)
  if reconcile.find_by_name(existing, display) then return display end
  local want = util.strip_slash(base_url):lower()
  for _, a in ipairs(existing) do
    local url = reconcile.field_value(a, "baseUrl")
    if a.implementation == display and type(url) == "string" and util.strip_slash(url):lower() == want then
      log.info("adopting the existing application %q for %s", a.name, display)
      return a.name
    end
  end
  return display
end

-- The desired application items, and the names of applications to leave
-- alone because their app is not part of this run or is not ready.
local function application_items(run, app)
  local items, keep = {}, {}
  local opts_all = app.cfg.applications or {}
  local existing = reconcile.collection(app, "applications") or {}
  for _, name in ipairs(run.targets) do
    local target = run.apps[name]
    local opts = opts_all[name]
    if opts == nil then opts = {} end
    local display = target.mod.prowlarr_implementation
    if opts ~= false then
      local item_name = opts.name or adopted_name(existing, display, target.cfg.url_from_prowlarr)
      if not target.ready then
        keep[item_name] = true
        log.warn("prowlarr application %q skipped: %s is not ready (%s)", item_name, name,
          target.down_reason or "unknown")
        run.report:count("prowlarr", "application", "skipped")
      else
        local fields = {
          prowlarrUrl = app.cfg.url_from_apps,
          baseUrl = target.cfg.url_from_prowlarr,
          apiKey = target.cfg.api_key,
        }
        for k, v in pairs(opts.fields or {}) do fields[k] = v end
        items[#items + 1] = {
          name = item_name, implementation = display, syncLevel = opts.sync_level or opts.syncLevel,
          tags = opts.tags, fields = fields, force_save = opts.force_save, target = name,
        }
      end
    end
  end
  for name in pairs(run.skipped_targets or {}) do
    local opts = opts_all[name]
    keep[(type(opts) == "table" and opts.name) or (name:sub(1, 1):upper() .. name:sub(2))] = true
  end
  return items, keep
end

function mod.plan(run, app)
  local items, keep = application_items(run, app)
  local ok = servarr.plan_kinds(run, app, ORDER, KINDS, {
    items = { applications = items },
    keep = { applications = keep },
  })
  if ok then sync.prepare(run, app, items) end
end

function mod.apply(run, app)
  servarr.apply_tags(run, app)
  servarr.apply_kinds(run, app)
  for _, kp in ipairs(app.plans or {}) do
    if kp.kind.key == "applications" then sync.verify(run, app, kp) end
  end
end

mod.KINDS = KINDS
return mod
