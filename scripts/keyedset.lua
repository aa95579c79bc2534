-- The keyed-set engine (kinds.lua engine "keyed"): collections without a
-- /schema whose items are told apart by the descriptor's identity fields
-- (root folders by path, remote path mappings by host + remote_path).
-- A missing item is created with the configured properties, a present one
-- updated when a configured property differs (unless the kind has no
-- update), an unlisted one deleted only when pruning. Config keys are the
-- API's properties in snake_case or camelCase.
local host = require "host"
local log = require "host.log"
local create_once = require "create"
local profiles = require "profiles"
local reconcile = require "reconcile"
local report_mod = require "report"
local util = require "util"
local validate = require "validate"
local values = require "values"

local M = {}

-- Paths and URLs compare without a trailing slash ("/tv/" is "/tv").
local function norm(v)
  if type(v) == "string" and #v > 1 then return util.strip_slash(v) end
  return v
end

-- The API property of config key K in existing item E (or camelCase).
local function prop(k, e)
  if e and e[k] ~= nil then return k end
  return util.camel(k)
end

-- The identity of T (config item or existing item) as one string, and as
-- the name shown in logs and plans.
local function identity(kind, t, from_config)
  local parts = {}
  for _, f in ipairs(kind.identity) do
    local v = t[from_config and f or util.camel(f)]
    if v == nil and from_config then v = t[util.camel(f)] end
    parts[#parts + 1] = tostring(norm(v))
  end
  return table.concat(parts, "\0"), table.concat(parts, " ")
end

-- The API body of a config item: properties camelCased, identities normalised.
local function body_of(kind, item)
  local body = {}
  for k, v in pairs(item) do body[prop(k)] = util.copy(v) end
  for _, f in ipairs(kind.identity) do body[util.camel(f)] = norm(body[util.camel(f)]) end
  return body
end

-- Plans KIND for INST: { kind, actions } or nil, err when the collection
-- cannot be read.
function M.plan(run, inst, kind, items)
  local list, err = reconcile.collection(inst, kind.path)
  if not list then return nil, err end
  local have = {}
  for _, e in ipairs(util.list(list)) do
    if type(e) == "table" then have[identity(kind, e)] = e end
  end
  local actions, seen = {}, {}
  for i, item in ipairs(items or {}) do
    local rerr
    item, rerr = profiles.resolve(run, item, string.format("%s.%s[%d]", inst.name, kind.key, i),
      function(p) return reconcile.collection(inst, p) end, inst.name)
    if not item then return nil, rerr end
    local key, name = identity(kind, item, true)
    seen[key] = true
    local e = have[key]
    local body = body_of(kind, item)
    if not e then
      local changes = {}
      for _, k in ipairs(util.sorted_keys(body)) do
        changes[#changes + 1] = { path = k, new = body[k], create = true }
      end
      actions[#actions + 1] = { op = "create", name = name, body = body, changes = changes }
    else
      local changes = {}
      for _, k in ipairs(util.sorted_keys(item)) do
        local p = prop(k, e)
        if not values.equal(norm(body[prop(k)]), norm(e[p])) then
          changes[#changes + 1] = { path = p, old = e[p], new = body[prop(k)] }
        end
      end
      if #changes == 0 then
        actions[#actions + 1] = { op = "noop", name = name }
      elseif kind.updatable == false then
        -- Nothing to update with: the identity matches, which is what counts.
        log.warn("%s %s %q: %s differ, but the app cannot update a %s", inst.name, kind.label, name,
          changes[1].path, kind.label)
        actions[#actions + 1] = { op = "noop", name = name }
      else
        local merged = util.copy(e)
        for k, v in pairs(body) do merged[prop(k, e)] = v end
        actions[#actions + 1] = { op = "update", name = name, body = merged, existing = e, changes = changes }
      end
    end
  end
  if inst.cfg.prune[kind.key] then
    for _, key in ipairs(util.sorted_keys(have)) do
      if not seen[key] then
        local e = have[key]
        local _, name = identity(kind, e)
        actions[#actions + 1] = { op = "delete", name = name, existing = e, changes = {} }
      end
    end
  end
  return { kind = kind, actions = actions }
end

local function send(inst, kind, a)
  if a.op == "create" then
    -- Created once: a POST whose outcome is unknown is looked for first (create.lua).
    local key = identity(kind, a.body)
    local result, v = create_once.post{
      client = inst.client, what = string.format("%s %s %q", inst.name, kind.label, a.name),
      post = function() return inst.client:send("POST", kind.path, a.body) end,
      reread = function() return reconcile.collection(inst, kind.path, true) end,
      find = function(list)
        for _, e in ipairs(util.list(list)) do
          if type(e) == "table" and identity(kind, e) == key then return e end
        end
      end,
    }
    if result == "created" or result == "adopted" then return { status = 201 } end
    if result == "rejected" then return v end
    return nil, { message = v }
  elseif a.op == "update" then
    return inst.client:send("PUT", kind.path .. "/" .. tostring(a.existing.id), a.body)
  end
  return inst.client:send("DELETE", kind.path .. "/" .. tostring(a.existing.id))
end

local OUTCOME = { create = "created", update = "updated", delete = "deleted" }

-- Applies the actions of plan KP, each written by SEND(inst, kind, action)
-- -> response | nil, err (err a table with a message, or a string); every
-- engine without a schema shares it. Returns true when nothing failed.
function M.apply_actions(run, inst, kp, send_action)
  local kind = kp.kind
  local ok_all = true
  for _, a in ipairs(kp.actions) do
    if a.op == "noop" then
      run.report:count(inst.name, kind.label, "unchanged")
    else
      run.report:action(inst.name, kind.label, a)
      local outcome = OUTCOME[a.op]
      if host.dry_run then
        run.report:count(inst.name, kind.label, outcome)
      else
        local res, err = send_action(inst, kind, a)
        -- A DELETE retried after a lost answer finds the item gone: deleted.
        if res and (res.status >= 200 and res.status < 300 or a.op == "delete" and res.status == 404) then
          run.report:count(inst.name, kind.label, outcome)
          log.info("%s %s %q: %s", inst.name, kind.label, a.name, outcome)
        else
          ok_all = false
          run.report:count(inst.name, kind.label, "failed")
          if res then
            for _, line in ipairs(report_mod.rejection(inst.name, kind.label, a.name, res)) do
              log.error("%s", line)
            end
          else
            log.error("%s %s %q: %s", inst.name, kind.label, a.name,
              tostring(type(err) == "table" and err.message or err))
          end
        end
      end
      a.body = nil
    end
  end
  inst.cache[kind.path] = nil
  return ok_all
end

-- Applies a plan made by M.plan. Returns true when nothing failed.
function M.apply(run, inst, kp)
  return M.apply_actions(run, inst, kp, send)
end

-- Exports KIND of INST: each existing item as config, by identity: every
-- property but the id and those the app computes (the descriptor's
-- `output`), the descriptor's `fields` under their config (snake_case)
-- names, the others under the API's, values as stored (identities compare
-- without a trailing slash anyway); a string when the kind has a
-- shorthand and that is all there is. nil when there are none.
function M.export(_, inst, kind, ex)
  local list, err = reconcile.collection(inst, kind.path)
  if not list then return nil, err end
  local config_key = {}
  for k in pairs(kind.fields or {}) do config_key[util.camel(k)] = k end
  local items = {}
  for _, e in ipairs(util.list(list)) do
    if type(e) == "table" then
      local pairs_out = {}
      for _, p in ipairs(util.sorted_keys(e)) do
        if p ~= "id" and not util.contains(kind.output, p) then
          local k = config_key[p] or p
          local v = util.copy(e[p])
          -- A profile id by the profile's name (Lidarr's default_quality_profile).
          local pk, name = profiles.name_of(function(path) return reconcile.collection(inst, path) end, p, v)
          if pk then k, v = pk, name end
          pairs_out[#pairs_out + 1] = { k, v }
        end
      end
      local value = ex:ordered(pairs_out)
      if kind.shorthand and #pairs_out == 1 and pairs_out[1][1] == kind.shorthand then
        value = pairs_out[1][2]
      end
      items[#items + 1] = { key = identity(kind, e), value = value }
    end
  end
  table.sort(items, function(a, b) return a.key < b.key end)
  local out = {}
  for i, it in ipairs(items) do out[i] = it.value end
  if #out == 0 then return nil end
  return out
end

-- The config check of a keyed set: a list of tables (or strings meaning
-- { <shorthand> = s }), each field of the descriptor's `fields` checked by
-- the validator it names, no two items with one identity.
local FIELD_CHECKS = {
  absolute_path = function(v)
    return type(v) == "string" and v:sub(1, 1) == "/", "an absolute path"
  end,
  string = function(v)
    return type(v) == "string" and util.trim(v) ~= "", "a non-empty string"
  end,
}

function M.check(v, path, kind, problems)
  if v == nil then return nil end
  local what = kind.shorthand and string.format("a list of %ss or tables { %s = ... }",
    kind.fields[kind.shorthand] == "absolute_path" and "path" or kind.shorthand, kind.shorthand)
    or "a list of tables"
  if type(v) ~= "table" or not util.is_list(v) then
    problems:add(path, "expected %s", what)
    return nil
  end
  local out, seen = {}, {}
  for i, x in ipairs(v) do
    local p = string.format("%s[%d]", path, i)
    if type(x) == "string" and kind.shorthand then x = { [kind.shorthand] = x } end
    if type(x) ~= "table" then
      problems:add(p, "expected %s", (what:gsub("^a list of ", "one of: ")))
    else
      validate.check_secret_values(x, p, problems)
      profiles.check(x, p, problems)
      if kind.props then
        -- Property names in camelCase or snake_case: checked as snake_case.
        x = util.copy(x)
        for _, k in ipairs(kind.props) do
          local c = util.camel(k)
          if c ~= k and x[k] == nil and x[c] ~= nil then x[k], x[c] = x[c], nil end
        end
        local allowed = {}
        for _, k in ipairs(kind.props) do allowed[k], allowed[util.camel(k)] = true, true end
        validate.check_keys(x, allowed, p, problems)
      end
      local ok = true
      for _, fname in ipairs(util.sorted_keys(kind.fields or {})) do
        local good, want = FIELD_CHECKS[kind.fields[fname]](x[fname])
        if not good then
          problems:add(p .. "." .. fname, "expected %s, got %s", want, tostring(x[fname]))
          ok = false
        end
      end
      if ok then
        local key = {}
        for _, f in ipairs(kind.identity) do key[#key + 1] = util.strip_slash(tostring(x[f])):lower() end
        key = table.concat(key, "\0")
        if seen[key] then
          problems:add(p, "the same %s as item %d (%s)", kind.label, seen[key],
            table.concat(kind.identity, " + "))
        end
        seen[key] = i
        out[#out + 1] = util.copy(x)
      end
    end
  end
  return out
end

return M
