-- The REST client of one app: URL base, API prefix, key header, JSON bodies,
-- and retries. GET, PUT and DELETE are retried on transport errors, 5xx and
-- 429 (at least `retries` times, then until `retry_for` seconds have passed
-- since the first failure); a POST only when its caller says so (create.lua
-- re-reads and decides). An app that rejects the key (401) or stays
-- unreachable after the retries is marked (client.lost) and later requests
-- to it fail at once: the run ends with exit 3, as at readiness.
local http = require "host.http"
local json = require "host.json"
local host = require "host"
local log = require "host.log"
local transient = require "transient"
local util = require "util"

local M = {}
local Client = {}
Client.__index = Client

-- opts: name, url, api ("v3"), api_key, timeout, connect_timeout, retries, backoff,
-- retry_for (seconds)
function M.new(opts)
  local c = setmetatable({}, Client)
  c.name = opts.name
  c.base = util.strip_slash(opts.url)
  c.api = opts.api
  c.api_key = opts.api_key
  c.timeout = opts.timeout or 30
  c.connect_timeout = opts.connect_timeout or 5
  c.retries = opts.retries or 4
  c.backoff = opts.backoff or 0.25
  c.retry_for = opts.retry_for or 0
  c.reads, c.writes = 0, 0
  return c
end

function Client:url(path, query)
  local url = self.base .. path
  if query then
    local parts = {}
    for _, k in ipairs(util.sorted_keys(query)) do parts[#parts + 1] = k .. "=" .. tostring(query[k]) end
    url = url .. "?" .. table.concat(parts, "&")
  end
  return url
end

function Client:api_path(path)
  return "/api/" .. self.api .. "/" .. path
end

local function retry_after(res)
  local v = res and res.headers and tonumber(res.headers["retry-after"])
  if v and v >= 0 then return math.min(v, 30) end
  return nil
end

-- One exchange. opts: method, path (full, from the app root), body (a table,
-- encoded here) or raw_body with content_type, query, auth (default true),
-- retry (default: not for POST), timeout, max_redirects. Returns res (with
-- res.data when the body is JSON) or nil, err where err = { kind =
-- "connect"|..., message }.
function Client:request(opts)
  local method = opts.method or "GET"
  local writes = method ~= "GET" and method ~= "HEAD"
  if writes and host.dry_run and not opts.read_only then
    error(string.format("%s: %s %s attempted during a dry run", self.name, method, opts.path), 2)
  end
  local headers = { ["Accept"] = "application/json" }
  if opts.auth ~= false then headers["X-Api-Key"] = self.api_key end
  local body
  if opts.raw_body ~= nil then
    -- A body that is not JSON (the forms login): sent as given.
    body = opts.raw_body
    headers["Content-Type"] = opts.content_type
  elseif opts.body ~= nil then
    local err
    body, err = json.encode(opts.body)
    if not body then
      error(string.format("%s: cannot encode body for %s: %s", self.name, opts.path, err), 2)
    end
    headers["Content-Type"] = "application/json"
  end
  if self.lost then return nil, { kind = self.lost.kind, message = self.lost.message } end
  local retry = opts.retry
  if retry == nil then retry = method ~= "POST" end
  local url = self:url(opts.path, opts.query)
  -- Once a request spent the whole budget on transient failures, the app is
  -- failing for good: later requests get the quick retries only.
  local budget = transient.budget(self.exhausted and 0 or self.retry_for)
  local res, err
  local attempt = 0
  while true do
    attempt = attempt + 1
    local started = host.now()
    res, err = http.request{
      method = method, url = url, headers = headers, body = body,
      timeout = opts.timeout or self.timeout, connect_timeout = self.connect_timeout,
      read_only = opts.read_only or nil, max_redirects = opts.max_redirects,
    }
    if writes and not opts.read_only then self.writes = self.writes + 1 else self.reads = self.reads + 1 end
    log.debug("%s: %s %s -> %s (%.0f ms)", self.name, method, url:sub(#self.base + 1),
      res and tostring(res.status) or tostring(err), (host.now() - started) * 1000)
    if not retry or not transient.response(res, err) then break end
    local wait = retry_after(res) or transient.backoff(self.backoff, attempt)
    local fits = budget:fits(wait) -- the budget runs from the first failure
    if attempt > self.retries and not fits then
      self.exhausted = true
      break
    end
    log.info("%s: %s %s: %s; retrying in %.1fs (attempt %d)", self.name, method, opts.path,
      res and ("HTTP " .. res.status) or util.mask_userinfo(tostring(err)), wait, attempt + 1)
    host.sleep(wait)
  end
  -- live: set by wait.lua once the app answered with the key (a 401 before
  -- that is readiness' to report).
  if self.live and res and res.status == 401 and opts.auth ~= false then
    -- The key was accepted at readiness: it was revoked or rotated mid-run.
    self.lost = { kind = "rejected", message = "API key rejected (HTTP 401)" }
    log.error("API key rejected by %s (HTTP 401) during the run; nothing more is sent to it", self.name)
  elseif self.live and not res and retry and transient.response(res, err) then
    local why = util.mask_userinfo(tostring(err))
    self.lost = { kind = err.kind or "transport", message = "stopped answering: " .. why }
    log.error("%s stopped answering during the run (%s); nothing more is sent to it", self.name, why)
  end
  if not res then
    return nil, { kind = err.kind or "transport", message = util.mask_userinfo(tostring(err)) }
  end
  if res.body and #res.body > 0 then
    local ctype = res.headers and res.headers["content-type"] or ""
    if ctype:find("json", 1, true) or res.body:match("^%s*[%[{]") then
      -- Kept for get(): a truncated body is not a missing URL base.
      res.data, res.decode_error = json.decode(res.body)
    end
  end
  return res
end

local function status_error(res)
  local msg = "HTTP " .. res.status
  local d = res.data
  if type(d) == "table" then
    local detail = d.message or d.errorMessage or d.title
    if type(detail) == "string" then msg = msg .. ": " .. detail end
  elseif res.body and #res.body > 0 and #res.body < 200 and not res.body:find("<", 1, true) then
    msg = msg .. ": " .. res.body
  end
  return { kind = "status", status = res.status, message = util.mask_userinfo(msg), res = res }
end
M.status_error = status_error

-- GET an API path; returns the decoded body or nil, err (transport or status).
function Client:get(path, query)
  local res, err = self:request{ method = "GET", path = self:api_path(path), query = query }
  if not res then return nil, err end
  if res.status < 200 or res.status > 299 then return nil, status_error(res) end
  if res.data == nil then
    local msg = "response is not JSON (is the URL base missing from the URL?)"
    if res.decode_error then
      msg = "response claims to be JSON but does not decode (truncated?): " .. tostring(res.decode_error)
    end
    return nil, { kind = "status", status = res.status, message = msg }
  end
  return res.data
end

-- A write to an API path; returns the raw response (any status) or nil, err.
function Client:send(method, path, body, query, opts)
  opts = opts or {}
  return self:request{ method = method, path = self:api_path(path), body = body, query = query,
    retry = opts.retry, read_only = opts.read_only, timeout = opts.timeout }
end

return M
