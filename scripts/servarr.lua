-- What Sonarr, Radarr, Lidarr and Readarr share: the "servarr" family of
-- kinds (kinds.lua) and the indexers Prowlarr's sync owns, which are never
-- managed or pruned here. Each type module passes its name, display and API.
local apptype = require "apptype"
local reconcile = require "reconcile"
local util = require "util"

local M = {}

-- Whether existing indexer E belongs to Prowlarr's sync: its name, or its
-- URL pointing at the run's Prowlarr.
function M.prowlarr_managed(run, e)
  if type(e.name) == "string" and e.name:match(" %(Prowlarr%)$") then return true end
  local p = run.prowlarr
  local url = reconcile.field_value(e, "baseUrl")
  if p and type(url) == "string" then
    local from_apps = util.strip_slash(p.cfg.url_from_apps or p.cfg.url):lower()
    return url:lower():sub(1, #from_apps) == from_apps
  end
  return false
end

-- Protections named by kind descriptors (kinds.lua `protect`).
local PROTECT = { prowlarr_synced = M.prowlarr_managed }

-- The guards of INST's kinds: key -> function(e), true for items left alone.
local function protect(run, inst)
  local out = {}
  for _, kind in ipairs(inst.mod.kinds) do
    local f = kind.protect and PROTECT[kind.protect]
    if f then out[kind.key] = function(e) return f(run, e) end end
  end
  return out
end

-- A type module of the family. SPEC: name, display, api, and optionally
-- kinds (the config keys of the kinds to manage; default: all the family's).
function M.define(spec)
  return apptype.define{
    name = spec.name, display = spec.display, api = spec.api, family = "servarr", kinds = spec.kinds,
    plan_opts = function(run, inst) return { protect = protect(run, inst) } end,
    protect = protect,
  }
end

return M
