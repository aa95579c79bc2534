-- Create-once: the one way the scripts POST a new item to a collection.
-- A POST whose outcome is unknown (5xx, 429, timeout, reset) may have been
-- stored: the collection is read again, and the item is adopted when it is
-- there. Only a re-read that shows it absent allows another POST. When the
-- re-read fails too, the outcome stays unknown: the item is reported failed
-- and not POSTed again (an app without a unique-name check would hold it
-- twice); the next run finds it and adopts it.
local host = require "host"
local log = require "host.log"
local transient = require "transient"

local M = {}

local function reason(res, err)
  if res then return "HTTP " .. tostring(res.status) end
  return err and (err.message or tostring(err)) or "no response"
end

-- OPTS:
--   client   the app's client (backoff, retry_for)
--   what     words for the logs: 'download client "qBittorrent"'
--   post()   sends the POST once: res, err (a 400 retried with forceSave stays inside)
--   reread() reads the collection afresh: list or nil, err
--   find(list) the item in LIST, or nil
-- Returns one of
--   "created", data      the app answered 2xx (data: the decoded body)
--   "adopted", item      the outcome was unknown and the item is there
--   "rejected", res      a definite answer other than 2xx: nothing stored
--   "unknown", message   the outcome stayed unknown: not POSTed again
--   "failed", message    transient failures until the retry budget ran out; nothing stored
function M.post(opts)
  local c = opts.client
  local budget = transient.budget(c.retry_for)
  local attempt = 0
  while true do
    attempt = attempt + 1
    local res, err = opts.post()
    if res and res.status >= 200 and res.status < 300 then return "created", res.data end
    if res and not transient.status(res.status) then return "rejected", res end
    local why = reason(res, err)
    local list, rerr = opts.reread()
    if not list then
      local msg = string.format("POST answered %s and reading the collection again failed (%s): it may "
        .. "have been stored, so it is not sent again; the next run adopts it", why, reason(nil, rerr))
      return "unknown", msg
    end
    local found = opts.find(list)
    if found then
      log.info("%s: POST answered %s but the item was stored; adopting it", opts.what, why)
      return "adopted", found
    end
    local wait = transient.backoff(c.backoff * 2, attempt)
    if not budget:fits(wait) then
      return "failed", string.format("POST answered %s (attempt %d) and nothing was stored; giving up",
        why, attempt)
    end
    log.info("%s: POST answered %s and nothing was stored; trying again in %.1fs", opts.what, why, wait)
    host.sleep(wait)
  end
end

return M
