-- What Sonarr, Radarr, Lidarr and Readarr share: their resource kinds and
-- the plan/apply steps over them. Each app module passes its differences.
local host = require "host"
local log = require "host.log"
local reconcile = require "reconcile"
local rootfolders = require "rootfolders"
local tags = require "tags"
local util = require "util"

local M = {}

-- Indexers that Prowlarr's sync owns: never managed, never pruned here.
function M.prowlarr_managed(run, e)
  if type(e.name) == "string" and e.name:match(" %(Prowlarr%)$") then return true end
  local p = run.apps.prowlarr
  local url = reconcile.field_value(e, "baseUrl")
  if p and type(url) == "string" then
    local from_apps = util.strip_slash(p.cfg.url_from_apps or p.cfg.url):lower()
    return url:lower():sub(1, #from_apps) == from_apps
  end
  return false
end

M.KINDS = {
  download_clients = { key = "download_clients", label = "download client", path = "downloadclient",
    enable_props = { "enable" }, defaults = { enable = true } },
  indexers = { key = "indexers", label = "indexer", path = "indexer",
    enable_props = { "enableRss", "enableAutomaticSearch", "enableInteractiveSearch" },
    defaults = { enableRss = true, enableAutomaticSearch = true, enableInteractiveSearch = true } },
  notifications = { key = "notifications", label = "notification", path = "notification" },
  import_lists = { key = "import_lists", label = "import list", path = "importlist" },
  metadata = { key = "metadata", label = "metadata", path = "metadata", enable_props = { "enable" } },
}

-- Tags are read only when the app-level list or an item names some.
local function uses_tags(cfg, kinds, items)
  if cfg.tags and #cfg.tags > 0 then return true end
  for _, k in ipairs(kinds) do
    for _, item in ipairs(items and items[k] or cfg.lists[k] or {}) do
      if item.tags then return true end
    end
  end
  return false
end

-- Plans the app-level tag list and the provider kinds KINDS (config keys).
-- Returns false when a read failed (already reported).
function M.plan_kinds(run, app, kinds, kind_table, opts)
  opts = opts or {}
  app.plans = app.plans or {}
  local ok = true
  if uses_tags(app.cfg, kinds, opts.items) then
    local loaded, err = tags.load(app)
    if not loaded then
      run:read_failed(app, "tag", err)
      return false
    end
  end
  for _, key in ipairs(kinds) do
    local kind = kind_table[key]
    local items = opts.items and opts.items[key] or app.cfg.lists[key]
    if items or app.cfg.prune[key] then
      local kp, err = reconcile.plan(run, app, kind, items, { keep = opts.keep and opts.keep[key] })
      if kp then
        app.plans[#app.plans + 1] = kp
      else
        run:read_failed(app, kind.label, err)
        ok = false
      end
    end
  end
  return ok
end

-- Creates the app's tag list and the tags that changed items will carry,
-- so a plan lists them too.
function M.apply_tags(run, app)
  local labels, seen = {}, {}
  local function add(list)
    for _, l in ipairs(list or {}) do
      if not seen[l] then seen[l] = true; labels[#labels + 1] = l end
    end
  end
  add(app.cfg.tags)
  for _, kp in ipairs(app.plans or {}) do
    for _, a in ipairs(kp.actions) do
      if a.op == "create" or a.op == "update" then add(a.tag_labels) end
    end
  end
  local missing = tags.missing(app, labels)
  for _, label in ipairs(missing) do
    run.report:action(app.name, "tag", { name = label, op = "create", changes = {} })
    if host.dry_run then run.report:count(app.name, "tag", "created") end
  end
  if not host.dry_run and #missing > 0 then
    local ids, err = tags.ids(app, missing, run.report)
    if not ids then
      log.error("%s tags: %s", app.name, err)
      run.report:count(app.name, "tag", "failed")
    end
  end
end

function M.apply_kinds(run, app)
  for _, kp in ipairs(app.plans or {}) do reconcile.apply(run, app, kp) end
end

-- An app module for a Sonarr-like app. SPEC: name, display, api, kinds (config
-- keys in the order they are applied), root_folders (bool).
function M.define(spec)
  local mod = { name = spec.name, display = spec.display, api = spec.api, target = true,
    kinds = spec.kinds, prowlarr_implementation = spec.display }
  local kind_table = {}
  for _, k in ipairs(spec.kinds) do
    kind_table[k] = util.copy(M.KINDS[k])
  end
  if kind_table.indexers then
    kind_table.indexers.protect = function(_, e) return M.prowlarr_managed(mod.run, e) end
  end

  function mod.plan(run, app)
    mod.run = run
    if app.cfg.tags and #app.cfg.tags > 0 then
      local loaded, err = tags.load(app)
      if not loaded then
        run:read_failed(app, "tag", err)
        return
      end
    end
    if app.cfg.root_folders or app.cfg.prune.root_folders then
      local p, err = rootfolders.plan(app, app.cfg.root_folders)
      if p then app.rootfolder_plan = p else run:read_failed(app, "root folder", err) end
    end
    M.plan_kinds(run, app, spec.kinds, kind_table)
  end

  function mod.apply(run, app)
    M.apply_tags(run, app)
    if app.rootfolder_plan then rootfolders.apply(run, app, app.rootfolder_plan) end
    M.apply_kinds(run, app)
  end

  return mod
end

return M
