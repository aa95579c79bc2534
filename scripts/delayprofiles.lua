-- The delay-profile engine (kinds.lua engine "delay"): profiles told apart
-- by their tag set. The profile without tags always exists (the apps refuse
-- to delete it, and to give it tags): it is updated, never created or
-- deleted. The others keep the order the config lists them in, through the
-- apps' own PUT delayprofile/reorder/{id}?after={id} (DelayProfileService.
-- Reorder: the profile moves right after `after`, or first without it).
-- A new profile starts from what the app's "add" dialog starts from (DESIGN
-- section 10: both protocols, usenet preferred, no delays); any other
-- property the config leaves out takes its C# default.
local json = require "host.json"
local create_once = require "create"
local keyedset = require "keyedset"
local reconcile = require "reconcile"
local tags = require "tags"
local util = require "util"
local validate = require "validate"
local values = require "values"

local M = {}

local DIALOG = { enableUsenet = true, enableTorrent = true, preferredProtocol = "usenet", usenetDelay = 0,
  torrentDelay = 0 }
-- Set by the engine, never by the config.
local ENGINE_PROPS = { id = true, order = true, tags = true }

local function sorted_copy(list)
  local out = util.copy(list or {})
  table.sort(out)
  return out
end

-- The identity of a label list, and its name in logs and plans.
local function key_of(labels)
  local s = sorted_copy(labels)
  return table.concat(s, ","), #s == 0 and "(default)" or table.concat(s, ", ")
end

local function row_key(inst, e)
  return (key_of(tags.labels(inst, e.tags)))
end

