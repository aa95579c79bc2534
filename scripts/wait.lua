-- Readiness: every enabled app is waited for at the same time (a task each,
-- host.parallel). One request when the app is up: system/status with its
-- key. While that gets no answer, /ping says why (down, starting up) and is
-- polled first, then system/status again, with a growing interval (10 ms,
-- doubling, at most max_interval) up to one deadline. A 401 is final (the
-- key is wrong); an app that stays down is reported and skipped.
local host = require "host"
local log = require "host.log"
local util = require "util"

local M = {}

local function status_reason(res, err)
  if not res then return err.message or tostring(err) end
  if res.status == 503 then return "HTTP 503 (starting up)" end
  return "HTTP " .. res.status
end

local function ask(app, path, auth)
  local c = app.client
  return c:request{ method = "GET", path = path, auth = auth, retry = false,
    timeout = math.min(c.timeout, 10) }
end

local function ping(app)
  local res, err = ask(app, "/ping", false)
  if not res or res.status ~= 200 then return false, "ping: " .. status_reason(res, err) end
  return true
end

-- system/status with the key: "ready", "rejected", "wrong", or nil + reason.
local function status(app)
  local res, err = ask(app, app.client:api_path("system/status"))
  if res and res.status == 401 then return "rejected" end
  if not res or res.status ~= 200 then return nil, "system/status: " .. status_reason(res, err) end
  local st = res.data
  if type(st) ~= "table" then
    return nil, "system/status is not JSON (is the URL base missing from the URL?)"
  end
  local expected = app.mod.display
  if type(st.appName) == "string" and st.appName:lower() ~= expected:lower() then
    app.wrong_app = st.appName
    return "wrong"
  end
  app.version = st.version
  return "ready"
end

-- One attempt for APP (FIRST: its first); returns "ready", "rejected",
-- "wrong", or nil + reason. After the first, while /ping got no answer
-- (app.pinged false), /ping goes first.
local function probe(app, first)
  if not first and not app.pinged then
    local up, why = ping(app)
    if not up then return nil, why end
    app.pinged = true
  end
  local state, reason = status(app)
  if state or app.pinged then return state, reason end
  -- The first look got no answer: /ping says whether the app is there at all.
  local up, why = ping(app)
  app.pinged = up
  return nil, up and reason or why
end

-- APPS: list of app states (name, client, mod, cfg). Sets app.ready or
-- app.down_reason / app.rejected on each.
function M.all(apps, opts)
  local deadline = host.now() + opts.timeout
  host.parallel(apps, function(app)
    local shown = util.mask_userinfo(app.cfg.url)
    local interval = opts.interval
    for attempt = 1, math.huge do
      local state, reason = probe(app, attempt == 1)
      if state == "ready" then
        app.ready = true
        app.client.live = true
        log.info("%s is ready at %s (version %s)", app.name, shown, tostring(app.version))
        return
      elseif state == "rejected" then
        app.rejected = true
        app.down_reason = "API key rejected"
        log.error("API key rejected by %s at %s (HTTP 401)", app.name, shown)
        return
      elseif state == "wrong" then
        app.down_reason = "wrong app"
        log.error("%s at %s answers as %s: check %s_URL", app.name, shown, app.wrong_app,
          app.cfg.env_prefix)
        return
      end
      app.down_reason = reason
      log.info("%s not ready (attempt %d): %s", app.name, attempt, reason)
      local left = deadline - host.now()
      if left <= 0 then break end
      host.sleep(math.min(interval, left))
      interval = math.min(interval * 2, opts.max_interval)
    end
    log.error("%s at %s not ready after %.0fs: %s; skipping it", app.name, shown, opts.timeout,
      app.down_reason)
  end)
end

return M
