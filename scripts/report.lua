-- What a run tells its user: plan lines (stdout), error lines for rejected
-- writes (every element of a 400), and the summary per instance and kind.
local host = require "host"
local log = require "host.log"
local util = require "util"
local values = require "values"

local M = {}
local Report = {}
Report.__index = Report

local OUTCOMES = { "created", "updated", "deleted", "unchanged", "failed", "skipped" }

function M.new()
  return setmetatable({ rows = {}, order = {}, plan_lines = {}, pending = 0, failed = 0 }, Report)
end

function Report:count(app, kind, outcome, n)
  local key = app .. "\0" .. kind
  local row = self.rows[key]
  if not row then
    row = { app = app, kind = kind }
    for _, o in ipairs(OUTCOMES) do row[o] = 0 end
    self.rows[key] = row
    self.order[#self.order + 1] = key
  end
  row[outcome] = row[outcome] + (n or 1)
  if outcome == "failed" then self.failed = self.failed + (n or 1) end
end

local function show_change(c)
  if c.secret then
    local note = c.note and (" " .. c.note) or ""
    return string.format("    %s %s: (secret)%s", c.create and "+" or "~", c.path, note)
  end
  local new = util.mask_userinfo(values.show(c.new)) .. (c.note and (" " .. c.note) or "")
  if c.old == nil and c.create then return string.format("    + %s: %s", c.path, new) end
  return string.format("    ~ %s: %s -> %s", c.path, util.mask_userinfo(values.show(c.old)), new)
end

-- Records a pending change (plan) and logs what a run is about to do.
function Report:action(app, kind, action)
  local head = string.format("%s %s %q: %s", app, kind, action.name, action.op)
  local lines = { head }
  for _, c in ipairs(action.changes or {}) do lines[#lines + 1] = show_change(c) end
  if host.dry_run then
    self.pending = self.pending + 1
    for _, l in ipairs(lines) do self.plan_lines[#self.plan_lines + 1] = l end
  end
  -- One log line each: text logs escape line breaks inside a message.
  for _, l in ipairs(lines) do log.info("%s", l) end
end

-- One line per element of a rejected write: app kind "name": field: message.
-- FIELDS maps lower-cased field names to their metadata (for masking).
function M.rejection(app, kind, name, res, fields)
  local lines = {}
  local data = res and res.data
  local prefix = string.format("%s %s %q: ", app, kind, name)
  if type(data) == "table" and data[1] ~= nil then
    for _, e in ipairs(data) do
      local prop = type(e.propertyName) == "string" and e.propertyName or ""
      local meta = fields and fields[prop:lower()]
      local field = meta and meta.name or (prop ~= "" and prop or "(item)")
      local line = prefix .. field .. ": " .. tostring(e.errorMessage or "rejected")
      if e.isWarning then line = line .. " (warning)" end
      if e.attemptedValue ~= nil and type(e.attemptedValue) ~= "table" then
        local secret = values.is_secret(meta) or prop:lower():find("apikey") or prop:lower():find("password")
        line = line .. " [value: " .. (secret and "(secret)" or values.show(e.attemptedValue)) .. "]"
      end
      lines[#lines + 1] = line
    end
  elseif type(data) == "table" and type(data.errors) == "table" then
    for path, msgs in pairs(data.errors) do
      for _, m in ipairs(type(msgs) == "table" and msgs or { msgs }) do
        lines[#lines + 1] = prefix .. tostring(path) .. ": " .. tostring(m)
      end
    end
  end
  if #lines == 0 then
    local msg = res and ("HTTP " .. tostring(res.status)) or "no response"
    if type(data) == "table" and (data.message or data.title) then
      msg = msg .. ": " .. tostring(data.message or data.title)
    end
    lines[1] = prefix .. msg
  end
  -- The apps echo URLs (attempted values, "... at [http://user:pw@...]").
  for i, l in ipairs(lines) do lines[i] = util.mask_userinfo(l) end
  return lines
end

-- True when every element of a 400 array is a warning.
function M.only_warnings(res)
  local data = res and res.data
  if type(data) ~= "table" or data[1] == nil then return false end
  for _, e in ipairs(data) do
    if not e.isWarning then return false end
  end
  return true
end

function Report:plan_text()
  if #self.plan_lines == 0 then return "No changes.\n" end
  return table.concat(self.plan_lines, "\n") .. "\n"
end

-- One row per instance and kind; the first two columns are as wide as the
-- longest instance name and kind.
function Report:summary_text()
  local w, kw = 9, 18
  for _, key in ipairs(self.order) do
    w, kw = math.max(w, #self.rows[key].app), math.max(kw, #self.rows[key].kind)
  end
  local head = "%-" .. w .. "s %-" .. kw .. "s %7s %7s %7s %9s %6s %7s"
  local row = "%-" .. w .. "s %-" .. kw .. "s %7d %7d %7d %9d %6d %7d"
  local out = { string.format(head, "instance", "kind", "created", "updated", "deleted", "unchanged",
    "failed", "skipped") }
  for _, key in ipairs(self.order) do
    local r = self.rows[key]
    out[#out + 1] = string.format(row, r.app, r.kind, r.created, r.updated, r.deleted, r.unchanged, r.failed,
      r.skipped)
  end
  return table.concat(out, "\n") .. "\n"
end

return M
