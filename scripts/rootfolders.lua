-- Root folders of Sonarr/Radarr/Lidarr/Readarr: created when missing
-- (compared as normalised paths), deleted only when pruning. No updates exist.
local log = require "host.log"
local host = require "host"
local create_once = require "create"
local reconcile = require "reconcile"
local report_mod = require "report"
local util = require "util"

local M = {}
local KIND = "root folder"

local function norm(p)
  return #p > 1 and util.strip_slash(p) or p
end

function M.plan(app, wanted)
  local list, err = reconcile.collection(app, "rootfolder")
  if not list then return nil, err end
  local have = {}
  for _, rf in ipairs(list) do
    if type(rf.path) == "string" then have[norm(rf.path)] = rf end
  end
  local actions, seen = {}, {}
  for _, rf in ipairs(wanted or {}) do
    local p = norm(rf.path)
    seen[p] = true
    if have[p] then
      actions[#actions + 1] = { op = "noop", name = p }
    else
      local body = util.copy(rf)
      body.path = p
      actions[#actions + 1] = { op = "create", name = p, body = body,
        changes = { { path = "path", new = p, create = true } } }
    end
  end
  if app.cfg.prune.root_folders then
    for p, rf in pairs(have) do
      if not seen[p] then actions[#actions + 1] = { op = "delete", name = p, existing = rf, changes = {} } end
    end
  end
  return { actions = actions }
end

function M.apply(run, app, plan)
  local ok_all = true
  for _, a in ipairs(plan.actions) do
    if a.op == "noop" then
      run.report:count(app.name, KIND, "unchanged")
    else
      run.report:action(app.name, KIND, a)
      local outcome = a.op == "create" and "created" or "deleted"
      if host.dry_run then
        run.report:count(app.name, KIND, outcome)
      else
        local res, err
        if a.op == "create" then
          local result, v = create_once.post{
            client = app.client, what = string.format("%s %s %q", app.name, KIND, a.name),
            post = function() return app.client:send("POST", "rootfolder", a.body) end,
            reread = function() return reconcile.collection(app, "rootfolder", true) end,
            find = function(list)
              for _, rf in ipairs(list) do
                if type(rf.path) == "string" and norm(rf.path) == a.name then return rf end
              end
            end,
          }
          if result == "created" or result == "adopted" then
            res = { status = 201 }
          elseif result == "rejected" then
            res = v
          else
            err = { message = v }
          end
        else
          res, err = app.client:send("DELETE", "rootfolder/" .. tostring(a.existing.id))
        end
        -- A DELETE retried after a lost answer finds the folder gone: deleted.
        if res and (res.status >= 200 and res.status < 300 or (a.op == "delete" and res.status == 404)) then
          run.report:count(app.name, KIND, outcome)
          log.info("%s %s %q: %s", app.name, KIND, a.name, outcome)
        else
          ok_all = false
          run.report:count(app.name, KIND, "failed")
          if res then
            for _, line in ipairs(report_mod.rejection(app.name, KIND, a.name, res)) do
              log.error("%s", line)
            end
          else
            log.error("%s %s %q: %s", app.name, KIND, a.name, err.message)
          end
        end
      end
    end
  end
  app.cache.rootfolder = nil
  return ok_all
end

return M
