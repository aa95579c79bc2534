-- Which failures are worth trying again, and how long to wait before the
-- next try. Transient: HTTP 5xx and 429, timeouts, refused or reset
-- connections, also when an app reports them inside a validation failure
-- (Prowlarr's application test crosses Prowlarr -> app -> Prowlarr's feed
-- and words what went wrong on the way). Anything else is final.
local host = require "host"

local M = {}

-- Transport error kinds of host.http that a later try may not meet.
local KINDS = { connect = true, timeout = true, dns = true, protocol = true }

function M.status(status)
  return status ~= nil and (status >= 500 or status == 429)
end

-- RES, ERR as host.http returns them.
function M.response(res, err)
  if res then return M.status(res.status) end
  return err ~= nil and KINDS[err.kind] == true
end

-- How the apps word a transient cause (.NET HttpException/WebException
-- texts, as Prowlarr, Sonarr and Radarr put them in their messages):
--   "HTTP request failed: [500:InternalServerError] [POST] at [...]"
--   "Http request timed out", "Connection refused (host:port)",
--   "An error occurred while sending the request." (a reset on the way),
--   "Failed to read complete http response",
--   "indexer's server is unavailable. Try again later."
local PATTERNS = {
  "%[5%d%d:", "%[429:", "%f[%w]http 5%d%d%f[^%w]", "%f[%w]http 429%f[^%w]",
  "timed out", "time%-out", "connection refused", "connection reset", "reset by peer",
  "error occurred while sending the request", "failed to read complete http response",
  "server is unavailable", "try again later",
  "service unavailable", "too many requests",
}

function M.message(msg)
  if type(msg) ~= "string" then return false end
  local low = msg:lower()
  for _, p in ipairs(PATTERNS) do
    if low:find(p) then return true end
  end
  return false
end

-- Prowlarr's application test discards the reason when the target app's
-- own test of Prowlarr's feed fails (the target answers 400 and Prowlarr
-- says only this; Prowlarr/Prowlarr: Applications/Sonarr/Sonarr.cs Test()).
-- A fault on that last hop and a wrong prowlarrUrl read the same: it counts
-- as transient unless the target app, asked directly, names a lasting cause.
local function unexplained(e)
  local prop = type(e.propertyName) == "string" and e.propertyName:lower() or ""
  local msg = type(e.errorMessage) == "string" and e.errorMessage:lower() or ""
  return prop == "prowlarrurl" and msg:find("cannot connect to prowlarr", 1, true) ~= nil
end

-- A 400 of the apps' settings/test phase (elements carry isWarning) whose
-- every error shows a transient cause: returns those messages joined, and
-- true when one of them is Prowlarr's reasonless "cannot connect to
-- Prowlarr" (the caller may ask the target app why: feedcheck.lua). nil
-- when the 400 is final (an invalid key, a field's value, ...).
function M.validation(res)
  local data = res and res.status == 400 and res.data
  if type(data) ~= "table" or data[1] == nil then return nil end
  local msgs, ambiguous = {}, false
  for _, e in ipairs(data) do
    if type(e) ~= "table" or e.isWarning == nil then return nil end
    if not e.isWarning then
      if M.message(e.errorMessage) then
        msgs[#msgs + 1] = tostring(e.errorMessage)
      elseif unexplained(e) then
        ambiguous = true
        msgs[#msgs + 1] = tostring(e.errorMessage)
      else
        return nil
      end
    end
  end
  if #msgs == 0 then return nil end
  return table.concat(msgs, "; "), ambiguous
end

-- Seconds before try ATTEMPT + 1: BASE doubled each time, at most CAP.
function M.backoff(base, attempt, cap)
  return math.min(base * 2 ^ (attempt - 1), cap or 5)
end

-- Waiting for something that takes its time (a sync to land, a command to
-- end, an app to start): the next look after 10 ms, doubling, at most CAP.
M.POLL_FIRST = 0.01
function M.poll(attempt, cap)
  return M.backoff(M.POLL_FIRST, attempt, cap)
end

-- A retry budget: until(seconds) starts it on first use; fits(wait) says
-- whether a wait still ends before it runs out (and before the run's own
-- deadline, when the host keeps one).
local Budget = {}
Budget.__index = Budget

function M.budget(seconds)
  return setmetatable({ seconds = seconds or 0 }, Budget)
end

function Budget:fits(wait)
  local now = host.now()
  self.deadline = self.deadline or (now + self.seconds)
  local left = host.time_left and host.time_left()
  if left and left <= wait then return false end
  return now + wait <= self.deadline
end

return M
