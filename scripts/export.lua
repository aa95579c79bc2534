-- `starrhost export` (DESIGN section 11): reads every instance of the run
-- (read-only: the host runs it as a dry run) and prints, on standard
-- output, a config file that reproduces what the apps hold. Each type
-- module's export (apptype.lua) asks the engine of each kind (kinds.lua)
-- for its items, so a new kind exports with no code here. This module adds
-- the instances' own keys, the secrets every masked field needs, the header
-- and the rendering (luawriter.lua).
local host = require "host"
local log = require "host.log"
local util = require "util"
local w = require "luawriter"

local M = {}

local Exporter = {}
Exporter.__index = Exporter
M.Exporter = Exporter

-- "sonarr", "qBittorrent 4K", "password" -> "sonarr-qbittorrent-4k-password"
function M.secret_name(...)
  local s = table.concat({ ... }, "-"):lower():gsub("[^%w]+", "-"):gsub("^%-+", ""):gsub("%-+$", "")
  return s
end

-- A secret("<instance>-<item>-<field>") reference for a masked field of
-- the item named ITEM_NAME (a LABEL: "download client"); two fields whose
-- names read the same get -2, -3, ... so each keeps its own.
function Exporter:secret(inst_name, item_name, field, label)
  local base = M.secret_name(inst_name, item_name, field)
  local what = string.format("%s %s %q, field %s", inst_name, label or "item", item_name, field)
  local name, n = base, 1
  while self.secrets[name] and self.secrets[name] ~= what do
    n = n + 1
    name = base .. "-" .. n
  end
  self.secrets[name] = what
  return w.call("secret", name)
end

function Exporter.ordered(_, pairs_list)
  return w.ordered(pairs_list)
end

-- Provider items ({ { "name", n }, ... } each) in the order of their names.
function Exporter.sorted(_, items)
  if #items == 0 then return nil end
  local function name(it) return tostring(it[1][2]) end
  table.sort(items, function(a, b)
    local la, lb = name(a):lower(), name(b):lower()
    if la ~= lb then return la < lb end
    return name(a) < name(b)
  end)
  local out = {}
  for i, it in ipairs(items) do out[i] = w.ordered(it) end
  return out
end

local function nonempty_env(name)
  local v = host.env(name)
  if v and v ~= "" then return v end
  return nil
end

-- env("<PREFIX>_<SUFFIX>") when the environment gave VALUE that way, else
-- VALUE, its userinfo masked: a password in a URL is not written out.
local function url_ref(icfg, suffix, value)
  local var = icfg.env_prefix .. suffix
  if nonempty_env(var) == value then return w.call("env", var) end
  local shown = util.mask_userinfo(value)
  if shown ~= value then
    log.warn("%s: the URL %s came from the config file; its user and password are written as ***: put "
      .. "them back, or set %s", icfg.name, shown, var)
  end
  return shown
end

