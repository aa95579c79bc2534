-- An in-memory stand-in for Sonarr/Radarr/Prowlarr behind host.http, for the
-- scripts' unit tests: enough of the API (auth, status, provider CRUD with
-- schema, masking, unique names, tags, root folders, commands) to drive a
-- whole run without sockets. The real-HTTP tests use tests/fakearr.
local json = require "host.json"
local util = require "util"

local M = {}
local MASK = "********"

local copy = util.copy

local function field(name, value, extra)
  local f = { name = name, value = value, type = "textbox" }
  for k, v in pairs(extra or {}) do f[k] = v end
  return f
end
M.field = field

-- Schemas: small but with the kinds of fields the engine must handle.
local function qbit(category_name)
  return {
    implementation = "QBittorrent", configContract = "QBittorrentSettings", name = "", enable = false,
    priority = 1, removeCompletedDownloads = true, removeFailedDownloads = true, tags = json.array{},
    fields = json.array{
      field("host", "localhost"), field("port", 8080, { type = "number" }),
      field("useSsl", false, { type = "checkbox" }), field("urlBase", nil),
      field("username", nil, { privacy = "userName" }),
      field("password", nil, { type = "password", privacy = "password" }),
      field(category_name, "tv-sonarr"),
      field("initialState", 0, { type = "select", selectOptions = json.array{
        { value = 0, name = "Started" }, { value = 1, name = "Force Started" }, { value = 2, name = "Stopped" } } }),
    },
  }
end

local function torznab()
  return {
    implementation = "Torznab", configContract = "TorznabSettings", name = "", enableRss = false,
    enableAutomaticSearch = false, enableInteractiveSearch = false, priority = 25, downloadClientId = 0,
    tags = json.array{},
    fields = json.array{
      field("baseUrl", nil), field("apiPath", "/api"), field("apiKey", nil, { privacy = "apiKey" }),
      field("categories", json.array{ 5030, 5040 }, { type = "select" }),
      field("minimumSeeders", 1, { type = "number" }),
      field("seedCriteria.seedRatio", nil, { type = "number", isFloat = true }),
    },
  }
end

local function application(impl, base_url, cats)
  return {
    implementation = impl, configContract = impl .. "Settings", name = "", syncLevel = "fullSync",
    tags = json.array{},
    fields = json.array{
      field("prowlarrUrl", "http://localhost:9696"), field("baseUrl", base_url),
      field("apiKey", nil, { privacy = "apiKey" }),
      field("syncCategories", json.array(cats), { type = "select" }),
    },
  }
end

local SCHEMAS = {
  sonarr = { downloadclient = { qbit("tvCategory") }, indexer = { torznab() }, notification = {} },
  radarr = { downloadclient = { qbit("movieCategory") }, indexer = { torznab() }, notification = {} },
  prowlarr = {
    applications = { application("Sonarr", "http://localhost:8989", { 5000, 5040 }),
      application("Radarr", "http://localhost:7878", { 2000, 2040 }) },
    indexerproxy = { {
      implementation = "FlareSolverr", configContract = "FlareSolverrSettings", name = "", tags = json.array{},
      fields = json.array{ field("host", "http://localhost:8191/"), field("requestTimeout", 60, { type = "number" }) },
    } },
    downloadclient = {}, notification = {}, indexer = {},
  },
}
local API = { sonarr = "v3", radarr = "v3", prowlarr = "v1" }
local NAMES = { sonarr = "Sonarr", radarr = "Radarr", prowlarr = "Prowlarr" }

local function new_app(kind, key)
  local app = { kind = kind, api = API[kind], key = key, up = true, next_id = 1, colls = {}, tags = {},
    rootfolders = {}, commands = {} }
  for coll in pairs(SCHEMAS[kind]) do app.colls[coll] = {} end
  return app
end

local function secret_field(f)
  return f.privacy == "apiKey" or f.privacy == "password"
