-- Configuration: instances (DESIGN section 9) from the --config file, from
-- STARRHOST_INSTANCES and from <TYPE>_URL, each completed from its
-- environment prefix (section 5), validated in one pass before any network
-- call against the kinds its type has (kinds.lua). Returns the configuration
-- or a list of problems, one message each.
local host = require "host"
local json = require "host.json"
local secret = require "host.secret"
local kinds = require "kinds"
local types = require "types"
local util = require "util"
local validate = require "validate"
local values = require "values"

local M = {}

local MISSING = validate.MISSING
M.MISSING = MISSING
local check_keys, check_tags, is_url = validate.check_keys, validate.check_tags, validate.is_url

local DEFAULTS = {
  wait = { timeout = 300, interval = 0.01, max_interval = 10 },
  http = { timeout = 30, connect_timeout = 5, retries = 4, backoff = 0.25 },
  sync = { timeout = 60, settle = 10, verify = true },
  test_secrets = true,
}

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
    -- JSON null, for a field whose value is null (starrhost export writes it).
    null = json.null,
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


local COMMON_KEYS = { url = true, api_key = true, tags = true, prune = true, enabled = true, type = true }

-- Checks the file's table T of instance NAME against the kinds of its type
-- module MOD: each kind checked by its engine's check() (or the type's own,
-- mod.check[key]). CTX.targets: see prowlarr.lua check_applications.
local function check_instance(icfg, t, mod, ctx, problems)
  local name = icfg.name
  local is_prowlarr = mod.family == "prowlarr"
  local allowed = util.copy(COMMON_KEYS)
  allowed[is_prowlarr and "url_from_apps" or "url_from_prowlarr"] = true
  local keys = {}
  local known = mod.known_kinds or mod.kinds
  for _, kind in ipairs(known) do
    allowed[kind.key] = true
    -- prune keys: the kinds whose engine can delete (not the singletons).
    if not util.contains(keys, kind.key) and kinds.engine(kind).prunable ~= false then
      keys[#keys + 1] = kind.key
    end
  end
  check_keys(t, allowed, name, problems)
  icfg.url, icfg.api_key = t.url, t.api_key
  icfg.tags = check_tags(t.tags, name .. ".tags", problems)
  for _, key in ipairs({ "url", "url_from_prowlarr", "url_from_apps" }) do
    if t[key] ~= nil and not is_url(t[key]) then
      problems:add(name .. "." .. key, "expected an http(s):// URL, got %s",
        util.mask_userinfo(tostring(t[key])))
    end
  end
  icfg.url_from_prowlarr, icfg.url_from_apps = t.url_from_prowlarr, t.url_from_apps
  if t.api_key == MISSING then
    problems:add(name .. ".api_key", "secret is missing (see above)")
  elseif t.api_key ~= nil and (type(t.api_key) ~= "string" or t.api_key == "") then
    problems:add(name .. ".api_key", "expected a non-empty string")
  end
  for _, kind in ipairs(known) do
    local check = mod.check and mod.check[kind.key] or kinds.engine(kind).check
    icfg.items[kind.key] = check(t[kind.key], name .. "." .. kind.key, kind, problems,
      { family = mod.family, targets = ctx.targets })
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
    problems:add(name .. ".url", "%s_URL: expected an http(s):// URL, got %s", up,
      util.mask_userinfo(icfg.url))
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
      problems:add(name .. "." .. key, "expected an http(s):// URL, got %s",
        util.mask_userinfo(tostring(icfg[key])))
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
  local problems = validate.new_problems()
  local file = {}
  if options.config then
    file = load_file(options.config, problems)
    if not file then return nil, problems.list end
  end
  local run_options = {}
  for k in pairs(DEFAULTS) do run_options[k] = true end
  -- Values JSON cannot carry fail here, not in a write after others were made.
  for _, p in ipairs(values.json_problems(file)) do problems.list[#problems.list + 1] = p end

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
          problems:add(d.name .. ".url", "%s is also the URL of %s: one app, one instance",
            util.mask_userinfo(url), seen_urls[key])
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
