-- Readiness: every enabled app is polled together until it answers /ping and
-- then system/status with its key, with backoff up to one deadline. A 401 is
-- final (the key is wrong); an app that stays down is reported and skipped.
local host = require "host"
local log = require "host.log"
local util = require "util"

local M = {}

local function status_reason(res, err)
  if not res then return err.message or tostring(err) end
  if res.status == 503 then return "HTTP 503 (starting up)" end
  return "HTTP " .. res.status
end

-- One attempt for APP; returns "ready", "rejected", or nil + reason.
local function probe(app)
  local c = app.client
  if not app.pinged then
    local res, err = c:request{ method = "GET", path = "/ping", auth = false, retry = false,
      timeout = math.min(c.timeout, 10) }
    if not res or res.status ~= 200 then return nil, "ping: " .. status_reason(res, err) end
    app.pinged = true
  end
  local res, err = c:request{ method = "GET", path = c:api_path("system/status"), retry = false,
    timeout = math.min(c.timeout, 10) }
  if res and res.status == 401 then return "rejected" end
  if not res or res.status ~= 200 then return nil, "system/status: " .. status_reason(res, err) end
  local status = res.data
  if type(status) ~= "table" then
    return nil, "system/status is not JSON (is the URL base missing from the URL?)"
  end
  local expected = app.mod.display
  if type(status.appName) == "string" and status.appName:lower() ~= expected:lower() then
    app.wrong_app = status.appName
    return "wrong"
  end
  app.version = status.version
  return "ready"
end

-- APPS: list of app states (name, client, mod, cfg). Sets app.ready or
-- app.down_reason / app.rejected on each.
function M.all(apps, opts)
  local deadline = host.now() + opts.timeout
  local interval = opts.interval
  local pending = {}
  for _, a in ipairs(apps) do pending[#pending + 1] = a end
  local attempt = 0
  while #pending > 0 do
    attempt = attempt + 1
    local still = {}
    for _, app in ipairs(pending) do
      local state, reason = probe(app)
      local shown = util.mask_userinfo(app.cfg.url)
      if state == "ready" then
        app.ready = true
        app.client.live = true
        log.info("%s is ready at %s (version %s)", app.name, shown, tostring(app.version))
      elseif state == "rejected" then
        app.rejected = true
        app.down_reason = "API key rejected"
        log.error("API key rejected by %s at %s (HTTP 401)", app.name, shown)
      elseif state == "wrong" then
        app.down_reason = "wrong app"
        log.error("%s at %s answers as %s: check %s_URL", app.name, shown, app.wrong_app,
          app.cfg.env_prefix)
      else
        app.down_reason = reason
        still[#still + 1] = app
        log.info("%s not ready (attempt %d): %s", app.name, attempt, reason)
      end
    end
    pending = still
    if #pending == 0 then break end
    local left = deadline - host.now()
    if left <= 0 then break end
    host.sleep(math.min(interval, left))
    interval = math.min(interval * 2, opts.max_interval)
  end
  for _, app in ipairs(pending) do
    log.error("%s at %s not ready after %.0fs: %s; skipping it", app.name, util.mask_userinfo(app.cfg.url),
      opts.timeout, app.down_reason)
  end
end

return M
