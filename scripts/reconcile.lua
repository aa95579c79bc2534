-- The reconcile engine for provider collections (download clients, indexers,
-- notifications, Prowlarr applications, ...): read the collection and the
-- /schema once, match items by name (case-insensitive), build new items from
-- the schema template and merge desired values onto existing ones with the
-- full fields array, compare normalised values, and write only what differs.
-- plan() only reads; apply() writes what plan() decided.
local host = require "host"
local json = require "host.json"
local log = require "host.log"
local create_once = require "create"
local profiles = require "profiles"
local report_mod = require "report"
local tags = require "tags"
local transient = require "transient"
local util = require "util"
local validate = require "validate"
local values = require "values"

local M = {}

-- Item keys the engine interprets itself; any other key is a top-level property.
local RESERVED = { name = true, implementation = true, definition = true, fields = true, tags = true,
  enable = true, force_save = true, test_secret = true, target = true, match = true }
local FORBIDDEN = { id = true, configContract = true, presets = true }
-- Output-only properties, not offered as "valid" top-level names.
local OUTPUT_ONLY = { id = true, fields = true, implementationName = true, infoLink = true, message = true,
  presets = true, tags = true, name = true, implementation = true, configContract = true, protocol = true }

-- Reads collection PATH of APP once per run (FRESH forces a new read).
function M.collection(app, path, fresh)
  app.cache = app.cache or {}
  if fresh or app.cache[path] == nil then
    local list, err = app.client:get(path)
    if not list then return nil, err end
    app.cache[path] = list
  end
  return app.cache[path]
end

function M.schema(app, path)
  return M.collection(app, path .. "/schema")
end

local function find_by_name(list, name)
  local key = name:lower()
  for _, e in ipairs(util.list(list)) do
    if type(e.name) == "string" and e.name:lower() == key then return e end
  end
  return nil
end
M.find_by_name = find_by_name

-- Whether existing item E is of the implementation (or definition) ITEM asks for.
local function same_impl(e, item)
  if item.definition then return util.lower(e.definitionName) == item.definition:lower() end
  local impl = item.implementation:lower()
  return util.lower(e.implementation) == impl or util.lower(e.definitionName) == impl
end

