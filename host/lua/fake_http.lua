-- The fake transport of host.test: routes and replays of --record files,
-- served through an object with host.http's API. Loaded by testlib.c with
-- the helpers table (read_file); test.lua wraps it as t.fake_http().
--
-- One proxy object stands in for host.http for the whole test file: a module
-- that captured it (local http = require "host.http") in one test talks to
-- whichever fake the next test installs, and never to the network.
local helpers = ...
local read_file = helpers.read_file

local json = require "host.json"

local M = {}

local OPTIONS = { method = true, url = true, headers = true, body = true, timeout = true,
  connect_timeout = true, max_bytes = true, ca_file = true, tls_verify = true, max_redirects = true,
  read_only = true }
local METHODS = { GET = true, HEAD = true, POST = true, PUT = true, PATCH = true, DELETE = true }
local ERROR_MT = { __tostring = function(e) return tostring(e.message) end }

local active -- the installed fake, or nil
local original -- package.loaded["host.http"] before the first install
local installed = false

-- ---- small helpers ----

local function split_url(url)
  local base, query = url:match("^([^?#]*)%??([^#]*)")
  local origin, path = base:match("^(%a[%w+.-]*://[^/]*)(.*)$")
  if not origin then origin, path = "", base end
  if path == "" then path = "/" end
  return origin, path, query
end

local function unescape(s)
  s = s:gsub("%+", " ")
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local function parse_query(query)
  local out = {}
  for pair in query:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    out[unescape(k)] = unescape(v)
  end
  return out
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local B64_INDEX = {}
for i = 1, 64 do B64_INDEX[B64:sub(i, i)] = i - 1 end

