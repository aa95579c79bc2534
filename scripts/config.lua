-- Configuration: instances (DESIGN section 9) from the --config file, from
-- STARRHOST_INSTANCES and from <TYPE>_URL, each completed from its
-- environment prefix (section 5), validated in one pass before any network
-- call against the kinds its type has (kinds.lua). Returns the configuration
-- or a list of problems, one message each.
local host = require "host"
local secret = require "host.secret"
local kinds = require "kinds"
local types = require "types"
local util = require "util"

local M = {}

local DEFAULTS = {
  wait = { timeout = 300, interval = 1, max_interval = 10 },
  http = { timeout = 30, connect_timeout = 5, retries = 4, backoff = 0.25 },
  sync = { timeout = 60, settle = 10, verify = true },
  test_secrets = true,
}

local Problems = {}
Problems.__index = Problems

local function new_problems()
  return setmetatable({ list = {} }, Problems)
end

function Problems:add(path, fmt, ...)
  self.list[#self.list + 1] = path .. ": " .. string.format(fmt, ...)
end

-- A missing secret keeps evaluating the file so every problem is reported.
local MISSING = setmetatable({}, { __tostring = function() return "(missing secret)" end })
M.MISSING = MISSING

-- SONARR_4K for the instance "sonarr-4k".
function M.env_prefix(name)
  return (name:upper():gsub("-", "_"))
end

local function nonempty_env(name)
  local v = host.env(name)
  if v and v ~= "" then return v end
  return nil
end

-- The API key of instance NAME from the environment: <PREFIX>_API_KEY_FILE,
-- <PREFIX>_API_KEY, the secrets dir (<name>-api-key), then <PREFIX>_CONFIG_XML.
local function env_api_key(name)
  local prefix = M.env_prefix(name)
  local value, err = secret.get(name .. "-api-key")
  if value then return value end
  local xml = nonempty_env(prefix .. "_CONFIG_XML")
  if xml then
    local v, xerr = secret.from_config_xml(xml)
    if v then return v end
    return nil, string.format("%s_CONFIG_XML %s: %s", prefix, xml, tostring(xerr))
  end
  return nil, string.format("no API key: %s (or set %s_CONFIG_XML to the app's config.xml)", tostring(err),
    prefix)
end

-- Loads the user's Lua file with secret() and env() available.
local function load_file(path, problems)
  local secrets_missing = {}
  local env = {
    secret = function(name)
      if type(name) ~= "string" then error("secret(name): name must be a string", 2) end
      local v, err = secret.get(name)
      if v then return v end
      secrets_missing[#secrets_missing + 1] = string.format("secret %q: %s", name, tostring(err))
      return MISSING
    end,
    env = function(name, default)
      if type(name) ~= "string" then error("env(name): name must be a string", 2) end
      local v = host.env(name)
      if v == nil or v == "" then return default end
      return v
    end,
    string = string, table = table, math = math, tostring = tostring, tonumber = tonumber,
    ipairs = ipairs, pairs = pairs, type = type, error = error, assert = assert, select = select,
  }
  local chunk, err = host.loadfile(path, env)
  if not chunk then
    problems:add("config", "%s", tostring(err))
    return nil
  end
  local ok, result = pcall(chunk)
  for _, m in ipairs(secrets_missing) do problems:add("config", "%s", m) end
  if not ok then
    problems:add("config", "%s", tostring(result))
    return nil
  end
  if type(result) ~= "table" then
    problems:add("config", "%s must return a table, got %s", path, type(result))
    return nil
  end
  return result
end

local function check_keys(t, allowed, path, problems)
  for k in pairs(t) do
    if type(k) ~= "string" then
      problems:add(path, "unexpected key %s (keys are names)", tostring(k))
    elseif allowed[k] == nil then
      local names = util.sorted_keys(allowed)
      problems:add(path, "unknown key %q (valid: %s)", k, util.suggest(k, names))
    end
  end
end

local function is_url(v)
  return type(v) == "string" and v:match("^https?://[^/%s]+") ~= nil and not v:find("%s")
end

local function check_number(t, key, path, problems, opts)
  local v = t[key]
  if v == nil then return end
  if type(v) ~= "number" or v < (opts and opts.min or 0) then
    problems:add(path .. "." .. key, "expected a number >= %s, got %s", tostring(opts and opts.min or 0),
      tostring(v))
  elseif opts and opts.integer and not math.tointeger(v) then
    problems:add(path .. "." .. key, "expected a whole number, got %s", tostring(v))
  end
end

local function check_section(t, name, problems)
  if t == nil then return util.copy(DEFAULTS[name]) end
  if type(t) ~= "table" then
    problems:add(name, "expected a table, got %s", type(t))
    return util.copy(DEFAULTS[name])
  end
  local allowed = {}
  for k in pairs(DEFAULTS[name]) do allowed[k] = true end
  check_keys(t, allowed, name, problems)
  local out = util.copy(DEFAULTS[name])
  for k, def in pairs(DEFAULTS[name]) do
    local v = t[k]
    if v ~= nil then
      if type(def) == "boolean" then
        if type(v) ~= "boolean" then
          problems:add(name .. "." .. k, "expected true or false, got %s", tostring(v))
        else out[k] = v end
      else
        check_number(t, k, name, problems, { integer = k == "retries", min = 0 })
        if type(v) == "number" then out[k] = v end
      end
    end
  end
  return out
end

local TAG_PATTERN = "^[a-z0-9-]+$"

local function check_tags(v, path, problems)
  if v == nil then return nil end
  if type(v) ~= "table" or not util.is_list(v) then
    problems:add(path, "expected a list of tag labels, got %s", type(v))
    return nil
  end
  local out = {}
  for i, label in ipairs(v) do
    if type(label) ~= "string" or not label:lower():match(TAG_PATTERN) then
      problems:add(string.format("%s[%d]", path, i), "tag labels use a-z, 0-9 and - only, got %s",
        tostring(label))
    else
      out[#out + 1] = label:lower()
    end
  end
  return out
end

local function check_secret_values(v, path, problems)
  if v == MISSING then
    problems:add(path, "secret is missing (see above)")
    return
  end
  if type(v) == "table" then
    for k, x in pairs(v) do check_secret_values(x, path .. "." .. tostring(k), problems) end
  end
end

-- One provider item: { name, implementation, fields, tags, enable, priority, force_save, ... }.
local function check_item(item, path, problems, opts)
  if type(item) ~= "table" then
    problems:add(path, "expected a table, got %s", type(item))
    return nil
  end
  check_secret_values(item, path, problems)
  if type(item.name) ~= "string" or util.trim(item.name) == "" then
    problems:add(path .. ".name", "required: a non-empty string")
  elseif item.name:match(" %(Prowlarr%)$") and not opts.prowlarr then
    problems:add(path .. ".name", "%q: names ending in \" (Prowlarr)\" belong to Prowlarr's indexer sync",
      item.name)
  end
  if item.implementation == nil and not opts.implementation_optional then
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
  local out = util.copy(item)
  out.tags = check_tags(item.tags, path .. ".tags", problems)
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

local function check_list(v, path, problems, opts)
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

local function check_prune(v, path, keys, problems)
  if v == nil then return {} end
  if type(v) ~= "table" then
    problems:add(path, "expected a table of kind = true|false")
    return {}
  end
  local allowed = {}
  for _, k in ipairs(keys) do allowed[k] = true end
  check_keys(v, allowed, path, problems)
  for k, x in pairs(v) do
    if type(x) ~= "boolean" then problems:add(path .. "." .. tostring(k), "expected true or false") end
  end
  return util.copy(v)
end


-- A keyed set (kinds.lua engine "keyed"): a list of tables, identity fields
-- required, each field checked by the validator the descriptor names.
local FIELD_CHECKS = {
  absolute_path = function(v)
    return type(v) == "string" and v:sub(1, 1) == "/", "an absolute path"
  end,
  string = function(v)
    return type(v) == "string" and util.trim(v) ~= "", "a non-empty string"
  end,
}

local function check_keyed(v, path, kind, problems)
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
      check_secret_values(x, p, problems)
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

local SYNC_LEVELS = { disabled = 1, addonly = 1, fullsync = 1 }

-- prowlarr.applications: instance name = {} or false. TARGETS: the declared
-- Sonarr/Radarr/... instances, enabled or not: name -> { application_name,
-- enabled, rank }.
local function check_applications(v, path, targets, problems)
  if v == nil then return {} end
  if type(v) ~= "table" then
    problems:add(path, "expected a table: instance name = {} or false")
    return {}
  end
  local allowed = {}
  for name in pairs(targets) do allowed[name] = true end
  check_keys(v, allowed, path, problems)
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
      check_secret_values(a, p, problems)
      local c = util.copy(a)
      c.tags = check_tags(a.tags, p .. ".tags", problems)
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

local COMMON_KEYS = { url = true, api_key = true, tags = true, prune = true, enabled = true, type = true }

-- Checks the file's table T of instance NAME against the kinds of its type
-- module MOD. CTX.targets: see check_applications.
local function check_instance(icfg, t, mod, ctx, problems)
  local name = icfg.name
  local is_prowlarr = mod.family == "prowlarr"
  local allowed = util.copy(COMMON_KEYS)
  allowed[is_prowlarr and "url_from_apps" or "url_from_prowlarr"] = true
  local keys = {}
  local known = mod.known_kinds or mod.kinds
  for _, kind in ipairs(known) do
    allowed[kind.key] = true
    if not util.contains(keys, kind.key) then keys[#keys + 1] = kind.key end
  end
  check_keys(t, allowed, name, problems)
  icfg.url, icfg.api_key = t.url, t.api_key
  icfg.tags = check_tags(t.tags, name .. ".tags", problems)
  for _, key in ipairs({ "url", "url_from_prowlarr", "url_from_apps" }) do
    if t[key] ~= nil and not is_url(t[key]) then
      problems:add(name .. "." .. key, "expected an http(s):// URL, got %s", tostring(t[key]))
    end
  end
  icfg.url_from_prowlarr, icfg.url_from_apps = t.url_from_prowlarr, t.url_from_apps
  if t.api_key == MISSING then
    problems:add(name .. ".api_key", "secret is missing (see above)")
  elseif t.api_key ~= nil and (type(t.api_key) ~= "string" or t.api_key == "") then
    problems:add(name .. ".api_key", "expected a non-empty string")
  end
  for _, kind in ipairs(known) do
    local shape, path = kinds.shape(kind), name .. "." .. kind.key
    if shape == "per_instance" then
      icfg.items[kind.key] = check_applications(t[kind.key], path, ctx.targets, problems)
    elseif shape == "keyed" then
      icfg.items[kind.key] = check_keyed(t[kind.key], path, kind, problems)
    else
      icfg.items[kind.key] = check_list(t[kind.key], path, problems,
        { prowlarr = is_prowlarr, example = kind.example })
    end
  end
  icfg.prune = check_prune(t.prune, name .. ".prune", keys, problems)
end

-- Fills URL and key from the instance's environment prefix where the file
-- left them out.
local function complete_from_env(icfg, is_prowlarr, problems)
  local name, up = icfg.name, icfg.env_prefix
  icfg.url = icfg.url or nonempty_env(up .. "_URL")
  if not icfg.url then
    problems:add(name .. ".url", "missing (set %s_URL or %s.url)", up, name)
  elseif not is_url(icfg.url) then
    problems:add(name .. ".url", "%s_URL: expected an http(s):// URL, got %s", up, icfg.url)
  end
  if icfg.api_key == nil then
    local key, err = env_api_key(name)
    if key then icfg.api_key = key else problems:add(name .. ".api_key", "%s", err) end
  end
  if is_prowlarr then
    icfg.url_from_apps = icfg.url_from_apps or nonempty_env(up .. "_URL_FROM_APPS") or icfg.url
  else
    icfg.url_from_prowlarr = icfg.url_from_prowlarr or nonempty_env(up .. "_URL_FROM_PROWLARR") or icfg.url
  end
  for _, key in ipairs({ "url_from_prowlarr", "url_from_apps" }) do
    if icfg[key] and not is_url(icfg[key]) then
      problems:add(name .. "." .. key, "expected an http(s):// URL, got %s", tostring(icfg[key]))
    end
  end
end

local NAME_PATTERN = "^[a-z][a-z0-9_-]*$"
local NAME_RULE = "instance names are lower-case letters, digits, - and _, starting with a letter"

-- The instances the file, STARRHOST_INSTANCES and <TYPE>_URL declare:
-- name -> { name, type, t (the file's table or nil), enabled }, and the
-- names in declaration order.
local function declare(file, run_options, problems)
  local decl, names = {}, {}
  local function add(name, ty, t, enabled)
    decl[name] = { name = name, type = ty, t = t, enabled = enabled }
    names[#names + 1] = name
  end
  for _, name in ipairs(util.sorted_keys(file)) do
    local t = file[name]
    if type(name) ~= "string" then
      problems:add("config", "unexpected key %s (keys are run options or instance names)", tostring(name))
    elseif not run_options[name] then
      local is_table = type(t) == "table" and t ~= MISSING
      if t == false and name:match(NAME_PATTERN) then
        -- Disabled; its type may come from STARRHOST_INSTANCES, and does not matter.
        add(name, types.is_type(name) and name or nil, nil, false)
      elseif not types.is_type(name) and not (is_table and t.type ~= nil) then
        -- Neither a type name nor a table with a type: most likely a typo.
        local valid = util.sorted_keys(run_options)
        for _, ty in ipairs(types.NAMES) do valid[#valid + 1] = ty end
        problems:add("config", "unknown key %q (valid: %s; or an instance: [\"name\"] = { type = \"sonarr\", "
          .. "... })", name, util.suggest(name, valid))
      elseif not name:match(NAME_PATTERN) then
        problems:add(name, "%s", NAME_RULE)
      elseif not is_table then
        problems:add(name, "expected a table or false, got %s", type(t))
      else
        local ty = is_table and t.type or name
        if not types.is_type(ty) then
          problems:add(name .. ".type", "unknown type %q (types: %s)", tostring(ty),
            util.suggest(tostring(ty), types.NAMES))
        else
          add(name, ty, t, t.enabled ~= false)
        end
      end
    end
  end
  local listed = nonempty_env("STARRHOST_INSTANCES")
  for entry in (listed or ""):gmatch("[^,]+") do
    entry = util.trim(entry)
    local name, ty = entry:match("^([^=]*)=(.*)$")
    name, ty = util.trim(name or entry), util.trim(ty or entry)
    local where = "STARRHOST_INSTANCES " .. entry
    if not name:match(NAME_PATTERN) then
      problems:add(where, "%s", NAME_RULE)
    elseif not types.is_type(ty) then
      problems:add(where, "unknown type %q (types: %s)", ty, util.suggest(ty, types.NAMES))
    elseif run_options[name] then
      problems:add(where, "%q is a run option, not an instance name", name)
    elseif decl[name] then
      if decl[name].type == nil then
        decl[name].type = ty
      elseif decl[name].type ~= ty then
        problems:add(where, "the config file makes %s a %s", name, decl[name].type)
      end
    else
      add(name, ty, nil, true)
    end
  end
  for _, ty in ipairs(types.NAMES) do
    if not decl[ty] then add(ty, ty, nil, nonempty_env(M.env_prefix(ty) .. "_URL") ~= nil) end
  end
  return decl, names
end

-- Run order: by type (types.NAMES, Prowlarr last), an instance named like
-- its type first, then by name.
local function run_order(a, b)
  local ra, rb = types.rank(a.type), types.rank(b.type)
  if ra ~= rb then return ra < rb end
  if (a.name == a.type) ~= (b.name == b.type) then return a.name == a.type end
  return a.name < b.name
end

-- options: host.options ({ config = path, only = {...}, timeout = s }).
-- Returns cfg or nil, { "message", ... }. cfg.instances: name -> instance
-- config; cfg.order: the names this run handles; cfg.excluded: name -> the
-- instances --only leaves out ({ name, type, application_name }).
function M.load(options)
  options = options or {}
  local problems = new_problems()
  local file = {}
  if options.config then
    file = load_file(options.config, problems)
    if not file then return nil, problems.list end
  end
  local run_options = {}
  for k in pairs(DEFAULTS) do run_options[k] = true end

  local cfg = {
    wait = check_section(file.wait, "wait", problems),
    http = check_section(file.http, "http", problems),
    sync = check_section(file.sync, "sync", problems),
    test_secrets = DEFAULTS.test_secrets,
    instances = {},
    order = {},
    excluded = {},
  }
  if file.test_secrets ~= nil then
    if type(file.test_secrets) ~= "boolean" then problems:add("test_secrets", "expected true or false")
    else cfg.test_secrets = file.test_secrets end
  end
  if options.timeout then cfg.wait.timeout = options.timeout end

  local decl, declared = declare(file, run_options, problems)

  local only
  if options.only then
    only = {}
    for _, n in ipairs(options.only) do
      if not decl[n] then
        problems:add("--only", "unknown instance %q (instances: %s)", n, util.suggest(n, declared))
      end
      only[n] = true
    end
  end

  -- Type modules: a broken one (a patched script) fails its instances only.
  local mods, load_errors = {}, {}
  local function type_module(ty)
    if mods[ty] == nil and load_errors[ty] == nil then
      local ok, mod = pcall(types.load, ty)
      if ok then mods[ty] = mod else load_errors[ty] = tostring(mod) end
    end
    return mods[ty], load_errors[ty]
  end
  local function application_name(d)
    local mod = type_module(d.type)
    if d.name ~= d.type then return d.name end
    return mod and mod.display or (d.type:sub(1, 1):upper() .. d.type:sub(2))
  end

  local targets, enabled, prowlarrs = {}, {}, {}
  local ranked = {}
  for _, name in ipairs(declared) do ranked[#ranked + 1] = decl[name] end
  table.sort(ranked, run_order)
  for i, d in ipairs(ranked) do
    if d.type and d.type ~= "prowlarr" then
      targets[d.name] = { application_name = application_name(d), enabled = d.enabled, rank = i }
    end
  end
  for _, name in ipairs(declared) do
    local d = decl[name]
    if d.enabled then
      enabled[#enabled + 1] = d
      if d.type == "prowlarr" then prowlarrs[#prowlarrs + 1] = name end
    end
  end
  if #prowlarrs > 1 then
    problems:add("config", "one Prowlarr instance per run, got %s", table.concat(prowlarrs, ", "))
  end
  table.sort(enabled, run_order)

  local seen_urls = {}
  for _, d in ipairs(enabled) do
    if only and not only[d.name] then
      -- Configured, but left out of this run by --only.
      cfg.excluded[d.name] = { name = d.name, type = d.type, application_name = application_name(d) }
    else
      local icfg = { name = d.name, type = d.type, env_prefix = M.env_prefix(d.name), items = {}, prune = {},
        application_name = application_name(d) }
      local mod, load_error = type_module(d.type)
      if mod then
        check_instance(icfg, d.t or {}, mod, { targets = targets }, problems)
      else
        icfg.load_error = load_error
        check_instance(icfg, {}, { family = d.type, kinds = {} }, { targets = targets }, problems)
      end
      complete_from_env(icfg, d.type == "prowlarr", problems)
      local url = icfg.url_from_prowlarr
      if url and d.type ~= "prowlarr" then
        local key = util.strip_slash(url):lower()
        if seen_urls[key] then
          problems:add(d.name .. ".url", "%s is also the URL of %s: one app, one instance", url,
            seen_urls[key])
        end
        seen_urls[key] = d.name
      end
      cfg.instances[d.name] = icfg
      cfg.order[#cfg.order + 1] = d.name
    end
  end
  if #cfg.order == 0 and #problems.list == 0 then
    problems:add("config", "no instance enabled: set SONARR_URL, RADARR_URL, PROWLARR_URL, ... (and "
      .. "STARRHOST_INSTANCES for more of one type) or configure one in the config file")
  end
  if #problems.list > 0 then return nil, problems.list end
  return cfg
end

return M
