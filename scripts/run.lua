-- A run: load and check the configuration, wait for the instances, plan
-- every instance (reads only), then apply, verify and summarise. Each
-- instance's plan and apply run protected: a script error, like an
-- unreachable app, is reported for that instance and the others still run.
-- main(options) returns the exit code of DESIGN sections 3 and 9. The
-- instances are waited for, planned and applied at the same time
-- (host.parallel: a task per instance, each doing its own items in order);
-- Prowlarr plans after the other instances, whose plans read what its sync
-- check starts from; plans and the summary come out in the configured order.
local host = require "host"
local log = require "host.log"
local config = require "config"
local instance = require "instance"
local report = require "report"
local types = require "types"
local wait = require "wait"

local EXIT = { ok = 0, failed = 1, config = 2, unreachable = 3, pending = 4 }

local Run = {}
Run.__index = Run

function Run:problem(path, fmt, ...)
  self.problems[#self.problems + 1] = path .. ": " .. string.format(fmt, ...)
end

function Run:read_failed(inst, kind, err)
  log.error("%s: cannot read %s: %s", inst.name, kind, err and err.message or "unknown error")
  self.report:count(inst.name, kind, "failed")
end

-- The message handler: the host's own (C: nothing of it runs as Lua, so a
-- passed deadline still stops the run), or the bare message.
local handler = host.traceback or tostring

-- Runs STEP ("plan", "apply" or "export") of INST protected. False when it
-- raised; else true and what the step returned.
function Run:step(inst, step)
  log.app(inst.name)
  local ok, trace, extra = xpcall(inst.mod[step], handler, self, inst)
  log.app(nil)
  if ok then return true, trace, extra end
  -- The error line names file:line; the traceback goes to debug level.
  local message = tostring(trace):match("^(.-)\nstack traceback:") or tostring(trace)
  inst.failed = message
  self.script_errors = self.script_errors + 1
  log.error("%s: script error in %s (the rest of %s is skipped): %s", inst.name, step, inst.name, message)
  log.debug("%s", trace)
  self.report:count(inst.name, "(script)", "failed")
  return false
end

local function writes(list)
  local n = 0
  for _, inst in ipairs(list) do n = n + instance.writes(inst) end
  return n
end

local M = {}
M.EXIT = EXIT

function M.main(options)
  local cfg, problems = config.load(options)
  if not cfg then
    for _, p in ipairs(problems) do log.error("config: %s", p) end
    log.error("%d problem(s) in the configuration; nothing was written", #problems)
    return EXIT.config
  end

  local run = setmetatable({ cfg = cfg, report = report.new(cfg.order), instances = {}, targets = {},
    prowlarr = nil, problems = {}, skipped_targets = {}, script_errors = 0 }, Run)
  local list, broken = {}, {}
  for _, name in ipairs(cfg.order) do
    local icfg = cfg.instances[name]
    if icfg.load_error then
      broken[#broken + 1] = icfg
    else
      local inst = instance.new(icfg, types.load(icfg.type), cfg)
      run.instances[name] = inst
      list[#list + 1] = inst
      if inst.mod.target then run.targets[#run.targets + 1] = inst end
      if inst.type == "prowlarr" then run.prowlarr = inst end
    end
  end
  for name, ex in pairs(cfg.excluded) do
    if ex.type ~= "prowlarr" then run.skipped_targets[name] = ex end
  end

  if options.command == "check" then
    -- Every type module must load, enabled or not: an override file is checked before it is needed.
    for _, ty in ipairs(types.NAMES) do types.load(ty) end
    require "sync"
    require "export"
    local names = {}
    for _, name in ipairs(cfg.order) do
      local ty = cfg.instances[name].type
      names[#names + 1] = ty == name and name or (name .. " (" .. ty .. ")")
    end
    log.info("configuration is valid; instances: %s", table.concat(names, ", "))
    return EXIT.ok
  end

  -- A type module that does not load fails its instances, not the run.
  for _, icfg in ipairs(broken) do
    run.script_errors = run.script_errors + 1
    log.error("%s: script error loading %s.lua, %s skipped: %s", icfg.name, icfg.type, icfg.name,
      icfg.load_error)
    run.report:count(icfg.name, "(script)", "failed")
    if icfg.type ~= "prowlarr" then run.skipped_targets[icfg.name] = icfg end
  end

  wait.all(list, cfg.wait)
  if options.command == "export" then return require("export").main(run, list, broken) end

  -- Plan everything first: nothing is written when the config is wrong.
  local function plan(inst)
    if inst.ready then run:step(inst, "plan") end
  end
  local targets, others = {}, {}
  for _, inst in ipairs(list) do
    if inst.mod.target then targets[#targets + 1] = inst else others[#others + 1] = inst end
  end
  host.parallel(targets, plan)
  host.parallel(others, plan)
  if #run.problems > 0 then
    for _, p in ipairs(run.problems) do log.error("config: %s", p) end
    log.error("%d problem(s) in the configuration; nothing was written", #run.problems)
    return EXIT.config
  end

  host.parallel(list, function(inst)
    if inst.ready and not inst.failed then run:step(inst, "apply") end
    -- Applied: the summary keeps counts; the collections and plans
    -- (megabytes at scale) can go while the others are applied.
    instance.release(inst)
  end)

  if host.dry_run then host.write(run.report:plan_text()) end
  host.write(run.report:summary_text())

  local down, lost = {}, {}
  for _, inst in ipairs(list) do
    if not inst.ready then down[#down + 1] = inst.name .. " (" .. tostring(inst.down_reason) .. ")" end
    -- Unreachable or key rejected after readiness: exit 3 as at readiness.
    if inst.client.lost then lost[#lost + 1] = inst.name .. " (" .. inst.client.lost.message .. ")" end
  end
  local failed = {}
  for _, inst in ipairs(list) do
    if inst.failed then failed[#failed + 1] = inst.name end
  end
  for _, icfg in ipairs(broken) do failed[#failed + 1] = icfg.name end
  if #down > 0 then log.error("not configured: %s", table.concat(down, ", ")) end
  if #lost > 0 then log.error("unreachable or key rejected during the run: %s", table.concat(lost, ", ")) end
  if #failed > 0 then log.error("script error in: %s", table.concat(failed, ", ")) end
  -- A script error is a usage error (2) when nothing was written, else a failure (1).
  if run.script_errors > 0 and writes(list) == 0 then return EXIT.config end
  if #down > 0 or #lost > 0 then return EXIT.unreachable end
  local item_failures = run.report.failed - run.script_errors
  if item_failures > 0 then log.error("%d item(s) failed", item_failures) end
  if item_failures > 0 or run.script_errors > 0 then return EXIT.failed end
  if host.dry_run and run.report.pending > 0 then
    log.info("%d change(s) pending", run.report.pending)
    return EXIT.pending
  end
  log.info(host.dry_run and "no changes pending" or "converged")
  return EXIT.ok
end

return M