-- The templates of a /schema answer by implementation and by definition
-- name, built once per schema (Prowlarr's holds 500+ definitions).
local indexes = setmetatable({}, { __mode = "k" })
local function schema_index(schema)
  local idx = indexes[schema]
  if idx then return idx end
  idx = { impl = {}, def = {} }
  local function add(map, key, t)
    if type(key) ~= "string" then return end
    key = key:lower()
    map[key] = map[key] or {}
    table.insert(map[key], t)
  end
  for _, t in ipairs(util.list(schema)) do
    if type(t) == "table" then
      add(idx.impl, t.implementation, t)
      add(idx.def, t.definitionName, t)
    end
  end
  indexes[schema] = idx
  return idx
end

-- Of several templates of one implementation (Prowlarr lists each preset
-- as a template: Torznab is AnimeTosho, Generic Torznab, MoreThanTV, ...):
-- the one named like the item, else the generic one ("Generic Torznab", or
-- the unnamed base template of Sonarr's schema), else the first.
local function pick(cands, item, what)
  if not cands or #cands <= 1 then return cands and cands[1] end
  local name = util.lower(item.name)
  for _, t in ipairs(cands) do
    if name and util.lower(t.name) == name then return t end
  end
  for _, t in ipairs(cands) do
    if util.lower(t.name) == "generic " .. what then return t end
  end
  for _, t in ipairs(cands) do
    if t.name == nil or t.name == "" then return t end
  end
  return cands[1]
end

-- The template ITEM asks for: by `definition` (a definitionName), else by
-- implementation, then by a definitionName equal to the implementation.
local function find_template(schema, item)
  local idx = schema_index(schema)
  if item.definition then
    local d = item.definition:lower()
    return pick(idx.def[d], item, d)
  end
  local impl = (item.implementation or ""):lower()
  return pick(idx.impl[impl], item, impl) or pick(idx.def[impl], item, impl)
end
M.find_template = find_template

local function implementations(schema, definitions)
  local seen, out = {}, {}
  for _, t in ipairs(schema) do
    local n = definitions and t.definitionName or (t.definitionName or t.implementation)
    if type(n) == "string" and not seen[n] then seen[n] = true; out[#out + 1] = n end
  end
  return out
end

local function field_list(fields)
  local metas, names = {}, {}
  for _, f in ipairs(util.list(fields)) do
    if type(f.name) == "string" then
      metas[f.name] = f
      names[#names + 1] = f.name
    end
  end
  return metas, names
end

local function field_value(e, name)
  for _, f in ipairs(util.list(e and e.fields)) do
    if f.name == name then return f.value end
  end
  return nil
end
M.field_value = field_value

local function top_names(t)
  local out = {}
  for k in pairs(t) do
    if not OUTPUT_ONLY[k] then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

-- Builds one action: { op = create|update|noop, name, item, existing, body,
-- changes, metas, secret_test }. Problems go to run:problem(path, msg).
local function build(run, app, kind, item, existing, where)
  local problem = function(sub, fmt, ...) run:problem(where .. sub, fmt, ...) end
  local base, op, tmpl
  if existing and (not (item.implementation or item.definition) or same_impl(existing, item)) then
    base, op = util.copy(existing), "update"
  else
    local schema, err = M.schema(app, kind.path)
    if not schema then return nil, err end
    tmpl = find_template(schema, item)
    if not tmpl then
      local what = item.definition and "definition" or "implementation"
      local valid = implementations(schema, item.definition ~= nil)
      problem("." .. what, "unknown %s %q for %s %s (valid: %s)", what, item[what], app.name, kind.label,
        util.suggest(item[what], valid))
      return nil
    end
    base = util.copy(tmpl)
    base.presets, base.id = nil, nil
    op = existing and "update" or "create"
    if existing then base.id, base.tags = existing.id, util.copy(existing.tags) end
  end

  -- Desired top-level properties: kind defaults, then enable, then the item's own.
  local top, order = {}, {}
  local function want(prop, v, sub)
    if top[prop] == nil then order[#order + 1] = prop end
    top[prop] = { value = v, sub = sub }
  end
  for _, prop in ipairs(util.sorted_keys(kind.defaults or {})) do want(prop, kind.defaults[prop], "") end
  if item.enable ~= nil then
    if not kind.enable_props then
      problem(".enable", "%s items have no single enable switch; set their properties instead (%s)",
        kind.label, table.concat(top_names(base), ", "))
    else
      for _, p in ipairs(kind.enable_props) do
        want(p, kind.enable_value and kind.enable_value(item.enable) or item.enable, ".enable")
      end
    end
  end
  for _, k in ipairs(util.sorted_keys(item)) do
    if not RESERVED[k] then
      local prop = base[k] ~= nil and k or util.camel(k)
      want(prop, item[k], "." .. k)
    end
  end
  for _, prop in ipairs(order) do
    local d = top[prop]
    local current = base[prop]
    if current == nil and op ~= "create" then
      local schema = M.schema(app, kind.path)
      local t = schema and find_template(schema, { implementation = base.implementation,
        definition = base.definitionName, name = base.name })
      if t then current = t[prop] end
    end
    if FORBIDDEN[prop] then
      problem(d.sub, "%q is set by the engine, not by the config", prop)
      top[prop] = nil
    elseif current == nil and not (kind.extra_props and kind.extra_props[prop]) then
      problem(d.sub, "unknown property %q of %s %s (valid: %s)", prop, app.name, kind.label,
        util.suggest(prop, top_names(base)))
      top[prop] = nil
    else
      local v, err = values.coerce_top(current, d.value)
      if v == nil then
        problem(d.sub, "%s", err)
        top[prop] = nil
      else
        d.value = v
      end
    end
  end

  -- Fields: names are checked against the template or the existing item.
  local metas, names = field_list(base.fields)
  local desired = {}
  for _, fname in ipairs(util.sorted_keys(item.fields or {})) do
    local meta = metas[fname]
    if not meta then
      problem(".fields." .. fname, "unknown field %q for %s %s %q (valid: %s)", fname, app.name, kind.label,
        base.implementation or "?", util.suggest(fname, names))
    else
      local v, err = values.coerce(meta, item.fields[fname])
      if v == nil then problem(".fields." .. fname, "%s", err) else desired[fname] = v end
    end
  end

  local changes, secret_test = {}, {}
  local create = op == "create"
  if not create and existing.name ~= item.name then
    changes[#changes + 1] = { path = "name", old = existing.name, new = item.name }
  end
  if tmpl and existing then
    changes[#changes + 1] = { path = "implementation", old = existing.implementation,
      new = tmpl.implementation }
  end
  for _, prop in ipairs(order) do
    local d = top[prop]
    if d then
      local old = existing and existing[prop]
      local enum = kind.enums and kind.enums[prop]
      if create then
        changes[#changes + 1] = { path = prop, new = d.value, create = true }
      elseif not values.equal_top(d.value, old, enum) then
        changes[#changes + 1] = { path = prop, old = old, new = d.value }
      end
    end
  end
  for _, fname in ipairs(util.sorted_keys(desired)) do
    local v, meta = desired[fname], metas[fname]
    local old = (existing and not tmpl) and field_value(existing, fname) or nil
    local secret = values.is_secret(meta)
    if create then
      changes[#changes + 1] = { path = "fields." .. fname, new = v, secret = secret, create = true }
    elseif secret then
      local set = not util.is_null(v) and v ~= ""
      local had = not util.is_null(old) and old ~= ""
      if set ~= had or (had and old ~= values.MASK and old ~= v) then
        changes[#changes + 1] = { path = "fields." .. fname, secret = true }
      elseif had and old == values.MASK then
        secret_test[#secret_test + 1] = fname
      end
    elseif not values.equal(v, old) then
      changes[#changes + 1] = { path = "fields." .. fname, old = old, new = v }
    end
  end
  local labels
  if item.tags then
    labels = item.tags
    local have = existing and not create and tags.labels(app, existing.tags) or {}
    local want_sorted = util.copy(labels)
    table.sort(want_sorted)
    local differs = table.concat(have, ",") ~= table.concat(want_sorted, ",")
    -- tags stored as null break tag lookups in Sonarr/Radarr: repair them.
    if create and #labels > 0 or not create and (differs or type(existing.tags) ~= "table") then
      changes[#changes + 1] = { path = "tags", old = not create and json.array(have) or nil,
        new = json.array(want_sorted), create = create }
    end
  end

  -- The body: everything the base holds, desired values on top, full fields.
  base.name = item.name
  for prop, d in pairs(top) do base[prop] = d.value end
  local dprop = kind.default_profile and kind.default_profile .. "Id"
  if create and dprop and top[dprop] == nil and (base[dprop] == 0 or base[dprop] == nil) then
    -- The template's 0 is refused (AppProfileId greater than 0): the app's first profile.
    local lookup = profiles.LOOKUPS[kind.default_profile]
    local first = profiles.first(function(p) return M.collection(app, p) end, lookup)
    if first then
      base[dprop] = first.id
      changes[#changes + 1] = { path = dprop, new = first.id, create = true,
        note = string.format("(the first %s, %q)", lookup.label, first.name) }
    end
  end
  local fields = {}
  for _, f in ipairs(util.list(base.fields)) do
    local v = f.value
    if desired[f.name] ~= nil then v = desired[f.name] end
    if create and v == values.MASK then v = nil end -- never POST the mask as a secret
    fields[#fields + 1] = { name = f.name, value = v }
  end
  base.fields = json.array(fields)
  if base.tags == nil or base.tags == json.null then base.tags = json.array{} end
  if create then base.id = nil end

  local lower_metas = {}
  for n, m in pairs(metas) do lower_metas[n:lower()] = m end
  if not create and #changes == 0 then op = "noop" end
  if op ~= "noop" then values.check_body(base, function(sub, reason) problem(sub, "%s", reason) end) end
  return {
    op = op, name = item.name, item = item, existing = existing, body = base, changes = changes,
    metas = lower_metas, tag_labels = labels, secret_test = #secret_test > 0 and secret_test or nil,
  }
end

-- Whether the app counts E as enabled: testall only tests enabled providers.
local function enabled(kind, e)
  if not kind.enable_props then return true end
  for _, p in ipairs(kind.enable_props) do
    local v = e[p]
    if v == true or (type(v) == "string" and v:lower() ~= "disabled") or (type(v) == "number" and v ~= 0) then
      return true
    end
  end
  return false
end

-- A failed login is reported against the user name by some clients (Sonarr's
-- qBittorrent: "Username"), so it points at the password that goes with it.
local LOGIN_NAMES = { username = "password", user = "password" }

local function secret_failure(action, failures)
  for _, e in ipairs(util.list(failures)) do
    local prop = type(e.propertyName) == "string" and e.propertyName:lower() or ""
    for _, fname in ipairs(action.secret_test) do
      local f = fname:lower()
      if prop == f or LOGIN_NAMES[prop] == f then return fname, e end
    end
  end
  return nil
end

-- A secret that compares equal because it is masked may still be stale: one
-- POST <kind>/testall tests every enabled item with its stored values (plan
-- and no-op reruns stay read-only); an item whose failures name one of its
-- secret fields is updated with the configured secret. Other failures are
-- not the config's to fix here: they are reported, not written.
local function test_secrets(app, kind, actions, list)
  local by_id, n = {}, 0
  for _, a in ipairs(actions) do
    if enabled(kind, a.existing) then
      by_id[a.existing.id] = a
      n = n + 1
    else
      log.debug("%s %q is disabled: the app does not test it, so its stored secret is not checked",
        kind.label, a.name)
    end
  end
  if n == 0 then return end
  -- The app tests every enabled item in turn (a second each is allowed);
  -- not repeated when it fails, which would repeat every test: the check
  -- waits for the next run.
  local tested = 0
  for _, e in ipairs(list) do
    if enabled(kind, e) then tested = tested + 1 end
  end
  local res, err = app.client:send("POST", kind.path .. "/testall", nil, nil,
    { read_only = true, retry = false, timeout = app.client.timeout + tested })
  local results = res and (res.status == 200 or res.status == 400) and res.data
  if not util.is_list(results) then
    log.warn("%s %s/testall %s: stored secrets of %d %s item(s) not checked in this run", app.name, kind.path,
      res and ("answered HTTP " .. res.status) or ("failed: " .. err.message), n, kind.label)
    return
  end
  for _, r in ipairs(results) do
    local a = type(r) == "table" and by_id[r.id]
    if a then
      local fname, e = secret_failure(a, r.validationFailures)
      if fname then
        a.op = "update"
        a.changes[#a.changes + 1] = { path = "fields." .. fname, secret = true,
          note = "(the stored value fails the app's test: " .. tostring(e.errorMessage) .. ")" }
      elseif #util.list(r.validationFailures) > 0 then
        local lines = report_mod.rejection(app.name, kind.label, a.name, { data = r.validationFailures },
          a.metas)
        log.warn("%s (the app's test; not a secret, nothing written)", table.concat(lines, "; "))
      end
    end
  end
end

-- Plans KIND for APP: returns { kind, actions } or nil, err when the
-- collection cannot be read. OPTS.keep: names never pruned; OPTS.protect(e):
-- true for existing items never pruned. An item's `match` names the existing
-- item it updates when that one has another name (an adopted one).
function M.plan(run, app, kind, items, opts)
  opts = opts or {}
  local list, err = M.collection(app, kind.path)
  if not list then return nil, err end
  local kp = { kind = kind, actions = {} }
  local wanted = {}
  for i, item in ipairs(items or {}) do
    local where = string.format("%s.%s[%d]", app.name, kind.key, i)
    wanted[item.name:lower()] = true
    if item.match then wanted[item.match:lower()] = true end
    local resolved, rerr = profiles.resolve(run, item, where, function(p) return M.collection(app, p) end,
      app.name)
    local action, aerr
    if resolved then
      action, aerr = build(run, app, kind, resolved, find_by_name(list, item.match or item.name), where)
    else
      aerr = rerr
    end
    if action then
      kp.actions[#kp.actions + 1] = action
    elseif aerr then
      kp.actions[#kp.actions + 1] = { op = "fail", name = item.name, error = aerr.message }
    end
  end
  for name in pairs(opts.keep or {}) do wanted[name:lower()] = true end
  if app.cfg.prune[kind.key] then
    for _, e in ipairs(list) do
      local protected = opts.protect and opts.protect(e)
      if not wanted[util.lower(e.name)] and not protected then
        kp.actions[#kp.actions + 1] = { op = "delete", name = e.name, existing = e, changes = {} }
      end
    end
  end
  if run.cfg.test_secrets then
    local check = {}
    for _, a in ipairs(kp.actions) do
      if a.op == "noop" and a.secret_test and a.item.test_secret ~= false then check[#check + 1] = a end
    end
    if #check > 0 then test_secrets(app, kind, check, list) end
  end
  -- A no-op sends nothing: without this, a plan of many converged items
  -- would hold a copy of each.
  for _, a in ipairs(kp.actions) do
    if a.op == "noop" then a.body, a.metas = nil, nil end
  end
  return kp
end

-- Tag ids for an action's labels, keeping the existing order.
local function tag_ids(run, app, action)
  if not action.tag_labels then return action.body.tags end
  local ids, err = tags.ids(app, action.tag_labels, run.report)
  if not ids then return nil, err end
  local want = {}
  for _, id in ipairs(ids) do want[id] = true end
  local out, seen = {}, {}
  for _, id in ipairs(util.list(action.existing and action.existing.tags)) do
    if want[id] then out[#out + 1] = id; seen[id] = true end
  end
  for _, id in ipairs(ids) do
    if not seen[id] then out[#out + 1] = id; seen[id] = true end
  end
  return json.array(out)
end

local function ok_status(res)
  return res and res.status >= 200 and res.status < 300
end

local function rejected(run, app, kind, action, res)
  for _, line in ipairs(report_mod.rejection(app.name, kind.label, action.name, res, action.metas)) do
    log.error("%s", line)
  end
  run.report:count(app.name, kind.label, "failed")
end

-- Sends METHOD; on a 400 that only holds warnings (or when the item sets
-- force_save) sends it again with ?forceSave=true.
-- A 400 of the app's test whose every error shows a transient cause (what the
-- item points at answered 5xx, timed out, refused: transient.validation) is
-- sent again with backoff until the retry budget (the readiness timeout) is
-- spent; any other 400 is final at once.
local function write(run, app, kind, action, method, path)
  local query
  local budget = transient.budget(app.client.retry_for)
  local res, err = app.client:send(method, path, action.body)
  local attempt = 0
  while true do
    attempt = attempt + 1
    local force = action.item and action.item.force_save
    if res and res.status == 400 and not query and (report_mod.only_warnings(res) or force) then
      for _, line in ipairs(report_mod.rejection(app.name, kind.label, action.name, res, action.metas)) do
        log.warn("%s; saving with forceSave", line)
      end
      query = { forceSave = "true" }
      res, err = app.client:send(method, path, action.body, query)
    end
    local cause, ambiguous = transient.validation(res)
    if cause and ambiguous and kind.explain then
      -- The app's test gave no reason: the kind may know whom to ask
      -- (kind.explain names a module with explain(run, inst, action)).
      local passing, why = require(kind.explain).explain(run, app, action)
      if not passing then
        log.error("%s %s %q: %s", app.name, kind.label, action.name, util.mask_userinfo(why))
        break
      end
      cause = why or cause
    end
    if not cause then break end
    local wait = transient.backoff(app.client.backoff * 2, attempt)
    if not budget:fits(wait) then
      log.warn("%s %q: the app's test still fails for a passing reason after %d attempts; giving up",
        kind.label, action.name, attempt)
      break
    end
    log.info("%s %q: the app's test failed (%s); trying again in %.1fs", kind.label, action.name,
      util.mask_userinfo(cause), wait)
    host.sleep(wait)
    res, err = app.client:send(method, path, action.body, query)
  end
  return res, err
end

-- POSTs ACTION once through create.lua; returns ok, data, res, errmsg.
local function create(run, app, kind, action)
  local outcome, v = create_once.post{
    client = app.client,
    what = string.format("%s %s %q", app.name, kind.label, action.name),
    post = function() return write(run, app, kind, action, "POST", kind.path) end,
    reread = function() return M.collection(app, kind.path, true) end,
    find = function(list) return find_by_name(list, action.name) end,
  }
  if outcome == "created" or outcome == "adopted" then return true, v end
  if outcome == "rejected" then return false, nil, v end
  return false, nil, nil, v
end

-- Applies a plan made by M.plan. Returns true when nothing failed.
function M.apply(run, app, kp)
  local kind = kp.kind
  local all_ok = true
  for _, action in ipairs(kp.actions) do
    if action.op == "noop" then
      run.report:count(app.name, kind.label, "unchanged")
    elseif action.op == "fail" then
      log.error("%s %s %q: %s", app.name, kind.label, action.name, action.error)
      run.report:count(app.name, kind.label, "failed")
      all_ok = false
    else
      run.report:action(app.name, kind.label, action)
      local outcome = ({ create = "created", update = "updated", delete = "deleted" })[action.op]
      if host.dry_run then
        run.report:count(app.name, kind.label, outcome)
      else
        local ok, res, err = true, nil, nil
        if action.op ~= "delete" then
          local ids, terr = tag_ids(run, app, action)
          if not ids then
            ok, err = false, terr
          else
            action.body.tags = ids
          end
        end
        if ok and action.op == "create" then
          local data
          ok, data, res, err = create(run, app, kind, action)
          if ok then action.result = data end
        elseif ok and action.op == "update" then
          local path = kind.path .. "/" .. tostring(action.existing.id)
          res, err = write(run, app, kind, action, "PUT", path)
          ok = ok_status(res)
          if ok then action.result = res.data or action.body end
          if not res then err = err.message end
        elseif ok and action.op == "delete" then
          res, err = app.client:send("DELETE", kind.path .. "/" .. tostring(action.existing.id))
          ok = ok_status(res) or (res and res.status == 404)
          if not res then err = err.message end
        end
        if ok then
          app.cache[kind.path] = nil
          run.report:count(app.name, kind.label, outcome)
          log.info("%s %s %q: %s", app.name, kind.label, action.name, outcome)
        elseif res then
          rejected(run, app, kind, action, res)
          all_ok = false
        else
          log.error("%s %s %q: %s", app.name, kind.label, action.name, tostring(err))
          run.report:count(app.name, kind.label, "failed")
          all_ok = false
        end
        -- Written: only kinds read afterwards (keep_results) keep what was sent and saved.
        if not kind.keep_results then
          action.body, action.existing, action.result, action.metas = nil, nil, nil, nil
        end
      end
    end
  end
  return all_ok
end

-- Export (export.lua): the config item that reproduces existing item E.
-- Properties the apps compute (from the implementation, the definition, the
-- clock) are never configured; ARR-API.md 2.2, 6.1, 8.4.
local COMPUTED = { added = true, capabilities = true, definitionName = true, description = true,
  encoding = true, indexerUrls = true, language = true, legacyUrls = true, link = true, privacy = true,
  sortName = true, status = true, testCommand = true }

local function computed(kind, prop)
  return OUTPUT_ONLY[prop] or FORBIDDEN[prop] or COMPUTED[prop] or prop:match("^supports%u") ~= nil
    or (kind.output ~= nil and util.contains(kind.output, prop))
end

-- The template a run builds existing item E from, and the config keys that
-- pick it: a Prowlarr Cardigann indexer by `definition`, others by
-- `implementation` (find_template also weighs the name, as for a run).
local function template_of(kind, schema, e)
  local item = { name = e.name }
  if kind.by_definition and type(e.definitionName) == "string"
      and e.definitionName:lower() ~= util.lower(e.implementation) then
    item.definition = e.definitionName
  elseif type(e.implementation) == "string" then
    item.implementation = e.implementation
  else
    return nil
  end
  local t = find_template(schema, item)
  if t and item.implementation then item.implementation = t.implementation end
  return t, item
end

-- Item E as config: name, implementation (or definition), the top-level
-- properties and fields that differ from what a run would build from the
-- template (its values, then the kind's defaults and default profile), a
-- profile id by the profile's name, tags by label. Masked and secret fields
-- become EX:secret(...). Returns the item or nil, why.
function M.export_item(inst, kind, e, schema, ex)
  local tmpl, picked = template_of(kind, schema, e)
  if not tmpl then
    return nil, string.format("no /schema template for implementation %q", tostring(e.implementation))
  end
  local read = function(p) return M.collection(inst, p) end
  local pairs_out = { { "name", e.name }, { "implementation", picked.implementation },
    { "definition", picked.definition } }
  local dprop = kind.default_profile and kind.default_profile .. "Id"
  local props = {}
  for _, prop in ipairs(util.sorted_keys(e)) do
    if type(prop) == "string" and not computed(kind, prop) and tmpl[prop] ~= nil then
      local base = tmpl[prop]
      if kind.defaults and kind.defaults[prop] ~= nil then base = kind.defaults[prop] end
      if prop == dprop and (base == 0 or base == nil) then
        local first = profiles.first(read, profiles.LOOKUPS[kind.default_profile])
        if first then base = first.id end
      end
      local enum = kind.enums and kind.enums[prop]
      if not values.equal_top(e[prop], base, enum) then
        local key, name = profiles.name_of(read, prop, e[prop])
        props[#props + 1] = key and { key, name } or { prop, util.copy(e[prop]) }
      end
    end
  end
  -- Every enable switch differs the same way: `enable = false` says it.
  if kind.enable_props and not kind.enable_value then
    local v, all = e[kind.enable_props[1]], true
    for _, p in ipairs(kind.enable_props) do
      if e[p] ~= v or type(v) ~= "boolean" then all = false end
    end
    local listed = 0
    for _, p in ipairs(props) do
      if util.contains(kind.enable_props, p[1]) then listed = listed + 1 end
    end
    if all and listed == #kind.enable_props then
      local kept = {}
      for _, p in ipairs(props) do
        if not util.contains(kind.enable_props, p[1]) then kept[#kept + 1] = p end
      end
      props = kept
      pairs_out[#pairs_out + 1] = { "enable", v }
    end
  end
  for _, p in ipairs(props) do pairs_out[#pairs_out + 1] = p end

  local metas = field_list(tmpl.fields)
  local fields = {}
  for _, f in ipairs(util.list(e.fields)) do
    local meta = type(f.name) == "string" and metas[f.name]
    if meta then
      local v = f.value
      local set = not util.is_null(v) and v ~= ""
      if values.is_secret(meta) or values.is_secret(f) then
        if set and (v == values.MASK or not values.equal(v, meta.value)) then
          fields[f.name] = ex:secret(inst.name, e.name, f.name, kind.label)
        end
      elseif not values.equal(v, meta.value) then
        fields[f.name] = v == nil and json.null or util.copy(v)
      end
    elseif type(f.name) == "string" then
      log.debug("%s %s %q: field %q is not in the template, not exported", inst.name, kind.label, e.name,
        f.name)
    end
  end
  if next(fields) then pairs_out[#pairs_out + 1] = { "fields", fields } end
  local labels = tags.labels(inst, e.tags)
  if #labels > 0 then pairs_out[#pairs_out + 1] = { "tags", labels } end
  return pairs_out
end

-- Exports KIND of INST: the config items of every existing item OPTS.protect
-- does not claim, by name; nil when there are none. EX collects secrets.
function M.export(_, inst, kind, ex, opts)
  opts = opts or {}
  local list, err = M.collection(inst, kind.path)
  if not list then return nil, err end
  local schema, serr = M.schema(inst, kind.path)
  if not schema then return nil, serr end
  local items = {}
  for _, e in ipairs(util.list(list)) do
    if type(e) == "table" and type(e.name) == "string" and not (opts.protect and opts.protect(e)) then
      local item, why = M.export_item(inst, kind, e, schema, ex)
      if item then
        items[#items + 1] = item
      else
        log.warn("%s %s %q left out: %s", inst.name, kind.label, e.name, why)
      end
    end
  end
  return ex:sorted(items)
end

-- One provider item: { name, implementation, fields, tags, enable, priority, force_save, ... }.
local function check_item(item, path, problems, opts)
  if type(item) ~= "table" then
    problems:add(path, "expected a table, got %s", type(item))
    return nil
  end
  validate.check_secret_values(item, path, problems)
  if type(item.name) ~= "string" or util.trim(item.name) == "" then
    problems:add(path .. ".name", "required: a non-empty string")
  elseif item.name:match(" %(Prowlarr%)$") and not opts.prowlarr then
    problems:add(path .. ".name", "%q: names ending in \" (Prowlarr)\" belong to Prowlarr's indexer sync",
      item.name)
  end
  if item.definition ~= nil and not opts.by_definition then
    problems:add(path .. ".definition", "only Prowlarr's indexers are given by definition; set "
      .. "implementation")
  elseif item.definition ~= nil and (type(item.definition) ~= "string"
      or util.trim(item.definition) == "") then
    problems:add(path .. ".definition", "expected a definition name (definitionName in /schema, e.g. 1337x)")
  end
  if item.implementation == nil and item.definition == nil and not opts.implementation_optional then
    problems:add(path .. ".implementation", "required (the implementation name from /schema, e.g. %s)",
      opts.example or "QBittorrent")
  elseif item.implementation ~= nil and type(item.implementation) ~= "string" then
    problems:add(path .. ".implementation", "expected a string")
  end
  if item.fields ~= nil then
    if type(item.fields) ~= "table" then
      problems:add(path .. ".fields", "expected a table of field name = value")
    else
      for k in pairs(item.fields) do
        if type(k) ~= "string" then
          problems:add(path .. ".fields", "field names are strings, got %s", tostring(k))
        end
      end
    end
  end
  profiles.check(item, path, problems)
  local out = util.copy(item)
  out.tags = validate.check_tags(item.tags, path .. ".tags", problems)
  if item.enable ~= nil and type(item.enable) ~= "boolean" then
    problems:add(path .. ".enable", "expected true or false, got %s", tostring(item.enable))
  end
  if item.force_save ~= nil and type(item.force_save) ~= "boolean" then
    problems:add(path .. ".force_save", "expected true or false, got %s", tostring(item.force_save))
  end
  if item.priority ~= nil and (math.type(item.priority) ~= "integer" and not math.tointeger(item.priority)
      or item.priority < 1 or item.priority > 50) then
    problems:add(path .. ".priority", "expected a whole number from 1 to 50, got %s", tostring(item.priority))
  end
  return out
end

-- The config check of a provider kind (kinds.lua): a list of items with
-- unique names. CTX.family: the type's family (Prowlarr's own items may end
-- in " (Prowlarr)").
function M.check(v, path, kind, problems, ctx)
  local opts = { prowlarr = ctx and ctx.family == "prowlarr", example = kind.example,
    by_definition = kind.by_definition }
  if v == nil then return nil end
  if type(v) ~= "table" or not util.is_list(v) then
    problems:add(path, "expected a list of items, got %s", type(v))
    return nil
  end
  local out, seen = {}, {}
  for i, item in ipairs(v) do
    local c = check_item(item, string.format("%s[%d]", path, i), problems, opts)
    if c and type(c.name) == "string" then
      local key = c.name:lower()
      if seen[key] then
        problems:add(string.format("%s[%d].name", path, i), "%q is also item %d (names are unique, "
          .. "case-insensitive)", c.name, seen[key])
      end
      seen[key] = i
      out[#out + 1] = c
    end
  end
  return out
end

return M