end

local function masked(item)
  local out = copy(item)
  for _, f in ipairs(out.fields or {}) do
    if secret_field(f) and f.value ~= nil and f.value ~= "" then f.value = MASK end
  end
  return out
end

local function template(app, coll, impl)
  for _, t in ipairs(SCHEMAS[app.kind][coll] or {}) do
    if t.implementation:lower() == tostring(impl):lower() then return t end
  end
end

-- Settings from a body onto the template's fields: omitted fields get the
-- default, "********" keeps the stored value on PUT.
local function store(app, coll, body, existing)
  local t = template(app, coll, body.implementation)
  local item = copy(body)
  local fields = {}
  local given = {}
  for _, f in ipairs(body.fields or {}) do given[f.name] = f end
  for i, tf in ipairs(t.fields) do
    local f = copy(tf)
    local g = given[tf.name]
    if g then
      f.value = g.value
      if g.value == json.null then f.value = nil end
      if existing and secret_field(tf) and g.value == MASK then
        for _, ef in ipairs(existing.fields) do if ef.name == tf.name then f.value = ef.value end end
      end
    end
    fields[i] = f
  end
  item.fields = json.array(fields)
  return item
end

local function reply(status, data, headers)
  return { status = status, headers = headers or { ["content-type"] = "application/json" },
    body = data ~= nil and json.encode(data) or "" }
end

local function validation(prop, msg, warning)
  return reply(400, json.array{ { propertyName = prop, errorMessage = msg, severity = "error",
    isWarning = warning or false } })
end

