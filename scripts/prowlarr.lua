-- Prowlarr (API v1): its kinds (kinds.lua, family "prowlarr") and one
-- application per Sonarr/Radarr/Lidarr/Readarr instance of the run; then
-- makes sure the instances received Prowlarr's indexers (sync.lua).
local log = require "host.log"
local apptype = require "apptype"
local reconcile = require "reconcile"
local sync = require "sync"
local util = require "util"
local validate = require "validate"

local M = {}

local function base_url(e)
  local url = reconcile.field_value(e, "baseUrl")
  return type(url) == "string" and util.strip_slash(url):lower() or nil
end

-- Which existing application each wanted one is: by name first, then, for
-- those without, an application of the same implementation for the same
-- baseUrl made by hand (adopted: a second one would make Prowlarr sync
-- every indexer twice). No existing application serves two instances.
local function match_existing(existing, wanted)
  local claimed = {}
  for _, w in ipairs(wanted) do
    local e = reconcile.find_by_name(existing, w.name)
    if e then w.existing, claimed[e] = e, true end
  end
  for _, w in ipairs(wanted) do
    if not w.existing then
      local want = util.strip_slash(w.base_url):lower()
      for _, e in ipairs(existing) do
        if not claimed[e] and e.implementation == w.implementation and base_url(e) == want then
          w.existing, claimed[e] = e, true
          if w.explicit then
            log.info("adopting the existing application %q for %s as %q", e.name, w.target.name, w.name)
          else
            log.info("adopting the existing application %q for %s", e.name, w.target.name)
            w.name = e.name
          end
          break
        end
      end
    end
  end
end

-- The desired application items, and the names of applications to leave
-- alone because their instance is not part of this run or is not ready.
function M.application_items(run, inst)
  local items, keep = {}, {}
  local opts_all = inst.cfg.items.applications or {}
  local existing = util.list(reconcile.collection(inst, "applications"))
  local wanted = {}
  for _, target in ipairs(run.targets) do
    local opts = opts_all[target.name]
    if opts ~= false then
      opts = opts or {}
      wanted[#wanted + 1] = { target = target, opts = opts, implementation = target.mod.display,
        name = opts.name or target.cfg.application_name, explicit = opts.name ~= nil,
        base_url = target.cfg.url_from_prowlarr }
    end
  end
  match_existing(existing, wanted)
  for _, w in ipairs(wanted) do
    local target, opts = w.target, w.opts
    if not target.ready then
      keep[w.existing and w.existing.name or w.name] = true
      log.warn("prowlarr application %q skipped: %s is not ready (%s)", w.name, target.name,
        target.down_reason or "unknown")
      run.report:count(inst.name, "application", "skipped")
    else
      local fields = {
        prowlarrUrl = inst.cfg.url_from_apps,
        baseUrl = target.cfg.url_from_prowlarr,
        apiKey = target.cfg.api_key,
      }
      for k, v in pairs(opts.fields or {}) do fields[k] = v end
      items[#items + 1] = {
        name = w.name, implementation = w.implementation, syncLevel = opts.sync_level or opts.syncLevel,
        tags = opts.tags, fields = fields, force_save = opts.force_save, target = target.name,
        match = w.existing and w.existing.name or nil,
      }
    end
  end
  for _, skipped in pairs(run.skipped_targets) do
    local opts = opts_all[skipped.name]
    keep[(type(opts) == "table" and opts.name) or skipped.application_name] = true
  end
  return items, keep
end

local SYNC_LEVELS = { disabled = 1, addonly = 1, fullsync = 1 }

-- prowlarr.applications: instance name = {} or false. TARGETS: the declared
-- Sonarr/Radarr/... instances, enabled or not: name -> { application_name,
-- enabled, rank }.
local function check_applications(v, path, _, problems, ctx)
  local targets = ctx.targets
  if v == nil then return {} end
  if type(v) ~= "table" then
    problems:add(path, "expected a table: instance name = {} or false")
    return {}
  end
  local allowed = {}
  for name in pairs(targets) do allowed[name] = true end
  validate.check_keys(v, allowed, path, problems)
  -- Application names are unique in Prowlarr: two instances must not share one.
  local names = {}
  local order = util.sorted_keys(targets)
  table.sort(order, function(a, b) return targets[a].rank < targets[b].rank end)
  for _, name in ipairs(order) do
    local a = v[name]
    local app_name = (type(a) == "table" and type(a.name) == "string") and a.name
      or targets[name].application_name
    if a ~= false and targets[name].enabled then
      if names[app_name:lower()] then
        problems:add(path .. "." .. name .. ".name", "%q is also the application of %s", app_name,
          names[app_name:lower()])
      end
      names[app_name:lower()] = name
    end
  end
  local out = {}
  for name, a in pairs(v) do
    local p = path .. "." .. tostring(name)
    if a == false then
      out[name] = false
    elseif type(a) ~= "table" then
      problems:add(p, "expected a table or false")
    else
      validate.check_secret_values(a, p, problems)
      local c = util.copy(a)
      c.tags = validate.check_tags(a.tags, p .. ".tags", problems)
      if a.name ~= nil and (type(a.name) ~= "string" or a.name == "") then
        problems:add(p .. ".name", "expected a non-empty string")
      end
      if a.fields ~= nil and type(a.fields) ~= "table" then
        problems:add(p .. ".fields", "expected a table")
      end
      local level = a.sync_level or a.syncLevel
      if level ~= nil and not (type(level) == "string" and SYNC_LEVELS[level:lower()]) then
        problems:add(p .. ".sync_level", "expected \"fullSync\", \"addOnly\" or \"disabled\", got %s",
          tostring(level))
      end
      out[name] = c
    end
  end
  return out
