-- Why can the app not reach Prowlarr? Prowlarr's application test ends with
-- the target app testing an indexer that points back at Prowlarr's feed;
-- when that last step fails Prowlarr says only "Prowlarr URL is invalid,
-- Sonarr cannot connect to Prowlarr" (the target's reason is dropped). The
-- target is asked the same question directly (POST indexer/test with the
-- Newznab indexer Prowlarr would send: {prowlarrUrl}/0/, Prowlarr's key), and
-- its own answer tells a passing fault from a lasting one.
local log = require "host.log"
local reconcile = require "reconcile"
local transient = require "transient"
local util = require "util"

local M = {}

local function messages(res)
  local out = {}
  for _, e in ipairs(util.list(res and res.data)) do
    if type(e) == "table" and e.errorMessage ~= nil and not e.isWarning then
      out[#out + 1] = tostring(e.errorMessage)
    end
  end
  return table.concat(out, "; ")
end

-- kind.explain for Prowlarr applications: returns passing (true when trying
-- again may help, or when nothing can be told), and the reason.
function M.explain(run, app, action)
  local target = action.item and action.item.target and run.instances[action.item.target]
  local prowlarr_url = reconcile.field_value(action.body, "prowlarrUrl")
  if not target or not target.ready or type(prowlarr_url) ~= "string" then return true end
  local schema, err = reconcile.schema(target, "indexer")
  if not schema then return true, "cannot read " .. target.name .. "'s indexer schema: " .. err.message end
  local tmpl
  for _, t in ipairs(util.list(schema)) do
    if t.implementation == "Newznab" then tmpl = t end
  end
  if not tmpl then return true end
  local body = util.copy(tmpl)
  body.id, body.presets, body.name = nil, nil, "Prowlarr"
  body.enableRss, body.enableAutomaticSearch, body.enableInteractiveSearch = false, false, false
  for _, f in ipairs(util.list(body.fields)) do
    if f.name == "baseUrl" then
      f.value = util.strip_slash(prowlarr_url) .. "/0/"
    elseif f.name == "apiPath" then
      f.value = "/api"
    elseif f.name == "apiKey" then
      f.value = app.cfg.api_key
    end
  end
  local res, perr = target.client:send("POST", "indexer/test", body, nil, { read_only = true, retry = true })
  local shown = util.mask_userinfo(prowlarr_url)
  if res and res.status >= 200 and res.status < 300 then
    return true, string.format("%s reaches Prowlarr's feed at %s now", target.name, shown)
  end
  if not res or res.status ~= 400 then
    return true, string.format("%s's own test of Prowlarr's feed: %s", target.name,
      res and ("HTTP " .. res.status) or perr.message)
  end
  local why = transient.validation(res)
  if why then
    return true, string.format("%s's own test of Prowlarr's feed: %s", target.name, why)
  end
  log.debug("%s's own test of Prowlarr's feed at %s failed for a lasting reason", target.name, shown)
  return false, string.format(
    "prowlarrUrl: %s cannot reach Prowlarr at %s: %s (check PROWLARR_URL_FROM_APPS)",
    target.name, shown, messages(res))
end

return M
