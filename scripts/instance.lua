-- The record one instance carries through a run, declared here and nowhere
-- else: a module that writes a field not listed below raises, so the state a
-- run holds per instance stays readable in one place.
local client = require "client"

local M = {}

-- Field -> what it holds and who sets it. Fields that start nil are listed
-- too (a Lua table cannot hold nil: the metatable consults this list).
M.FIELDS = {
  name = "instance name (\"sonarr-4k\"): logs, plans and the summary use it",
  type = "type name (\"sonarr\")",
  mod = "the type module (types.lua)",
  cfg = "this instance's validated configuration (config.lua)",
  client = "its REST client (client.lua)",
  -- readiness (wait.lua)
  pinged = "answered /ping", ready = "answered system/status with the key",
  rejected = "the key was rejected (401)", down_reason = "why it is not ready",
  version = "the version system/status reported", wrong_app = "appName when another app answered",
  -- planning and applying
  plans = "kind plans in apply order: { kind, engine, actions } (apptype.lua)",
  cache = "collections read in this run, by API path (reconcile.lua, keyedset.lua)",
  tag_state = "tag labels <-> ids (tags.lua)",
  synced = "Prowlarr only: indexers each target held while planning (sync.lua)",
  failed = "the script error that stopped this instance's plan or apply (run.lua)",
  scratch = "a table for state of an operator's patched module",
}

local Instance = {}
Instance.__index = Instance
Instance.__newindex = function(t, k, v)
  if M.FIELDS[k] == nil then
    error(string.format("the instance record has no field %q (fields are declared in instance.lua)",
      tostring(k)), 2)
  end
  rawset(t, k, v)
end

-- ICFG: the instance's config (name, type, url, api_key, ...); MOD: its type
-- module; CFG: the run's configuration (http options, the wait deadline that
-- bounds the retries of a request).
function M.new(icfg, mod, cfg)
  local http = cfg.http
  local rec = {
    name = icfg.name, type = icfg.type, mod = mod, cfg = icfg,
    client = client.new{ name = icfg.name, url = icfg.url, api = mod.api, api_key = icfg.api_key,
      timeout = http.timeout, connect_timeout = http.connect_timeout, retries = http.retries,
      backoff = http.backoff, retry_for = cfg.wait.timeout },
    pinged = false, ready = false, rejected = false,
    plans = {}, cache = {}, scratch = {},
  }
  return setmetatable(rec, Instance)
end

-- After apply: the summary keeps counts; the collections and plans
-- (megabytes at scale) can go before the next instance is applied.
function M.release(rec)
  rec.cache, rec.plans, rec.synced = {}, {}, nil
end

-- Requests this instance made that changed something.
function M.writes(rec)
  return rec.client.writes
end

return M