local function base64_decode(s)
  local out, bits, nbits = {}, 0, 0
  for c in s:gmatch("[^=%s]") do
    local v = B64_INDEX[c]
    if not v then return nil end
    bits = (bits << 6) | v
    nbits = nbits + 6
    if nbits >= 8 then
      nbits = nbits - 8
      out[#out + 1] = string.char((bits >> nbits) & 0xff)
    end
  end
  return table.concat(out)
end

-- "***" in a recorded string stands for any text: the recorder wrote it in
-- place of a secret (API key in the URL, a registered secret in a body).
local function wild_pattern(s)
  local parts = {}
  local i = 1
  while true do
    local a, b = s:find("***", i, true)
    parts[#parts + 1] = s:sub(i, a and a - 1 or #s):gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
    if not a then break end
    parts[#parts + 1] = ".*"
    i = b + 1
  end
  return "^" .. table.concat(parts) .. "$"
end

local function wild_equal(actual, recorded)
  if type(actual) ~= "string" or type(recorded) ~= "string" then return false end
  if actual == recorded then return true end
  return recorded:find("***", 1, true) ~= nil and actual:find(wild_pattern(recorded)) ~= nil
end

local function show(v)
  if v == json.null then return "null" end
  if type(v) == "table" then
    local s = json.encode(v)
    if s then return #s > 200 and (s:sub(1, 200) .. "...") or s end
  end
  if type(v) == "string" then return string.format("%q", #v > 200 and (v:sub(1, 200) .. "...") or v) end
  return tostring(v)
end

local function join(path, k)
  if type(k) == "number" then return path .. "[" .. k .. "]" end
  return path .. "." .. tostring(k)
end

-- First difference between a live JSON value and a recorded one, or nil.
local function json_diff(actual, recorded, path)
  if type(recorded) == "string" then
    if wild_equal(actual, recorded) then return nil end
    return path, string.format("recorded %s, sent %s", show(recorded), show(actual))
  end
  if type(recorded) ~= "table" or recorded == json.null or type(actual) ~= "table" or actual == json.null then
    if actual == recorded and math.type(actual) == math.type(recorded) then return nil end
    return path, string.format("recorded %s, sent %s", show(recorded), show(actual))
  end
  if json.is_array(recorded) ~= json.is_array(actual) then
    return path, string.format("recorded %s, sent %s", show(recorded), show(actual))
  end
  for k, rv in pairs(recorded) do
    local p, d = json_diff(actual[k], rv, join(path, k))
    if p then return p, d end
  end
  for k, av in pairs(actual) do
    if recorded[k] == nil then return join(path, k), "not recorded, sent " .. show(av) end
  end
  return nil
end

-- nil when the live body matches the recorded one, else a description.
local function body_difference(live, recorded)
  if recorded == nil then
    if live == nil or live == "" then return nil end
    return "the recording has no request body, the request sent " .. show(live)
  end
  if live == nil then return "the request sent no body, the recording has " .. show(recorded) end
  if wild_equal(live, recorded) then return nil end
  local rv = json.decode(recorded)
  local lv = json.decode(live)
  if rv ~= nil and lv ~= nil then
    local p, d = json_diff(lv, rv, "body")
    if not p then return nil end
    return p .. ": " .. d
  end
  return string.format("recorded %s, sent %s", show(recorded), show(live))
end

-- ---- routes ----

-- "/api/v3/downloadclient/{id}" matches one path segment for {id}; a
-- trailing "*" matches the rest; a pattern with "?" also matches the query;
-- one that starts with a scheme also matches the origin.
local function compile_route(pattern)
  local parts = {}
  local i = 1
  local src = pattern
  local star = src:sub(-1) == "*"
  if star then src = src:sub(1, -2) end
  local names = {}
  while true do
    local a, b, name = src:find("{([%w_]+)}", i)
    parts[#parts + 1] = src:sub(i, a and a - 1 or #src):gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
    if not a then break end
    parts[#parts + 1] = "([^/?]+)"
    names[#names + 1] = name
    i = b + 1
  end
  return { lua = "^" .. table.concat(parts) .. (star and ".*" or "") .. "$", names = names,
    with_query = pattern:find("?", 1, true) ~= nil, with_origin = pattern:find("^%a[%w+.-]*://") ~= nil }
end

local function route_subject(route, req)
  local s = route.compiled.with_origin and (req.origin .. req.path) or req.path
  if route.compiled.with_query and req.raw_query ~= "" then s = s .. "?" .. req.raw_query end
  return s
end

local function route_match(route, req)
  if route.method ~= "*" and route.method ~= req.method then return nil end
  local caps = { route_subject(route, req):match(route.compiled.lua) }
  if caps[1] == nil and not route_subject(route, req):find(route.compiled.lua) then return nil end
  local params = {}
  for k, name in ipairs(route.compiled.names) do params[name] = caps[k] end
  return params
end

local function copy(v)
  if type(v) ~= "table" or v == json.null then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  if json.is_array(v) then return json.array(out) end
  return out
end

-- A handler's answer as host.http would give it: {status, headers, body, url}.
local function make_response(res, req)
  if type(res) == "number" then res = { status = res } end
  if type(res) ~= "table" then
    error(string.format("fake http: the route for %s %s returned a %s; expected a response table",
      req.method, req.url, type(res)), 0)
  end
  local headers = {}
  for k, v in pairs(res.headers or {}) do headers[string.lower(k)] = tostring(v) end
  local body = res.body
  if type(body) == "table" then
    body = assert(json.encode(body))
    headers["content-type"] = headers["content-type"] or "application/json"
  end
  local status = math.tointeger(res.status or 200) or 200
  return { status = status, headers = headers, body = body or "", url = req.url }
end

local function make_error(err)
  if type(err) == "string" then err = { kind = "connect", message = err } end
  local out = { kind = err.kind or "connect", message = err.message or err.kind or "error" }
  return setmetatable(out, ERROR_MT)
end

-- ---- the fake ----

local Fake = {}
Fake.__index = Fake

-- ctx: fail(level, message) raising a test failure that names the caller;
-- resolve(path) for paths relative to the test file.
function M.new(ctx)
  local fake = setmetatable({ ctx = ctx, routes = {}, recorded = {}, requests = {}, failures = {} }, Fake)
  -- Methods also work as fake.route(...), without the colon.
  for name, fn in pairs(Fake) do
    if type(fn) == "function" and name:sub(1, 1) ~= "_" then
      fake[name] = function(first, ...)
        if first == fake then return fn(fake, ...) end
        return fn(fake, first, ...)
      end
    end
  end
  return fake
end

function Fake:route(method, pattern, handler)
  if type(method) ~= "string" or not (method == "*" or METHODS[method:upper()]) then
    error("fake.route: method must be GET, POST, PUT, DELETE, PATCH, HEAD or *", 2)
  end
  if type(pattern) ~= "string" then error("fake.route: pattern must be a string", 2) end
  if type(handler) ~= "function" and type(handler) ~= "table" and type(handler) ~= "number" then
    error("fake.route: handler must be a function, a response table or a status", 2)
  end
  self.routes[#self.routes + 1] = { method = method:upper(), pattern = pattern,
    compiled = compile_route(pattern), handler = handler }
  return self
end

function Fake:replay(path)
  if type(path) ~= "string" then error("fake.replay: expected the path of a recording", 2) end
  local full = self.ctx.resolve(path)
  local text, err = read_file(full)
  if not text then error("fake.replay: " .. err, 2) end
  local n = 0
  for line in (text:sub(-1) == "\n" and text or text .. "\n"):gmatch("(.-)\r?\n") do
    n = n + 1
    if line:find("%S") then
      local ex, jerr = json.decode(line)
      if type(ex) ~= "table" or type(ex.method) ~= "string" or type(ex.url) ~= "string" then
        error(string.format("fake.replay: %s:%d: not an exchange of a recording%s", path, n,
          jerr and (": " .. jerr) or ""), 2)
      end
      local body = ex.request_body
      if body == nil and ex.request_body_base64 then body = base64_decode(ex.request_body_base64) end
      local rbody = ex.response_body
      if rbody == nil and ex.response_body_base64 then rbody = base64_decode(ex.response_body_base64) end
      self.recorded[#self.recorded + 1] = { where = path .. ":" .. n, method = ex.method, url = ex.url,
        body = body, status = ex.status, headers = ex.response_headers, response_body = rbody,
        error = ex.error, final_url = ex.final_url }
    end
  end
  return self
end

-- Recorded exchanges no request has used yet.
function Fake:pending()
  local out = {}
  for _, ex in ipairs(self.recorded) do
    if not ex.used then out[#out + 1] = ex end
  end
  return out
end

-- Fails the test when a recorded exchange was never requested.
function Fake:done()
  local left = self:pending()
  if #left == 0 then return end
  local lines = {}
  for i, ex in ipairs(left) do
    if i > 10 then lines[#lines + 1] = string.format("  ... and %d more", #left - 10) break end
    lines[#lines + 1] = string.format("  %s %s (%s)", ex.method, ex.url, ex.where)
  end
  self.ctx.fail(1, string.format("fake http: %d recorded exchange(s) never requested:\n%s", #left,
    table.concat(lines, "\n")))
end

-- The requests seen that match METHOD and a route PATTERN.
function Fake:calls(method, pattern)
  local route = { method = (method or "*"):upper(), compiled = compile_route(pattern or "*") }
  local out = {}
  for _, req in ipairs(self.requests) do
    if route_match(route, req) then out[#out + 1] = req end
  end
  return out
end

function Fake:install()
  if not installed then
    original = package.loaded["host.http"]
    installed = true
  end
  package.loaded["host.http"] = M.proxy
  active = self
  self.ctx.on_install(self)
  return self
end

function Fake:uninstall()
  if active == self then
    active = nil
    package.loaded["host.http"] = original
    installed = false
  end
end

function Fake:_fail(level, msg)
  -- Kept with its position, and raised again: the runner fails the test on
  -- it even when the code under test catches the error.
  local _, err = pcall(self.ctx.fail, level + 1, msg)
  self.failures[#self.failures + 1] = type(err) == "table" and err.message or tostring(err)
  error(err, 0)
end

function Fake:_replay(req, level)
  local first, seen = nil, 0
  for _, ex in ipairs(self.recorded) do
    if ex.method == req.method and wild_equal(req.url, ex.url) then
      if ex.used then
        seen = seen + 1
      else
        local diff = body_difference(req.body, ex.body)
        if not diff then
          ex.used = true
          req.replayed = ex.where
          if ex.error then return nil, make_error(ex.error) end
          local headers = {}
          for k, v in pairs(ex.headers or {}) do headers[k] = v end
          return { status = math.tointeger(ex.status) or 0, headers = headers, body = ex.response_body or "",
            url = req.url }
        end
        first = first or { ex = ex, diff = diff }
      end
    end
  end
  if first then
    self:_fail(level, string.format("fake http: %s %s: the request body differs from the recording (%s): %s",
      req.method, req.url, first.ex.where, first.diff))
  elseif seen > 0 then
    self:_fail(level, string.format(
      "fake http: %s %s: the recording has %d such request(s); this is one more",
      req.method, req.url, seen))
  end
  return false
end

function Fake:_request(opts, level)
  if type(opts) ~= "table" then error("host.http: request expects a table of options", level) end
  for k in pairs(opts) do
    if not OPTIONS[k] then error(string.format("host.http: unknown option '%s'", tostring(k)), level) end
  end
  if type(opts.url) ~= "string" or not opts.url:find("^https?://") then
    error("host.http: option 'url' must be an absolute http:// or https:// URL", level)
  end
  local method = opts.method or "GET"
  if type(method) ~= "string" or not METHODS[method:upper()] then
    error(string.format("host.http: unsupported method '%s'", tostring(method)), level)
  end
  if opts.body ~= nil and type(opts.body) ~= "string" then
    error("host.http: option 'body' must be a string", level)
  end
  if opts.headers ~= nil and type(opts.headers) ~= "table" then
    error("host.http: option 'headers' must be a table", level)
  end
  if opts.read_only ~= nil and type(opts.read_only) ~= "boolean" then
    error("host.http: option 'read_only' must be a boolean", level)
  end
  -- As host.http: a dry run (host.dry_run, stubbed or real) sends only GET
  -- and HEAD unless the request says it changes nothing.
  local m = type(method) == "string" and method:upper() or method
  if m ~= "GET" and m ~= "HEAD" and not opts.read_only and (package.loaded["host"] or {}).dry_run then
    error(string.format("host.http: %s refused: a dry run (plan) sends only GET and HEAD "
      .. "(set read_only = true on requests that change nothing)", tostring(m)), level)
  end
  local origin, path, raw_query = split_url(opts.url)
  local req = { method = method:upper(), url = opts.url, origin = origin, path = path, raw_query = raw_query,
    query = parse_query(raw_query), headers = copy(opts.headers or {}), body = opts.body,
    timeout = opts.timeout, read_only = opts.read_only or false }
  if req.body and req.body ~= "" then
    local v = json.decode(req.body)
    if v ~= nil then req.json = v end
  end
  self.requests[#self.requests + 1] = req

  for _, route in ipairs(self.routes) do
    local params = route_match(route, req)
    if params then
      req.params = params
      local h = route.handler
      if type(h) ~= "function" then return make_response(copy(h), req) end
      local res, err = h(req)
      if res == nil then
        if err == nil then
          error(string.format("fake http: the route for %s %s returned nothing", req.method, req.url), 0)
        end
        return nil, make_error(err)
      end
      return make_response(res, req)
    end
  end
  if #self.recorded > 0 then
    local res, err = self:_replay(req, level + 1)
    if res or err then return res, err end
  end

  local known = {}
  for i, route in ipairs(self.routes) do
    if i > 10 then known[#known + 1] = "..." break end
    known[#known + 1] = route.method .. " " .. route.pattern
  end
  local what = #self.recorded > 0 and "is not in the recording" or "has no route"
  self:_fail(level, string.format("fake http: %s %s %s%s", req.method, req.url, what,
    #known > 0 and (" (routes: " .. table.concat(known, ", ") .. ")") or ""))
end

-- ---- the proxy that stands in for host.http ----

local function dispatch(opts, level)
  if not active then
    error("host.http: no fake transport installed (the test ended, or fake.install() was not called)", level)
  end
  local res, err = active:_request(opts, level + 1)
  return res, err
end

local proxy = { user_agent = "starrhost/test" }
function proxy.request(opts)
  local res, err = dispatch(opts, 3) -- not a tail call: the level counts this frame
  return res, err
end

local function shorthand(method, with_body)
  return function(url, a, b)
    local opts = {}
    local extra = a
    if with_body then extra = b end
    if extra ~= nil and type(extra) ~= "table" then error("host.http: options must be a table", 2) end
    for k, v in pairs(extra or {}) do opts[k] = v end
    opts.method, opts.url = method, url
    if with_body then opts.body = a end
    local res, err = dispatch(opts, 3)
    return res, err
  end
end
proxy.get = shorthand("GET", false)
proxy.delete = shorthand("DELETE", false)
proxy.post = shorthand("POST", true)
proxy.put = shorthand("PUT", true)
M.proxy = proxy

-- Called by the runner after every test: nothing stays installed.
function M.reset()
  if active then active:uninstall() end
end

return M