local function by_order(list)
  local rows = {}
  for _, e in ipairs(list) do rows[#rows + 1] = e end
  table.sort(rows, function(a, b)
    if (a.order or 0) ~= (b.order or 0) then return (a.order or 0) < (b.order or 0) end
    return (a.id or math.huge) < (b.id or math.huge)
  end)
  return rows
end

-- The reorder moves that put the profiles of keys WANT (in that order) in
-- ROWS (the tagged profiles, by order; each with .key) in that relative
-- order: { { row, after = row or nil } }. Unmanaged profiles stay where they are.
local function moves(rows, want)
  local rows_now = {}
  for i, r in ipairs(rows) do rows_now[i] = r end
  local managed, by_key = {}, {}
  for _, k in ipairs(want) do managed[k] = true end
  for _, r in ipairs(rows_now) do by_key[r.key] = r end
  local function index(r)
    for i, x in ipairs(rows_now) do if x == r then return i end end
  end
  local function move(r, after)
    table.remove(rows_now, index(r))
    table.insert(rows_now, after and index(after) + 1 or 1, r)
  end
  local out, prev = {}, nil
  for _, k in ipairs(want) do
    local r = by_key[k]
    if r then
      local i = index(r)
      local from = prev and index(prev) + 1 or 1
      local ok = not prev or i > index(prev)
      for j = from, i - 1 do
        if ok and managed[rows_now[j].key] then ok = false end
      end
      if not ok then
        out[#out + 1] = { row = r, after = prev }
        move(r, prev)
      end
      prev = r
    end
  end
  return out
end

local function labels_text(keys)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = "[" .. k:gsub(",", ", ") .. "]" end
  return table.concat(out, " ")
end

local function zero_of(v)
  if type(v) == "boolean" then return false end
  if type(v) == "number" then return 0 end
  if type(v) == "table" then return json.array{} end
  return v
end

-- Export: the profiles in the app's order (the order a run keeps), each
-- with its tags by label (none for the default profile) and every other
-- property but the engine's: a new profile would start from the dialog's
-- values and the C# defaults, so the whole profile is what reproduces it.
function M.export(_, inst, kind, ex)
  local list, err = reconcile.collection(inst, kind.path)
  if not list then return nil, err end
  local ok, terr = tags.load(inst)
  if not ok then return nil, terr end
  local out = {}
  for _, e in ipairs(by_order(util.list(list))) do
    if type(e) == "table" then
      local props = {}
      local labels = tags.labels(inst, e.tags)
      if #labels > 0 then props[1] = { "tags", labels } end
      for _, k in ipairs(util.sorted_keys(e)) do
        if not ENGINE_PROPS[k] then props[#props + 1] = { k, util.copy(e[k]) } end
      end
      out[#out + 1] = ex:ordered(props)
    end
  end
  if #out == 0 then return nil end
  return out
end

-- Plans KIND for INST: { kind, actions } or nil, err.
function M.plan(run, inst, kind, items)
  local list, err = reconcile.collection(inst, kind.path)
  if not list then return nil, err end
  list = util.list(list)
  local tagged = false
  for _, e in ipairs(list) do
    if #util.list(e.tags) > 0 then tagged = true end
  end
  if tagged then
    local ok, terr = tags.load(inst)
    if not ok then return nil, terr end
  end
  local have, default = {}, nil
  for _, e in ipairs(list) do
    if type(e) == "table" then
      local k = row_key(inst, e)
      if k == "" then
        if not default or e.id == 1 then default = e end
      else
        have[k] = e
      end
    end
  end
  local shape = default or list[1] or {}
  local props = {}
  for k in pairs(shape) do
    if not ENGINE_PROPS[k] then props[#props + 1] = k end
  end
  table.sort(props)

  local actions, seen, want_order = {}, {}, {}
  for i, item in ipairs(items or {}) do
    local where = string.format("%s.%s[%d]", inst.name, kind.key, i)
    local labels = item.tags or {}
    local key, name = key_of(labels)
    seen[key] = true
    if key ~= "" then want_order[#want_order + 1] = key end
    local e = key == "" and default or have[key]
    local want = {}
    for _, k in ipairs(util.sorted_keys(item)) do
      if k ~= "tags" then
        local prop = shape[k] ~= nil and k or util.camel(k)
        if ENGINE_PROPS[prop] then
          run:problem(where .. "." .. k, "%q is set by the engine (the config's order is the order)", prop)
        elseif shape[prop] == nil then
          run:problem(where .. "." .. k, "unknown property %q of %s %s (valid: %s)", k, inst.name, kind.label,
            util.suggest(util.camel(k), props))
        else
          local v, cerr = values.coerce_top(shape[prop], item[k])
          if v == nil then run:problem(where .. "." .. k, "%s", cerr) else want[prop] = v end
        end
      end
    end
    if not e and key == "" then
      run:problem(where, "%s has no %s without tags to update", inst.name, kind.label)
    elseif not e then
      local body, changes = {}, {}
      for _, p in ipairs(props) do
        local v = want[p]
        if v == nil then v = DIALOG[p] end
        if v == nil then v = zero_of(shape[p]) end
        body[p] = v
      end
      for _, p in ipairs(util.sorted_keys(want)) do
        changes[#changes + 1] = { path = p, new = want[p], create = true }
      end
      changes[#changes + 1] = { path = "tags", new = json.array(sorted_copy(labels)), create = true }
      actions[#actions + 1] = { op = "create", name = name, body = body, changes = changes,
        tag_labels = labels, key = key }
    else
      local changes = {}
      for _, p in ipairs(util.sorted_keys(want)) do
        local enum = p == "preferredProtocol" and {} or nil
        if not values.equal_top(want[p], e[p], enum) then
          changes[#changes + 1] = { path = p, old = e[p], new = want[p] }
        end
      end
      if #changes == 0 then
        actions[#actions + 1] = { op = "noop", name = name }
      else
        local body = util.copy(e)
        for p, v in pairs(want) do body[p] = v end
        actions[#actions + 1] = { op = "update", name = name, body = body, existing = e, changes = changes }
      end
    end
  end
  local deleted = {}
  if inst.cfg.prune[kind.key] then
    for _, k in ipairs(util.sorted_keys(have)) do
      if not seen[k] then
        local e = have[k]
        local _, name = key_of(tags.labels(inst, e.tags))
        actions[#actions + 1] = { op = "delete", name = name, existing = e, changes = {} }
        deleted[e] = true
      end
    end
  end
  -- The order after the writes above: created profiles come last (Add: Order = Count).
  local rows = {}
  for _, e in ipairs(by_order(list)) do
    local k = row_key(inst, e)
    if k ~= "" and not deleted[e] then rows[#rows + 1] = { key = k } end
  end
  for _, a in ipairs(actions) do
    if a.op == "create" then rows[#rows + 1] = { key = a.key } end
  end
  if #moves(rows, want_order) > 0 then
    local now = {}
    for _, r in ipairs(rows) do
      if seen[r.key] then now[#now + 1] = r.key end
    end
    actions[#actions + 1] = { op = "update", name = "(order)", reorder = want_order,
      changes = { { path = "order", old = labels_text(now), new = labels_text(want_order) } } }
  end
  return { kind = kind, actions = actions }
end

-- The writes of one action: the response, or nil and a message.
local function send(inst, kind, a)
  if a.op == "create" then
    local ids, terr = tags.ids(inst, a.tag_labels)
    if not ids then return nil, terr end
    a.body.tags = ids
    local outcome, v = create_once.post{
      client = inst.client, what = string.format("%s %s %q", inst.name, kind.label, a.name),
      post = function() return inst.client:send("POST", kind.path, a.body) end,
      reread = function() return reconcile.collection(inst, kind.path, true) end,
      find = function(list)
        for _, e in ipairs(util.list(list)) do
          if type(e) == "table" and row_key(inst, e) == a.key then return e end
        end
      end,
    }
    if outcome == "created" or outcome == "adopted" then return { status = 201 } end
    if outcome == "rejected" then return v end
    return nil, v
  elseif a.op == "update" and a.reorder then
    local list, err = reconcile.collection(inst, kind.path, true)
    if not list then return nil, err.message end
    local rows = {}
    for _, e in ipairs(by_order(util.list(list))) do
      local k = row_key(inst, e)
      if k ~= "" then rows[#rows + 1] = { key = k, id = e.id } end
    end
    for _, m in ipairs(moves(rows, a.reorder)) do
      local res, serr = inst.client:send("PUT", kind.path .. "/reorder/" .. tostring(m.row.id), nil,
        m.after and { after = m.after.id } or nil)
      if not res or res.status < 200 or res.status > 299 then return res, serr and serr.message end
    end
    return { status = 200 }
  elseif a.op == "update" then
    return inst.client:send("PUT", kind.path .. "/" .. tostring(a.existing.id), a.body)
  end
  return inst.client:send("DELETE", kind.path .. "/" .. tostring(a.existing.id))
end

-- Applies a plan made by M.plan: writes first, the order last (it needs the
-- ids of created profiles). Returns true when nothing failed.
function M.apply(run, inst, kp)
  return keyedset.apply_actions(run, inst, kp, send)
end

-- The config check: a list of tables, each with its tag labels (none: the
-- default profile), no two with one tag set.
function M.check(v, path, kind, problems)
  if v == nil then return nil end
  if type(v) ~= "table" or not util.is_list(v) then
    problems:add(path, "expected a list of tables { tags = { ... }, <property> = ... }")
    return nil
  end
  local out, seen = {}, {}
  for i, x in ipairs(v) do
    local p = string.format("%s[%d]", path, i)
    if type(x) ~= "table" then
      problems:add(p, "expected a table { tags = { ... }, <property> = ... }")
    else
      validate.check_secret_values(x, p, problems)
      local c = util.copy(x)
      c.tags = validate.check_tags(x.tags, p .. ".tags", problems) or {}
      for k in pairs(x) do
        if type(k) ~= "string" then problems:add(p, "property names are strings, got %s", tostring(k)) end
      end
      local key, name = key_of(c.tags)
      if seen[key] then
        problems:add(p .. ".tags", "the same tag set as item %d (%s): one %s per tag set", seen[key], name,
          kind.label)
      end
      seen[key] = i
      out[#out + 1] = c
    end
  end
  return out
end

return M
