-- After Prowlarr's applications are in place: check that each app holds
-- Prowlarr's indexers. Saving an enabled application already syncs it, so a
-- forced ApplicationIndexerSync (which would race that sync) is sent only
-- when indexers are missing and no save in this run did the job (none
-- happened, or the indexers are still missing sync.settle seconds after it),
-- and again while any is missing, within the retry budget. An indexer the
-- categories and tags say an app should hold and that is still missing at
-- the end is a failure naming the app and the indexer.
local host = require "host"
local log = require "host.log"
local client = require "client"
local create_once = require "create"
local reconcile = require "reconcile"
local transient = require "transient"
local util = require "util"

local M = {}

local TERMINAL = { completed = true, failed = true, aborted = true, cancelled = true, orphaned = true }

-- Names of Prowlarr's (synced) indexers in LIST, as a set of the Prowlarr
-- indexer names (lower case): named "<name> (Prowlarr)" and pointing at
-- PROWLARR_URL.
local function synced_names(list, prowlarr_url)
  local prefix = util.strip_slash(prowlarr_url or ""):lower()
  local names = {}
  for _, e in ipairs(util.list(list)) do
    local url = reconcile.field_value(e, "baseUrl")
    local name = type(e.name) == "string" and e.name:match("^(.*) %(Prowlarr%)$")
    if name and (type(url) ~= "string" or url:lower():sub(1, #prefix) == prefix) then
      names[name:lower()] = true
    end
  end
  return names
end

-- Reads Prowlarr's indexers and notes which of them each target of ITEMS
-- (the application items) holds while planning (read-only), so a no-op run
-- needs no further reads. Only the names are kept: a target's list is large.
function M.prepare(run, app, items)
  if not run.cfg.sync.verify then return end
  local _, err = reconcile.collection(app, "indexer")
  if err then log.warn("cannot read Prowlarr's indexers: %s", err.message) end
  app.synced = {}
  for _, item in ipairs(items) do
    local t = item.target and run.instances[item.target]
    if t and t.ready then
      local list, terr = reconcile.collection(t, "indexer")
      if list then
        app.synced[t.name] = synced_names(list, item.fields.prowlarrUrl)
      else
        log.warn("cannot read %s indexers: %s", t.name, terr.message)
      end
      t.cache.indexer = nil
    end
  end
end

local function intersects(a, b)
  for _, x in ipairs(util.list(a)) do
    if util.contains(util.list(b), x) then return true end
  end
  return false
end

-- Newznab category ids an indexer offers (parents and subcategories), or
-- nil when Prowlarr did not say.
local function offered(idx)
  local caps = type(idx.capabilities) == "table" and idx.capabilities.categories
  if type(caps) ~= "table" then return nil end
  local out = {}
  for _, c in ipairs(caps) do
    out[#out + 1] = c.id
    for _, sc in ipairs(util.list(c.subCategories)) do out[#out + 1] = sc.id end
  end
  return out
end

-- The categories an application syncs (Sonarr's anime categories count too).
local function wanted(application)
  local out = {}
  for _, name in ipairs({ "syncCategories", "animeSyncCategories" }) do
    for _, c in ipairs(util.list(reconcile.field_value(application, name))) do out[#out + 1] = c end
  end
  return out
end

-- Prowlarr only pushes an enabled indexer to an app when their tags meet
-- (or the app has none) and the indexer offers one of the app's categories.
-- Returns the names of the indexers the app should hold.
local function expected_names(indexers, application)
  local out = {}
  local cats = wanted(application)
  for _, idx in ipairs(indexers) do
    local tags_ok = #util.list(application.tags) == 0 or intersects(application.tags, idx.tags)
    local offer = offered(idx)
    local cats_ok = offer == nil or #cats == 0 or intersects(offer, cats)
    if idx.enable ~= false and tags_ok and cats_ok and type(idx.name) == "string" then
      out[#out + 1] = idx.name
    end
  end
  return out
end

-- The expected names C's target does not hold (C.have: a set of names).
local function missing(c)
  local out = {}
  for _, name in ipairs(c.expected) do
    if not c.have[name:lower()] then out[#out + 1] = name end
  end
  return out
end

local function read_synced(target, prowlarr_url)
  local list, err = target.client:get("indexer")
  if not list then
    log.debug("cannot read %s indexers: %s", target.name, err.message)
    return nil
  end
  return synced_names(list, prowlarr_url)
end

-- Reads CHECKS' targets again; returns those still short.
local function recount(checks)
  local still = {}
  for _, c in ipairs(checks) do
    c.have = read_synced(c.target, c.url) or c.have
    if #missing(c) > 0 then still[#still + 1] = c end
  end
  return still
end

-- Starts an ApplicationIndexerSync through create.lua: an answer lost on
-- the way is looked for among the queued commands before another is sent
-- (Prowlarr also folds an identical queued command into the one it has).
local function trigger(app)
  local body = { name = "ApplicationIndexerSync", forceSync = true }
  local outcome, v = create_once.post{
    client = app.client, what = "ApplicationIndexerSync",
    post = function() return app.client:send("POST", "command", body) end,
    reread = function() return app.client:get("command") end,
    find = function(list)
      for _, c in ipairs(util.list(list)) do
        if type(c) == "table" and c.name == "ApplicationIndexerSync"
            and (c.status == "queued" or c.status == "started") then
          return c
        end
      end
    end,
  }
  if outcome == "created" or outcome == "adopted" then
    if type(v) ~= "table" or v.id == nil then return nil, "the command was accepted without an id" end
    return v.id
  end
  if outcome == "rejected" then return nil, client.status_error(v).message end
  return nil, v
end

local function wait_command(run, app, id)
  local deadline = host.now() + run.cfg.sync.timeout
  for attempt = 1, math.huge do
    local c, err = app.client:get("command/" .. tostring(id))
    if c and TERMINAL[c.status] then return c.status end
    if not c then log.debug("command %s: %s", tostring(id), err.message) end
    local left = deadline - host.now()
    if left <= 0 then break end
    host.sleep(math.min(transient.poll(attempt, 2), left))
  end
  return "timeout"
end

local function count(set)
  local n = 0
  for _ in pairs(set) do n = n + 1 end
  return n
end

-- KP: the applications plan, already applied.
function M.verify(run, app, kp)
  if not run.cfg.sync.verify then return end
  local indexers, ierr = reconcile.collection(app, "indexer")
  if not indexers then
    log.error("cannot read Prowlarr's indexers, so the apps' indexers are not verified: %s", ierr.message)
    run.report:count(app.name, "indexer sync", "failed")
    return
  end
  local checks = {}
  for _, a in ipairs(kp.actions) do
    local target = a.item and a.item.target and run.instances[a.item.target]
    local res = a.result or a.existing
    local failed = a.op ~= "noop" and not a.result
    if target and res and (not failed or host.dry_run) then
      local level = tostring(a.body and a.body.syncLevel or res.syncLevel):lower()
      if level ~= "disabled" and level ~= "0" then
        local expected = expected_names(indexers, res.fields and res or a.body)
        checks[#checks + 1] = { target = target, expected = expected, url = a.item.fields.prowlarrUrl,
          saved = a.result ~= nil and a.op ~= "noop" }
      end
    end
  end
  -- Names from planning, except where a save made them stale: those are
  -- read at once. A save started a sync: the apps still short after it are
  -- polled together (one deadline) before another sync is started.
  local deadline = host.now() + run.cfg.sync.settle
  local short, waiting = {}, {}
  for _, c in ipairs(checks) do
    local fresh = c.saved and not host.dry_run
    c.have = not fresh and app.synced and app.synced[c.target.name]
    if not c.have then c.have = read_synced(c.target, c.url) or {} end
    if #missing(c) > 0 then
      if fresh then waiting[#waiting + 1] = c else short[#short + 1] = c end
    end
  end
  -- A small sync lands within tens of milliseconds; a large one takes
  -- seconds, and each look re-reads the app's whole indexer list: the
  -- looks grow apart.
  local looks = 0
  while #waiting > 0 and host.now() < deadline do
    looks = looks + 1
    host.sleep(math.min(transient.poll(looks, 2), math.max(deadline - host.now(), 0)))
    waiting = recount(waiting)
  end
  for _, c in ipairs(waiting) do short[#short + 1] = c end
  if #short > 0 then
    if host.dry_run then
      for _, c in ipairs(short) do
        log.info("%s holds %d of %d Prowlarr indexers; a run would start an indexer sync", c.target.name,
          #c.expected - #missing(c), #c.expected)
      end
    else
      -- A sync can fail half-way (Prowlarr records the app's failure and goes
      -- on, and a fault on any hop loses an indexer): syncs are started until
      -- every expected indexer is there or the retry budget is spent.
      local budget = transient.budget(app.client.retry_for)
      local attempt = 0
      while #short > 0 do
        attempt = attempt + 1
        log.info("Prowlarr indexers missing in %d app(s): starting ApplicationIndexerSync", #short)
        local id, err = trigger(app)
        if id then
          log.info("ApplicationIndexerSync %s", wait_command(run, app, id))
        else
          log.warn("could not start ApplicationIndexerSync: %s", tostring(err))
        end
        short = recount(short)
        local wait = transient.backoff(app.client.backoff * 2, attempt)
        if #short == 0 or not budget:fits(wait) then break end
        host.sleep(wait)
      end
    end
  end
  -- What the categories and tags explain is not expected; anything else
  -- missing is a failure, never "converged".
  for _, c in ipairs(checks) do
    local gone = missing(c)
    if #gone == 0 then
      log.info("%s holds %d Prowlarr indexer(s) (%d expected)", c.target.name, count(c.have), #c.expected)
    elseif not host.dry_run then
      log.error("%s lacks %d of %d Prowlarr indexer(s) whose categories and tags match it: %s",
        c.target.name, #gone, #c.expected, table.concat(gone, ", "))
      run.report:count(app.name, "indexer sync", "failed")
    end
  end
end

return M