end

-- Export of the applications: one per instance whose URL (as Prowlarr
-- reaches it) is an application's baseUrl, as applications.<instance>
-- with what differs from the run's own application (its URL and key come
-- from the instance); false for an instance without one, so a run of the
-- exported file does not add it. Applications of apps the run does not
-- know cannot be said in a config: they are named in a warning.
local RUN_FIELDS = { baseUrl = true, apiKey = true }

local function export_applications(run, inst, kind, ex)
  local list, err = reconcile.collection(inst, kind.path)
  if not list then return nil, err end
  local schema, serr = reconcile.schema(inst, kind.path)
  if not schema then return nil, serr end
  local by_url = {}
  for _, target in ipairs(run.targets) do
    by_url[util.strip_slash(target.cfg.url_from_prowlarr):lower()] = target
  end
  local sorted = {}
  for _, e in ipairs(util.list(list)) do
    if type(e) == "table" and type(e.name) == "string" then sorted[#sorted + 1] = e end
  end
  table.sort(sorted, function(a, b) return a.name:lower() < b.name:lower() end)
  local out = {}
  for _, e in ipairs(sorted) do
    local target = by_url[base_url(e) or ""]
    if target and out[target.name] == nil and e.implementation == target.mod.display then
      local item, why = reconcile.export_item(inst, kind, e, schema, ex)
      if not item then
        log.warn("prowlarr application %q: %s; its fields are not exported", e.name, why)
        item = { { "name", e.name } }
      end
      local opts = {}
      for _, p in ipairs(item) do
        local k, v = p[1], p[2]
        if k == "name" then
          if v ~= target.cfg.application_name then opts[#opts + 1] = { "name", v } end
        elseif k == "syncLevel" then
          opts[#opts + 1] = { "sync_level", v }
        elseif k == "fields" then
          local fields = {}
          for fname, fv in pairs(v) do
            local same_url = fname == "prowlarrUrl" and type(fv) == "string"
              and util.strip_slash(fv):lower() == util.strip_slash(inst.cfg.url_from_apps):lower()
            if not RUN_FIELDS[fname] and not same_url then fields[fname] = fv end
          end
          if next(fields) then opts[#opts + 1] = { "fields", fields } end
        elseif k == "tags" then
          opts[#opts + 1] = { "tags", v }
        elseif k ~= "implementation" then
          log.warn("prowlarr application %q: %s = %s cannot be set in the config; not exported", e.name, k,
            tostring(v))
        end
      end
      out[target.name] = ex:ordered(opts)
    else
      log.warn("prowlarr application %q (%s) is not the application of an instance of this export: left "
        .. "out (declare its instance to export it)", e.name, util.mask_userinfo(tostring(base_url(e))))
    end
  end
  for _, target in ipairs(run.targets) do
    if out[target.name] == nil then out[target.name] = false end
  end
  if next(out) == nil then return nil end
  return out
end

local mod = apptype.define{
  name = "prowlarr", display = "Prowlarr", api = "v1", family = "prowlarr",
  plan_opts = function(run, inst)
    local items, keep = M.application_items(run, inst)
    return { items = { applications = items }, keep = { applications = keep } }
  end,
  after_plan = function(run, inst, opts) sync.prepare(run, inst, opts.items.applications) end,
  export = { applications = export_applications },
  after_apply = function(run, inst)
    for _, kp in ipairs(inst.plans) do
      if kp.kind.key == "applications" then sync.verify(run, inst, kp) end
    end
  end,
}
mod.application_items = M.application_items
-- The config check of the applications kind: per instance, not a list.
mod.check = { applications = check_applications }
return mod
