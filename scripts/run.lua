-- A run: load and check the configuration, wait for the apps, plan every
-- app (reads only), then apply, verify and summarise. main(options) returns
-- the exit code of DESIGN section 3. The apps are waited for, planned and
-- applied at the same time (host.parallel: a task per app, each doing its
-- own items in order); Prowlarr plans after the other apps, whose plans
-- read what its sync check starts from; plans and the summary come out in
-- the configured order.
local host = require "host"
local log = require "host.log"
local client = require "client"
local config = require "config"
local report = require "report"
local wait = require "wait"

local EXIT = { ok = 0, failed = 1, config = 2, unreachable = 3, pending = 4 }

-- App modules return a table of this shape; say exactly what is missing.
local SHAPE = { name = "string", display = "string", api = "string", plan = "function", apply = "function" }

local function load_app(name)
  local mod = require(name)
  if type(mod) ~= "table" then
    error(string.format("%s.lua must return a table, got %s", name, type(mod)), 0)
  end
  for key, want in pairs(SHAPE) do
    if type(mod[key]) ~= want then
      error(string.format("%s.lua: field %q must be a %s, got %s", name, key, want, type(mod[key])), 0)
    end
  end
  if mod.name ~= name then
    error(string.format("%s.lua: name is %q, expected %q", name, mod.name, name), 0)
  end
  return mod
end

local Run = {}
Run.__index = Run

function Run:problem(path, fmt, ...)
  self.problems[#self.problems + 1] = path .. ": " .. string.format(fmt, ...)
end

function Run:read_failed(app, kind, err)
  log.error("%s: cannot read %s: %s", app.name, kind, err and err.message or "unknown error")
  self.report:count(app.name, kind, "failed")
end

local M = {}

function M.main(options)
  local cfg, problems = config.load(options)
  if not cfg then
    for _, p in ipairs(problems) do log.error("config: %s", p) end
    log.error("%d problem(s) in the configuration; nothing was written", #problems)
    return EXIT.config
  end

  local run = setmetatable({ cfg = cfg, report = report.new(cfg.order), apps = {}, targets = {},
    problems = {},
    skipped_targets = {} }, Run)
  local list = {}
  for _, name in ipairs(cfg.order) do
    local acfg = cfg.apps[name]
    local mod = load_app(name)
    local app = { name = name, cfg = acfg, mod = mod, cache = {},
      client = client.new{ name = name, url = acfg.url, api = mod.api, api_key = acfg.api_key,
        timeout = cfg.http.timeout, connect_timeout = cfg.http.connect_timeout,
        retries = cfg.http.retries, backoff = cfg.http.backoff, retry_for = cfg.wait.timeout } }
    run.apps[name] = app
    list[#list + 1] = app
    if mod.target then run.targets[#run.targets + 1] = name end
  end
  for _, name in ipairs(config.TARGETS) do
    if cfg.excluded[name] then run.skipped_targets[name] = true end
  end

  if options.command == "check" then
    -- Every app module must load, enabled or not: an override file is checked before it is needed.
    for _, name in ipairs(config.APPS) do load_app(name) end
    require "sync"
    log.info("configuration is valid; apps: %s", table.concat(cfg.order, ", "))
    return EXIT.ok
  end

  wait.all(list, cfg.wait)

  -- Plan everything first: nothing is written when the config is wrong.
  local function plan(app)
    if app.ready then
      log.app(app.name)
      app.mod.plan(run, app)
    end
  end
  local targets, others = {}, {}
  for _, app in ipairs(list) do
    if app.mod.target then targets[#targets + 1] = app else others[#others + 1] = app end
  end
  host.parallel(targets, plan)
  host.parallel(others, plan)
  if #run.problems > 0 then
    for _, p in ipairs(run.problems) do log.error("config: %s", p) end
    log.error("%d problem(s) in the configuration; nothing was written", #run.problems)
    return EXIT.config
  end

  host.parallel(list, function(app)
    if app.ready then
      log.app(app.name)
      app.mod.apply(run, app)
      -- Applied: the summary keeps counts; the collections and plans
      -- (megabytes at scale) can go while the other apps are applied.
      app.cache, app.plans, app.rootfolder_plan, app.synced = {}, nil, nil, nil
    end
  end)

  if host.dry_run then host.write(run.report:plan_text()) end
  host.write(run.report:summary_text())

  local down, lost = {}, {}
  for _, app in ipairs(list) do
    if not app.ready then down[#down + 1] = app.name .. " (" .. tostring(app.down_reason) .. ")" end
    -- Unreachable or key rejected after readiness: exit 3 as at readiness.
    if app.client.lost then lost[#lost + 1] = app.name .. " (" .. app.client.lost.message .. ")" end
  end
  if #down > 0 then log.error("not configured: %s", table.concat(down, ", ")) end
  if #lost > 0 then log.error("unreachable or key rejected during the run: %s", table.concat(lost, ", ")) end
  if #down > 0 or #lost > 0 then return EXIT.unreachable end
  if run.report.failed > 0 then
    log.error("%d item(s) failed", run.report.failed)
    return EXIT.failed
  end
  if host.dry_run and run.report.pending > 0 then
    log.info("%d change(s) pending", run.report.pending)
    return EXIT.pending
  end
  log.info(host.dry_run and "no changes pending" or "converged")
  return EXIT.ok
end

return M
