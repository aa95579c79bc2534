-- The singleton engine (kinds.lua engine "singleton"): the apps'
-- /config/<name> resources (host, naming, media management, ...), one
-- resource per section of the kind. Only the properties the config gives are
-- compared; a difference is written with the whole resource as GET returned
-- it, the given properties on top (a property left out of a PUT goes back
-- to its C# default). Property names are the API's, camelCase or snake_case.
--
-- The host password: GET returns the stored PBKDF2 hash, never the text,
-- and a PUT that sends the hash back keeps it (UserService.Upsert). So the
-- configured password is checked by logging in with it (POST /login, the
-- forms login every app serves whatever its method: AuthenticationController
-- -> UserService.FindUser) and written only when that login fails.
local host = require "host"
local log = require "host.log"
local reconcile = require "reconcile"
local report_mod = require "report"
local util = require "util"
local validate = require "validate"
local values = require "values"

local M = {}

-- A singleton has nothing to delete: `prune = { settings = ... }` is a config error.
M.prunable = false

-- Set by the engine or the app, never by the config.
local READ_ONLY = { id = true, apiKey = true, passwordConfirmation = true }
-- Methods under which the app checks a user name and password.
local LOGIN_METHODS = { forms = true, basic = true }

local function is_secret(prop)
  return values.is_secret(nil, prop)
end

-- The property of resource CUR that config key K names: as given, camelCase,
-- or the same name in another case.
local function prop_of(cur, k)
  if cur[k] ~= nil then return k end
  local c = util.camel(k)
  if cur[c] ~= nil then return c end
  local low = c:lower()
  for name in pairs(cur) do
    if type(name) == "string" and name:lower() == low then return name end
  end
  return nil
end

local function names_of(cur)
  local out = {}
  for k in pairs(cur) do
    if type(k) == "string" and not READ_ONLY[k] then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

-- The form body of a login: application/x-www-form-urlencoded.
local function form_escape(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- Whether USER and PASSWORD log in to INST: true, false, or nil and why not
-- when the app did not answer as the login does (302 with a Location).
function M.login(inst, user, password)
  local res, err = inst.client:request{
    method = "POST", path = "/login", auth = false, read_only = true, retry = false, max_redirects = 0,
    raw_body = "username=" .. form_escape(user) .. "&password=" .. form_escape(password),
    content_type = "application/x-www-form-urlencoded",
  }
  if not res then return nil, err.message end
  local location = res.headers and res.headers.location
  if res.status ~= 302 and res.status ~= 303 or type(location) ~= "string" then
    return nil, "POST /login answered HTTP " .. tostring(res.status)
  end
  return not location:find("loginFailed=true", 1, true)
end

-- Whether the configured password differs from the stored one. CUR: the
-- host resource; WANT: its desired values (by property).
local function password_differs(inst, cur, want)
  local stored = cur.password
  if util.is_null(stored) or stored == "" then return true, "no user yet" end
  local method = util.lower(cur.authenticationMethod)
  if not LOGIN_METHODS[method] then
    -- Under "none" or "external" the app logs nobody in: nothing to check
    -- with; the password is written with a method that needs it.
    local new = util.lower(want.authenticationMethod)
    if LOGIN_METHODS[new] then return true, "with authenticationMethod " .. new end
    return false
  end
  local user = want.username or cur.username
  local ok, why = M.login(inst, user, want.password)
  if ok == nil then
    log.warn("%s settings host: the password could not be checked (%s); not written", inst.name, why)
    return false
  end
  if not ok then return true, "the configured user name and password do not log in" end
  return false
end

-- One section: { op, name, section, body, changes, restart }.
local function build(run, inst, kind, sec, want_cfg, cur)
  local where = string.format("%s.settings.%s", inst.name, sec.key)
  local enums = kind.enums or {}
  local want, order = {}, {}
  for _, k in ipairs(util.sorted_keys(want_cfg)) do
    local prop = prop_of(cur, k)
    if not prop then
      run:problem(where .. "." .. k, "unknown property %q of %s %s (valid: %s)", k, inst.name, sec.path,
        util.suggest(util.camel(k), names_of(cur)))
    elseif READ_ONLY[prop] then
      run:problem(where .. "." .. k, "%q is set by the app, not by the config", prop)
    else
      local v, err = values.coerce_top(cur[prop], want_cfg[k])
      -- An enum the app serves as a number (Sonarr's colonReplacementFormat: 4) takes numbers.
      if enums[prop] and type(cur[prop]) == "string" and type(want_cfg[k]) ~= "string" then
        v, err = nil, string.format("expected the name of a %s value (a string), got %s", prop,
          tostring(want_cfg[k]))
      end
      if v == nil then
        run:problem(where .. "." .. k, "%s", err)
      else
        want[prop] = v
        order[#order + 1] = prop
      end
    end
  end
  local changes, restart = {}, {}
  local restart_props = {}
  for _, p in ipairs(kind.restart and kind.restart[inst.type] or {}) do restart_props[p] = true end
  for _, prop in ipairs(order) do
    local v, old = want[prop], cur[prop]
    local differs, note
    if prop == "password" and sec.key == "host" then
      differs, note = password_differs(inst, cur, want)
    elseif prop == "username" and sec.key == "host" then
      -- UserService stores the name lower-cased.
      differs = util.lower(v) ~= util.lower(old)
    elseif enums[prop] then
      differs = not values.equal_top(v, old, {})
    else
      differs = not values.equal(v, old)
    end
    if differs then
      if is_secret(prop) then
        changes[#changes + 1] = { path = prop, secret = true, note = note and ("(" .. note .. ")") or nil }
      else
        changes[#changes + 1] = { path = prop, old = old, new = v }
      end
      if restart_props[prop] then restart[#restart + 1] = prop end
    end
  end
  if #changes == 0 then return { op = "noop", name = sec.key } end
  -- The whole resource: its password is the hash GET returned, which keeps the password.
  local body = util.copy(cur)
  for prop, v in pairs(want) do body[prop] = v end
  if sec.key == "host" and want.password ~= nil and body.passwordConfirmation ~= nil then
    -- HostConfigController: PasswordConfirmation must match Password.
    body.passwordConfirmation = body.password
  end
  values.check_body(body, function(sub, reason) run:problem(where .. sub, "%s", reason) end)
  return { op = "update", name = sec.key, section = sec, body = body, changes = changes, restart = restart }
end

-- Plans KIND (its `sections`) for INST: { kind, actions } or nil, err.
function M.plan(run, inst, kind, items)
  local actions = {}
  for _, sec in ipairs(kind.sections) do
    local want = items and items[sec.key]
    if want then
      local cur, err = reconcile.collection(inst, sec.path)
      if not cur then return nil, err end
      if type(cur) ~= "table" or util.is_list(cur) then
        return nil, { message = sec.path .. ": not a settings resource" }
      end
      actions[#actions + 1] = build(run, inst, kind, sec, want, cur)
    end
  end
  return { kind = kind, actions = actions }
end

-- Applies a plan made by M.plan. Returns true when nothing failed.
function M.apply(run, inst, kp)
  local kind = kp.kind
  local ok_all = true
  for _, a in ipairs(kp.actions) do
    local label = kind.label .. " " .. a.name
    if a.op == "noop" then
      run.report:count(inst.name, label, "unchanged")
    else
      run.report:action(inst.name, kind.label, a)
      if #a.restart > 0 then
        log.warn("%s settings %s: %s take%s effect only after %s restarts", inst.name, a.name,
          table.concat(a.restart, ", "), #a.restart == 1 and "s" or "", inst.name)
      end
      if host.dry_run then
        run.report:count(inst.name, label, "updated")
      else
        local res, err = inst.client:send("PUT", a.section.path, a.body)
        if res and res.status >= 200 and res.status < 300 then
          run.report:count(inst.name, label, "updated")
          log.info("%s settings %s: updated", inst.name, a.name)
        else
          ok_all = false
          run.report:count(inst.name, label, "failed")
          if res then
            for _, line in ipairs(report_mod.rejection(inst.name, "settings", a.name, res)) do
              log.error("%s", line)
            end
          else
            log.error("%s settings %s: %s", inst.name, a.name, err.message)
          end
        end
      end
      a.body = nil
      inst.cache[a.section.path] = nil
    end
  end
  return ok_all
end

-- Export: each section as the app holds it, every property but the
-- engine's (id, apiKey, passwordConfirmation): the scripts do not know each
-- app version's first-start values, and the whole section is exact. Host
-- properties that belong to the installation (where it listens, its URL
-- base and name, its certificate: the kind's restart list but the
-- authentication method) are left out: they come with the deployment. A
-- secret (the user's password, whose hash is all GET returns; a proxy
-- password) becomes EX:secret when set.
function M.export(_, inst, kind, ex)
  local install = {}
  for _, p in ipairs(kind.restart and kind.restart[inst.type] or {}) do
    if p ~= "authenticationMethod" then install[p] = true end
  end
  local out = {}
  for _, sec in ipairs(kind.sections) do
    local cur, err = reconcile.collection(inst, sec.path)
    if not cur then return nil, err end
    if type(cur) ~= "table" or util.is_list(cur) then
      return nil, { message = sec.path .. ": not a settings resource" }
    end
    local props = {}
    for _, prop in ipairs(util.sorted_keys(cur)) do
      local v = util.copy(cur[prop])
      if READ_ONLY[prop] or sec.key == "host" and install[prop] then
        v = nil
      elseif is_secret(prop) then
        v = not util.is_null(v) and v ~= "" and ex:secret(inst.name, "settings " .. sec.key, prop, "settings")
          or nil
      end
      if prop == "password" and sec.key == "host" and (util.is_null(cur.username) or cur.username == "") then
        v = nil -- no user: nothing to log in with
      end
      props[#props + 1] = { prop, v }
    end
    out[#out + 1] = { sec.key, ex:ordered(props) }
  end
  return ex:ordered(out)
end

-- The config check: a table of sections (the kind's), each a table of
-- property = value; the property names are checked against the app's
-- resource when planning.
function M.check(v, path, kind, problems)
  if v == nil then return nil end
  if type(v) ~= "table" or util.is_list(v) and #v > 0 then
    problems:add(path, "expected a table of sections (%s)", table.concat(M.section_keys(kind), ", "))
    return nil
  end
  local allowed = {}
  for _, s in ipairs(kind.sections) do allowed[s.key] = true end
  validate.check_keys(v, allowed, path, problems)
  local out = {}
  for _, s in ipairs(kind.sections) do
    local sec = v[s.key]
    local p = path .. "." .. s.key
    if sec ~= nil then
      if type(sec) ~= "table" or util.is_list(sec) and #sec > 0 then
        problems:add(p, "expected a table of property = value")
      else
        validate.check_secret_values(sec, p, problems)
        for k in pairs(sec) do
          if type(k) ~= "string" then problems:add(p, "property names are strings, got %s", tostring(k)) end
        end
        out[s.key] = util.copy(sec)
      end
    end
  end
  return out
end

function M.section_keys(kind)
  local out = {}
  for _, s in ipairs(kind.sections) do out[#out + 1] = s.key end
  return out
end

return M