function M.new()
  local fake = { apps = {}, log = {}, hooks = {}, deferred = {}, slept = {} }

  function fake.add(kind, base, key)
    local app = new_app(kind, key)
    fake.apps[base] = app
    return app
  end

  local function sync_prowlarr(papp, app_item)
    local target
    local base
    for _, f in ipairs(app_item.fields) do if f.name == "baseUrl" then base = f.value end end
    target = fake.apps[base]
    if not target then return end
    local purl
    for _, f in ipairs(app_item.fields) do if f.name == "prowlarrUrl" then purl = f.value end end
    for _, idx in ipairs(papp.colls.indexer) do
      local name = idx.name .. " (Prowlarr)"
      local found = false
      for _, e in ipairs(target.colls.indexer) do if e.name == name then found = true end end
      if not found then
        local item = copy(torznab())
        item.name, item.id = name, target.next_id
        target.next_id = target.next_id + 1
        item.fields[1].value = purl .. "/" .. idx.id .. "/"
        target.colls.indexer[#target.colls.indexer + 1] = item
      end
    end
  end

  -- Like the apps: every enabled item is tested as stored (the test hook
  -- decides), failures without isWarning; 400 with the same array if any failed.
  local function enabled(item)
    if item.syncLevel ~= nil then return item.syncLevel ~= "disabled" end
    if item.enable ~= nil then return item.enable == true end
    return item.enableRss or item.enableAutomaticSearch or item.enableInteractiveSearch or false
  end
  local function testall(app, coll, list)
    if fake.hooks.testall then return fake.hooks.testall(app, coll) end
    local out, bad = {}, false
    for _, item in ipairs(list) do
      if enabled(item) then
        local r = fake.hooks.test and fake.hooks.test(app, coll, masked(item))
        local failures = {}
        if r and r.status == 400 then
          for i, f in ipairs(json.decode(r.body)) do
            failures[i] = { propertyName = f.propertyName, errorMessage = f.errorMessage, severity = "error" }
          end
        end
        bad = bad or #failures > 0
        out[#out + 1] = { id = item.id, isValid = #failures == 0, validationFailures = json.array(failures) }
      end
    end
    return reply(bad and 400 or 200, json.array(out))
  end

  local function handle(app, method, path, query, body)
    local coll, id, sub = path:match("^([%a]+)/?(%d*)/?(%a*)$")
    if path == "system/status" then
      return reply(200, { appName = NAMES[app.kind], version = "4.0.0.0", urlBase = "" })
    end
    if path == "tag" then
      if method == "GET" then return reply(200, json.array(copy(app.tags))) end
      for _, t in ipairs(app.tags) do if t.label == body.label then return reply(201, t) end end
      local t = { id = #app.tags + 1, label = body.label:lower() }
      app.tags[#app.tags + 1] = t
      return reply(201, t)
    end
    if path == "rootfolder" then
      if method == "GET" then return reply(200, json.array(copy(app.rootfolders))) end
      local rf = { id = #app.rootfolders + 1, path = body.path, accessible = true }
      app.rootfolders[#app.rootfolders + 1] = rf
      return reply(201, rf)
    end
    if coll == "command" then
      if method == "POST" then
        local c = { id = #app.commands + 1, name = body.name, status = "completed" }
        app.commands[#app.commands + 1] = c
        for _, a in ipairs(app.colls.applications or {}) do sync_prowlarr(app, a) end
        return reply(201, c)
      end
      return reply(200, app.commands[tonumber(id)])
    end
    local list = app.colls[coll]
    if not list then return reply(404, { message = "NotFound" }) end
    if sub == "schema" or id == "" and path:match("/schema$") then
      return reply(200, json.array(copy(SCHEMAS[app.kind][coll])))
    end
    if path:match("/testall$") then
      return testall(app, coll, list)
    end
    if path:match("/test$") then
      local hook = fake.hooks.test
      if hook then return hook(app, coll, body) end
      return reply(200, {})
    end
    if method == "GET" and id == "" then
      local out = {}
      for i, item in ipairs(list) do out[i] = masked(item) end
      return reply(200, json.array(out))
    end
    if method == "POST" then
      if body.id then return reply(500, { message = "Can't insert model with existing ID" }) end
      if type(body.tags) ~= "table" or not json.is_array(body.tags) then
        return reply(400, { title = "One or more validation errors occurred.", errors = { ["$.tags"] = { "bad" } } })
      end
      for _, e in ipairs(list) do
        if e.name:lower() == body.name:lower() then return validation("Name", "Should be unique") end
      end
      if not template(app, coll, body.implementation) then
        return validation("Implementation", "unknown implementation")
      end
      if fake.hooks.validate then
        local r = fake.hooks.validate(app, coll, body, query)
        if r then return r end
      end
      local item = store(app, coll, body)
      item.id = app.next_id
      app.next_id = app.next_id + 1
      list[#list + 1] = item
      if coll == "applications" and fake.defer_sync then
        -- Like Prowlarr, which syncs a saved application in the background.
        fake.deferred[#fake.deferred + 1] = function() sync_prowlarr(app, item) end
      elseif coll == "applications" then
        sync_prowlarr(app, item)
      end
      return reply(201, masked(item))
    end
    for i, e in ipairs(list) do
      if e.id == tonumber(id) then
        if method == "PUT" then
          if fake.hooks.validate then
            local r = fake.hooks.validate(app, coll, body, query)
            if r then return r end
          end
          local item = store(app, coll, body, e)
          item.id = e.id
          list[i] = item
          return reply(202, masked(item))
        elseif method == "DELETE" then
          table.remove(list, i)
          return reply(200, {})
        else
          return reply(200, masked(e))
        end
      end
    end
    return reply(404, { message = "NotFound" })
  end

  fake.http = {
    request = function(req)
      -- Like the real host.http: a dry run sends only GET/HEAD and read-only requests.
      if fake.host and fake.host.dry_run and req.method ~= "GET" and req.method ~= "HEAD" and not req.read_only then
        error("host.http: " .. req.method .. " refused: a dry run sends only GET and HEAD", 2)
      end
      local base, rest = req.url:match("^(https?://[^/]+)(.*)$")
      local app = fake.apps[base]
      local path, q = rest:match("^([^?]*)%??(.*)$")
      local writes = req.method ~= "GET" and not path:match("/test$") and not path:match("/testall$")
      local entry = { method = req.method, path = path, query = q, write = writes, app = app and app.kind }
      fake.log[#fake.log + 1] = entry
      if not app or not app.up then
        return nil, setmetatable({ kind = "connect", message = "connection refused" },
          { __tostring = function(e) return e.message end })
      end
      if path == "/ping" then return reply(200, { status = "OK" }) end
      local api_path = path:match("^/api/v%d/(.*)$")
      if not api_path then return reply(404, nil) end
      if req.headers["X-Api-Key"] ~= app.key then entry.status = 401; return reply(401, nil) end
      local body = req.body and json.decode(req.body)
      local fault = fake.fault and fake.fault(entry)
      if fault == "before" then entry.status = 503; return reply(503, { message = "injected" }) end
      local res = handle(app, req.method, api_path, q, body)
      entry.status = res.status
      if fault == "after" then entry.status = 500; return reply(500, { message = "injected" }) end
      return res
    end,
  }

  function fake.writes(kind)
    local n = 0
    for _, e in ipairs(fake.log) do
      if e.write and (not kind or e.app == kind) and e.status and e.status < 300 then n = n + 1 end
    end
    return n
  end

  -- Log lines of the last run that contain PATTERN (plain text).
  function fake.grep(pattern)
    local out = {}
    for _, l in ipairs(fake.lines or {}) do
      if l:find(pattern, 1, true) then out[#out + 1] = l end
    end
    return out
  end

  function fake.clear_log()
    fake.log = {}
  end

  return fake
end

M.MASK = MASK

local SCRIPT_MODULES = { "util", "validate", "values", "transient", "create", "client", "config", "report",
  "tags", "reconcile", "feedcheck", "keyedset", "kinds", "types", "instance", "apptype", "servarr", "sync",
  "wait", "run", "sonarr", "radarr", "lidarr", "readarr", "prowlarr", "luawriter", "export", "singleton",
  "delayprofiles", "profiles" }

-- Loads the scripts fresh against FAKE, with ENV as the environment (and
-- secrets: NAME -> value by secret name). Returns the host stub and `run`.
function M.install(fake, env, secrets)
  local real = require "host"
  local stub = { version = real.version, dry_run = false, write = function() end,
    loadfile = real.loadfile, traceback = real.traceback, options = { command = "run" },
    parallel = real.parallel }
  -- No real sleeping: recorded, the clock moved on (deadlines pass), and the
  -- background work deferred until then is done.
  fake.clock = fake.clock or 0
  stub.now = function() return real.now() + fake.clock end
  stub.sleep = function(s)
    fake.slept[#fake.slept + 1] = s
    fake.clock = fake.clock + s
    local todo = fake.deferred
    fake.deferred = {}
    for _, f in ipairs(todo) do f() end
  end
  fake.host = stub
  fake.lines = {}
  local function logger(level)
    return function(fmt, ...)
      local line = select("#", ...) > 0 and string.format(fmt, ...) or tostring(fmt)
      fake.lines[#fake.lines + 1] = level .. " " .. line
    end
  end
  package.loaded["host.log"] = { debug = function() end, info = logger("INFO"), warn = logger("WARN"),
    error = logger("ERROR"), app = function() end }
  stub.env = function(name) return env[name] end
  package.loaded["host"] = stub
  package.loaded["host.http"] = fake.http
  package.loaded["host.secret"] = {
    get = function(name)
      if secrets[name] then return secrets[name] end
      return nil, "secret " .. name .. " not found"
    end,
    from_config_xml = function() return nil, "no config.xml" end,
  }
  for _, m in ipairs(SCRIPT_MODULES) do package.loaded[m] = nil end
  return stub, require "run"
end

return M
