-- An instance type built from its spec: its kinds (kinds.lua, by name and
-- family), and plan/apply over them with the engine each kind names. The
-- app-level tag list and the tags that items carry are created before the
-- items. servarr.lua and prowlarr.lua specialise this; sonarr.lua is a spec.
local host = require "host"
local log = require "host.log"
local kinds = require "kinds"
local tags = require "tags"
local util = require "util"

local M = {}

-- Tags are read only when the app-level list or an item names some.
local function uses_tags(inst, items_of)
  if inst.cfg.tags and #inst.cfg.tags > 0 then return true end
  for _, kind in ipairs(inst.mod.kinds) do
    for _, item in ipairs(util.list(items_of(kind))) do
      if type(item) == "table" and item.tags then return true end
    end
  end
  return false
end

-- Plans every kind of INST. OPTS.items[key] replaces the configured items
-- of a kind, OPTS.keep[key] names items never pruned, OPTS.protect[key](e)
-- is true for existing items the engine must leave alone. Returns false when
-- a read failed (already reported).
function M.plan_kinds(run, inst, opts)
  opts = opts or {}
  local function items_of(kind)
    if opts.items and opts.items[kind.key] ~= nil then return opts.items[kind.key] end
    return inst.cfg.items[kind.key]
  end
  if uses_tags(inst, items_of) then
    local loaded, err = tags.load(inst)
    if not loaded then
      run:read_failed(inst, "tag", err)
      return false
    end
  end
  local ok = true
  for _, kind in ipairs(inst.mod.kinds) do
    local items = items_of(kind)
    if items or inst.cfg.prune[kind.key] then
      local engine = kinds.engine(kind)
      local kp, err = engine.plan(run, inst, kind, items, {
        keep = opts.keep and opts.keep[kind.key],
        protect = opts.protect and opts.protect[kind.key],
      })
      if kp then
        kp.engine = engine
        inst.plans[#inst.plans + 1] = kp
      else
        run:read_failed(inst, kind.label, err)
        ok = false
      end
    end
  end
  return ok
end

-- Creates the instance's tag list and the tags that changed items will
-- carry, so a plan lists them too.
function M.apply_tags(run, inst)
  local labels, seen = {}, {}
  local function add(list)
    for _, l in ipairs(list or {}) do
      if not seen[l] then seen[l] = true; labels[#labels + 1] = l end
    end
  end
  add(inst.cfg.tags)
  for _, kp in ipairs(inst.plans) do
    for _, a in ipairs(kp.actions) do
      if a.op == "create" or a.op == "update" then add(a.tag_labels) end
    end
  end
  local missing = tags.missing(inst, labels)
  for _, label in ipairs(missing) do
    run.report:action(inst.name, "tag", { name = label, op = "create", changes = {} })
    if host.dry_run then run.report:count(inst.name, "tag", "created") end
  end
  if not host.dry_run and #missing > 0 then
    local ids, err = tags.ids(inst, missing, run.report)
    if not ids then
      log.error("%s tags: %s", inst.name, err)
      run.report:count(inst.name, "tag", "failed")
    end
  end
end

function M.apply_kinds(run, inst)
  for _, kp in ipairs(inst.plans) do kp.engine.apply(run, inst, kp) end
end

-- A type module. SPEC: name, display (also the Prowlarr application
-- implementation), api ("v3"), family ("servarr" or "prowlarr": which kinds
-- it has), optionally kinds (config keys: manage only these of the type's
-- kinds; the config may still name the others, which are then left alone),
-- plan_opts(run, inst) -> opts for plan_kinds, after_plan(run, inst, opts)
-- and after_apply(run, inst); protect(run, inst) -> { [key] = function(e) }
-- (existing items a kind's engine leaves alone, in plans and exports) and
-- export = { [key] = function(run, inst, kind, ex, opts) } (a kind exported
-- the type's own way, as prowlarr.lua's applications).
function M.define(spec)
  local mod = { name = spec.name, display = spec.display, api = spec.api, family = spec.family,
    target = spec.family ~= "prowlarr" }
  -- known_kinds: what the config may name; kinds: what is managed.
  mod.known_kinds = kinds.for_type(mod)
  mod.kinds = mod.known_kinds
  if spec.kinds then
    local want, known = {}, {}
    for _, key in ipairs(spec.kinds) do want[key] = true end
    mod.kinds = {}
    for _, kind in ipairs(mod.known_kinds) do
      known[kind.key] = true
      if want[kind.key] then mod.kinds[#mod.kinds + 1] = kind end
    end
    for _, key in ipairs(spec.kinds) do
      if not known[key] then
        error(string.format("%s.lua: kinds: %q is not a kind of %s (kinds: %s)", spec.name, key, spec.name,
          table.concat(util.sorted_keys(known), ", ")), 3)
      end
    end
  end

  function mod.plan(run, inst)
    for _, kind in ipairs(mod.known_kinds) do
      if inst.cfg.items[kind.key] ~= nil and not util.contains(mod.kinds, kind) then
        log.warn("%s: %s are configured, but %s.lua does not manage them: left alone", inst.name,
          kind.key, mod.name)
      end
    end
    local opts = spec.plan_opts and spec.plan_opts(run, inst) or nil
    local ok = M.plan_kinds(run, inst, opts)
    if ok and spec.after_plan then spec.after_plan(run, inst, opts) end
  end

  -- The instance's config section for export.lua: its tags, then each
  -- managed kind as its engine (or spec.export[key]) exports it, as
  -- { { key, value }, ... } in kinds.LIST order. nil, message when a read
  -- failed. run.exporter collects the secrets the section names.
  function mod.export(run, inst)
    local ex = run.exporter
    local loaded, err = tags.load(inst)
    if not loaded then return nil, "tags: " .. tostring(err and err.message) end
    local protect = spec.protect and spec.protect(run, inst) or {}
    local out = { { "tags", tags.export(inst) } }
    for _, kind in ipairs(mod.kinds) do
      local f = spec.export and spec.export[kind.key] or kinds.engine(kind).export
      local v, kerr = f(run, inst, kind, ex, { protect = protect[kind.key] })
      if kerr and kerr.status == 404 then
        -- A version of the app without this kind: nothing of it to reproduce.
        log.warn("%s has no %s API (%s): none exported", inst.name, kind.label, kerr.message)
      elseif kerr then
        return nil, kind.label .. ": " .. tostring(kerr.message or kerr)
      else
        out[#out + 1] = { kind.key, v }
      end
    end
    return out
  end

  function mod.apply(run, inst)
    M.apply_tags(run, inst)
    M.apply_kinds(run, inst)
    if spec.after_apply then spec.after_apply(run, inst) end
  end

  return mod
end

return M