-- The keys of instance INST that say which app it is: type, URL, key, the
-- URLs the apps use for each other when they differ.
local function instance_keys(ex, inst)
  local icfg = inst.cfg
  local out = {}
  if inst.name ~= inst.type then out[#out + 1] = { "type", inst.type } end
  out[#out + 1] = { "url", url_ref(icfg, "_URL", icfg.url) }
  local key_secret = inst.name .. "-api-key"
  ex.secrets[key_secret] = string.format("%s API key (or drop api_key: %s_CONFIG_XML works too)", inst.name,
    icfg.env_prefix)
  out[#out + 1] = { "api_key", w.call("secret", key_secret) }
  local urls = { { "url_from_prowlarr", "_URL_FROM_PROWLARR" }, { "url_from_apps", "_URL_FROM_APPS" } }
  for _, k in ipairs(urls) do
    local v = icfg[k[1]]
    if v and v ~= icfg.url then out[#out + 1] = { k[1], url_ref(icfg, k[2], v) } end
  end
  return out
end

-- The header: what the file is, the variables it reads with env() and
-- the secrets it reads with secret() (those in TREE, the rendered value).
local function header(ex, names, tree)
  local lines = {
    "-- starrhost export: the configuration of " .. table.concat(names, ", ") .. ".",
    "-- Written by starrhost " .. host.version .. "; `starrhost plan --config FILE` against the same",
    "-- apps changes nothing. Items list what differs from their /schema template and the run's",
    "-- defaults; settings sections and delay profiles are listed whole.",
    "-- luacheck: read globals env secret null",
    "-- luacheck: no max line length",
  }
  local envs, secrets, seen = {}, {}, {}
  for _, c in ipairs(w.calls(tree)) do
    local name = c.args[1]
    if not seen[c.name .. ":" .. name] then
      seen[c.name .. ":" .. name] = true
      if c.name == "env" then envs[#envs + 1] = name else secrets[#secrets + 1] = name end
    end
  end
  table.sort(secrets)
  if #envs > 0 then lines[#lines + 1] = "-- Environment: " .. table.concat(envs, ", ") end
  lines[#lines + 1] = "--"
  lines[#lines + 1] = "-- Secrets: each from the file its variable names (below), the variable without _FILE,"
  lines[#lines + 1] = "-- or the file of its name in STARRHOST_SECRETS_DIR:"
  local width, vwidth = 0, 0
  for _, name in ipairs(secrets) do
    width = math.max(width, #name)
    vwidth = math.max(vwidth, #name + 5)
  end
  for _, name in ipairs(secrets) do
    local var = name:upper():gsub("-", "_") .. "_FILE"
    lines[#lines + 1] = string.format("--   %-" .. width .. "s  %-" .. vwidth .. "s  %s", name, var,
      ex.secrets[name])
  end
  return table.concat(lines, "\n") .. "\n"
end

-- RUN: the run (run.lua) with its instances waited for; LIST: the
-- instances in config order; BROKEN: those whose type module did not load.
-- Returns the exit code: 0 printed, 1 a read failed, 2 a script error,
-- 3 an instance not ready or lost. Prints nothing unless every instance
-- was read.
function M.main(run, list, broken)
  local EXIT = require("run").EXIT
  local ex = setmetatable({ secrets = {} }, Exporter)
  run.exporter = ex
  local code = EXIT.ok
  for _, icfg in ipairs(broken) do
    log.error("%s: script error loading %s.lua: %s", icfg.name, icfg.type, icfg.load_error)
    code = EXIT.config
  end
  local sections, names = {}, {}
  for _, inst in ipairs(list) do
    if not inst.ready then
      log.error("%s not exported: %s", inst.name, tostring(inst.down_reason))
      code = math.max(code, EXIT.unreachable)
    elseif type(inst.mod.export) ~= "function" then
      log.error("%s: %s.lua has no export function (type modules made with apptype.define have one)",
        inst.name, inst.type)
      code = EXIT.config
    elseif code == EXIT.ok then
      -- The key's secret first: an item's secret cannot take its name.
      local pairs_list = instance_keys(ex, inst)
      local ok, section, err = run:step(inst, "export")
      if not ok then
        code = EXIT.config
      elseif not section then
        log.error("%s: cannot read %s", inst.name, tostring(err))
        code = inst.client.lost and EXIT.unreachable or EXIT.failed
      else
        for _, p in ipairs(section) do pairs_list[#pairs_list + 1] = p end
        sections[#sections + 1] = { inst.name, w.ordered(pairs_list) }
        names[#names + 1] = inst.name
      end
    end
  end
  if code ~= EXIT.ok then
    log.error("nothing exported")
    return code
  end
  local tree = w.ordered(sections)
  local text = header(ex, names, tree) .. "return " .. w.render(tree) .. "\n"
  host.write(text)
  local _, n = text:gsub("\n%-%-   ", "")
  log.info("exported %s; the file needs %d secret(s), listed at its top", table.concat(names, ", "), n)
  return EXIT.ok
end

return M
