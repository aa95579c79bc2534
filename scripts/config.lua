-- Configuration: defaults from the environment (DESIGN section 5), then the
-- --config file, validated in one pass before any network call. Returns the
-- configuration or a list of problems, one message each.
local host = require "host"
local secret = require "host.secret"
local util = require "util"
local values = require "values"

local M = {}

-- Apps in the order they are configured; Prowlarr comes last so its
-- applications point at apps that are already set up.
M.APPS = { "sonarr", "radarr", "lidarr", "readarr", "prowlarr" }
M.TARGETS = { "sonarr", "radarr", "lidarr", "readarr" }

local LIST_KINDS = {
  prowlarr = { "applications", "indexer_proxies", "download_clients", "notifications", "indexers" },
  target = { "download_clients", "indexers", "notifications", "import_lists", "metadata" },
}

local DEFAULTS = {
  wait = { timeout = 300, interval = 0.01, max_interval = 10 },
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

local function env_name(app, suffix)
  return app:upper() .. suffix
end

local function nonempty_env(name)
  local v = host.env(name)
  if v and v ~= "" then return v end
  return nil
end

-- The API key of APP from the environment: *_API_KEY_FILE, *_API_KEY, the
-- secrets dir, then *_CONFIG_XML.
local function env_api_key(app)
  local value, err = secret.get(app .. "-api-key")
  if value then return value end
  local xml = nonempty_env(env_name(app, "_CONFIG_XML"))
  if xml then
    local v, xerr = secret.from_config_xml(xml)
    if v then return v end
    return nil, string.format("%s_CONFIG_XML %s: %s", app:upper(), xml, tostring(xerr))
  end
  return nil, string.format("no API key: %s (or set %s_CONFIG_XML to the app's config.xml)", tostring(err),
    app:upper())
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

local function check_root_folders(v, path, problems)
  if v == nil then return nil end
  if type(v) ~= "table" or not util.is_list(v) then
    problems:add(path, "expected a list of paths")
    return nil
  end
  local out = {}
  for i, rf in ipairs(v) do
    local p = string.format("%s[%d]", path, i)
    if type(rf) == "string" then rf = { path = rf } end
    if type(rf) ~= "table" or type(rf.path) ~= "string" or rf.path:sub(1, 1) ~= "/" then
      problems:add(p, "expected an absolute path or { path = ... }")
    else
      out[#out + 1] = util.copy(rf)
    end
  end
  return out
end

local function check_prune(v, path, kinds, problems)
  if v == nil then return {} end
  if type(v) ~= "table" then
    problems:add(path, "expected a table of kind = true|false")
    return {}
  end
  local allowed = {}
  for _, k in ipairs(kinds) do allowed[k] = true end
  check_keys(v, allowed, path, problems)
  for k, x in pairs(v) do
    if type(x) ~= "boolean" then problems:add(path .. "." .. tostring(k), "expected true or false") end
  end
  return util.copy(v)
end

local function check_applications(v, problems)
  if v == nil then return {} end
  if type(v) ~= "table" then
    problems:add("prowlarr.applications", "expected a table: app name = {} or false")
    return {}
  end
  local allowed = {}
  for _, t in ipairs(M.TARGETS) do allowed[t] = true end
  check_keys(v, allowed, "prowlarr.applications", problems)
  -- Application names are unique in Prowlarr: two apps must not share one.
  local names = {}
  for _, t in ipairs(M.TARGETS) do
    local a = v[t]
    local name = (type(a) == "table" and type(a.name) == "string") and a.name
      or (t:sub(1, 1):upper() .. t:sub(2))
    if a ~= false and names[name:lower()] then
      problems:add("prowlarr.applications." .. t .. ".name", "%q is also the application of %s", name,
        names[name:lower()])
    end
    names[name:lower()] = t
  end
  local out = {}
  for name, a in pairs(v) do
    local path = "prowlarr.applications." .. tostring(name)
    if a == false then
      out[name] = false
    elseif type(a) ~= "table" then
      problems:add(path, "expected a table or false")
    else
      check_secret_values(a, path, problems)
      local c = util.copy(a)
      c.tags = check_tags(a.tags, path .. ".tags", problems)
      if a.name ~= nil and (type(a.name) ~= "string" or a.name == "") then
        problems:add(path .. ".name", "expected a non-empty string")
      end
      if a.fields ~= nil and type(a.fields) ~= "table" then
        problems:add(path .. ".fields", "expected a table")
      end
      local level = a.sync_level or a.syncLevel
      if level ~= nil then
        local ok = type(level) == "string" and ({ disabled = 1, addonly = 1, fullsync = 1 })[level:lower()]
        if not ok then
          problems:add(path .. ".sync_level", "expected \"fullSync\", \"addOnly\" or \"disabled\", got %s",
            tostring(level))
        end
      end
      out[name] = c
    end
  end
  return out
end

local APP_KEYS_COMMON = {
  url = true, api_key = true, tags = true, download_clients = true, indexers = true,
  notifications = true, prune = true, enabled = true,
}

local function check_app(name, t, problems)
  local is_prowlarr = name == "prowlarr"
  local allowed = util.copy(APP_KEYS_COMMON)
  local kinds = is_prowlarr and LIST_KINDS.prowlarr or LIST_KINDS.target
  for _, k in ipairs(kinds) do allowed[k] = true end
  if is_prowlarr then
    allowed.url_from_apps = true
  else
    allowed.url_from_prowlarr = true
    allowed.root_folders = true
  end
  check_keys(t, allowed, name, problems)
  local app = { name = name, url = t.url, api_key = t.api_key, lists = {},
    tags = check_tags(t.tags, name .. ".tags", problems) }
  for _, key in ipairs({ "url", "url_from_prowlarr", "url_from_apps" }) do
    if t[key] ~= nil and not is_url(t[key]) then
      problems:add(name .. "." .. key, "expected an http(s):// URL, got %s",
        util.mask_userinfo(tostring(t[key])))
    end
  end
  app.url_from_prowlarr, app.url_from_apps = t.url_from_prowlarr, t.url_from_apps
  if t.api_key == MISSING then
    problems:add(name .. ".api_key", "secret is missing (see above)")
  elseif t.api_key ~= nil and (type(t.api_key) ~= "string" or t.api_key == "") then
    problems:add(name .. ".api_key", "expected a non-empty string")
  end
  for _, k in ipairs(kinds) do
    if k == "applications" then
      app.applications = check_applications(t.applications, problems)
    else
      app.lists[k] = check_list(t[k], name .. "." .. k, problems, {
        prowlarr = is_prowlarr,
        example = ({ indexer_proxies = "FlareSolverr", indexers = "Torznab", notifications = "Webhook" })[k],
      })
    end
  end
  if not is_prowlarr then
    app.root_folders = check_root_folders(t.root_folders, name .. ".root_folders", problems)
  end
  local prune_kinds = util.copy(kinds)
  if not is_prowlarr then prune_kinds[#prune_kinds + 1] = "root_folders" end
  app.prune = check_prune(t.prune, name .. ".prune", prune_kinds, problems)
  return app
end

-- Fills URL and key from the environment where the file left them out.
local function complete_from_env(app, problems)
  local up = app.name:upper()
  app.url = app.url or nonempty_env(up .. "_URL")
  if not app.url then
    problems:add(app.name .. ".url", "missing (set %s_URL or %s.url)", up, app.name)
  elseif not is_url(app.url) then
    problems:add(app.name .. ".url", "%s_URL: expected an http(s):// URL, got %s", up,
      util.mask_userinfo(app.url))
  end
  if app.api_key == nil then
    local key, err = env_api_key(app.name)
    if key then app.api_key = key else problems:add(app.name .. ".api_key", "%s", err) end
  end
  if app.name == "prowlarr" then
    app.url_from_apps = app.url_from_apps or nonempty_env("PROWLARR_URL_FROM_APPS") or app.url
  else
    app.url_from_prowlarr = app.url_from_prowlarr or nonempty_env(up .. "_URL_FROM_PROWLARR") or app.url
  end
  for _, key in ipairs({ "url_from_prowlarr", "url_from_apps" }) do
    if app[key] and not is_url(app[key]) then
      problems:add(app.name .. "." .. key, "expected an http(s):// URL, got %s",
        util.mask_userinfo(tostring(app[key])))
    end
  end
end

-- options: host.options ({ config = path, only = {...}, timeout = s }).
-- Returns cfg or nil, { "message", ... }.
function M.load(options)
  options = options or {}
  local problems = new_problems()
  local file = {}
  if options.config then
    file = load_file(options.config, problems)
    if not file then return nil, problems.list end
  end
  local top = { wait = true, http = true, sync = true, test_secrets = true }
  for _, a in ipairs(M.APPS) do top[a] = true end
  check_keys(file, top, "config", problems)
  -- Values JSON cannot carry fail here, not in a write after others were made.
  for _, p in ipairs(values.json_problems(file)) do problems.list[#problems.list + 1] = p end

  local cfg = {
    wait = check_section(file.wait, "wait", problems),
    http = check_section(file.http, "http", problems),
    sync = check_section(file.sync, "sync", problems),
    test_secrets = DEFAULTS.test_secrets,
    apps = {},
    order = {},
    excluded = {},
  }
  if file.test_secrets ~= nil then
    if type(file.test_secrets) ~= "boolean" then problems:add("test_secrets", "expected true or false")
    else cfg.test_secrets = file.test_secrets end
  end
  if options.timeout then cfg.wait.timeout = options.timeout end

  local only
  if options.only then
    only = {}
    for _, n in ipairs(options.only) do
      if not util.contains(M.APPS, n) then
        problems:add("--only", "unknown app %q (apps: %s)", n, util.suggest(n, M.APPS))
      end
      only[n] = true
    end
  end

  for _, name in ipairs(M.APPS) do
    local t = file[name]
    local enabled
    if t == false or (type(t) == "table" and t.enabled == false) then
      enabled = false
    elseif t ~= nil and type(t) ~= "table" then
      problems:add(name, "expected a table or false, got %s", type(t))
      enabled = false
    else
      enabled = t ~= nil or nonempty_env(name:upper() .. "_URL") ~= nil
    end
    if enabled and (not only or only[name]) then
      local app = check_app(name, t or {}, problems)
      complete_from_env(app, problems)
      cfg.apps[name] = app
      cfg.order[#cfg.order + 1] = name
    elseif enabled then
      -- Configured, but left out of this run by --only.
      cfg.excluded[name] = true
    end
  end
  if #cfg.order == 0 and #problems.list == 0 then
    problems:add("config", "no app enabled: set SONARR_URL, RADARR_URL, PROWLARR_URL, ... or configure one "
      .. "in the config file")
  end
  if #problems.list > 0 then return nil, problems.list end
  return cfg
end

return M
