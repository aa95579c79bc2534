-- Field values: coercion of configured values to the JSON kind a field needs
-- (the apps answer a wrong kind with 500 or a silent 0), normalisation for
-- comparison, and display for plans and error messages.
local json = require "host.json"
local util = require "util"

local M = {}

M.MASK = "********"

-- A field is secret when the app masks it on output.
function M.is_secret(meta)
  if not meta then return false end
  return meta.privacy == "apiKey" or meta.privacy == "password" or meta.type == "password"
    or meta.value == M.MASK
end

local function option_value(meta, name)
  for _, opt in ipairs(meta.selectOptions or {}) do
    if type(opt.name) == "string" and opt.name:lower() == name:lower() then return opt.value end
  end
  return nil
end

local function option_names(meta)
  local names = {}
  for _, opt in ipairs(meta.selectOptions or {}) do names[#names + 1] = tostring(opt.name) end
  return names
end

local function to_integer(v)
  if type(v) == "string" then v = tonumber(v) end
  if type(v) ~= "number" then return nil end
  return math.tointeger(v)
end

local function select_scalar(meta, v)
  if type(v) == "string" then
    local opt = option_value(meta, v)
    if opt ~= nil then return opt end
    local n = to_integer(v)
    if n then return n end
    if #(meta.selectOptions or {}) == 0 then return v end
    return nil, string.format("%q is not an option (options: %s)", v,
      util.suggest(v, option_names(meta)))
  end
  local n = to_integer(v)
  if n then return n end
  return nil, "expected a whole number or an option name"
end

local function describe_kind(v)
  if type(v) == "table" then return util.is_list(v) and "a list" or "a table" end
  if type(v) == "string" then return string.format("string %q", v) end
  return type(v) .. " " .. tostring(v)
end

-- Converts a configured value to what field META needs, or nil + reason.
-- META is a schema or existing field element: type, isFloat, value, selectOptions.
function M.coerce(meta, v)
  if v == json.null then return json.null end
  local ftype = meta.type or "textbox"
  local current = meta.value
  local wants_list = json.is_array(current) or ftype == "tagSelect"
  if ftype == "checkbox" then
    if type(v) == "boolean" then return v end
    return nil, "expected true or false, got " .. describe_kind(v)
  elseif ftype == "number" then
    if type(v) == "string" then v = tonumber(v) or v end
    if type(v) ~= "number" then return nil, "expected a number, got " .. describe_kind(v) end
    if meta.isFloat then return v end
    local n = math.tointeger(v)
    if not n then return nil, "expected a whole number, got " .. tostring(v) end
    return n
  elseif ftype == "select" or ftype == "tagSelect" then
    if wants_list then
      local items = type(v) == "table" and v or { v }
      if not util.is_list(items) then return nil, "expected a list, got a table" end
      local out = {}
      for i, x in ipairs(items) do
        local c, err = select_scalar(meta, x)
        if c == nil then return nil, string.format("item %d: %s", i, err) end
        out[i] = c
      end
      return json.array(out)
    end
    if type(v) == "table" then return nil, "expected one value, got " .. describe_kind(v) end
    return select_scalar(meta, v)
  end
  -- Text-like fields (textbox, password, url, path, ...) hold strings; lists
  -- pass as arrays where the field already holds one.
  if type(v) == "string" then return v end
  if math.type(v) == "integer" then return tostring(v) end
  if type(v) == "number" then return tostring(v) end
  if type(v) == "table" and (wants_list or util.is_list(v)) and util.is_list(v) then
    return json.array(util.copy(v))
  end
  return nil, "expected a string, got " .. describe_kind(v)
end

-- A top-level property: keep the JSON kind of the template/current value.
function M.coerce_top(current, v)
  if v == json.null then return json.null end
  local tc = type(current)
  if tc == "boolean" then
    if type(v) == "boolean" then return v end
    return nil, "expected true or false, got " .. describe_kind(v)
  elseif tc == "number" then
    if type(v) == "string" then v = tonumber(v) or v end
    if type(v) ~= "number" then return nil, "expected a number, got " .. describe_kind(v) end
    if math.type(current) == "integer" then
      local n = math.tointeger(v)
      if not n then return nil, "expected a whole number, got " .. tostring(v) end
      return n
    end
    return v
  elseif tc == "string" then
    if type(v) == "string" then return v end
    if math.type(v) == "integer" then return v end -- enums accept integers
    return nil, "expected a string, got " .. describe_kind(v)
  elseif tc == "table" then
    if type(v) ~= "table" then return nil, "expected a table, got " .. describe_kind(v) end
    return util.copy(json.is_array(current) and json.array(v) or v)
  end
  if type(v) == "table" and util.is_list(v) then return json.array(util.copy(v)) end
  return util.copy(v)
end

-- Normalises for comparison: null and "" are absent, trailing slashes on
-- URLs and paths do not count, numeric strings are numbers, lists of
-- scalars are sets.
local function norm(v)
  if v == nil or v == json.null or v == "" then return nil end
  local tv = type(v)
  if tv == "string" then
    local n = tonumber(v)
    if n and v:match("^%s*%-?[%d.]+%s*$") then return n end
    if (v:match("^%a[%w+.-]*://") or v:sub(1, 1) == "/") and #v > 1 then
      return util.strip_slash(v)
    end
    return v
  end
  if tv ~= "table" then return v end
  if util.is_list(v) then
    local out, scalar = {}, true
    for i, x in ipairs(v) do
      out[i] = norm(x)
      if type(out[i]) == "table" then scalar = false end
    end
    if scalar then
      table.sort(out, function(a, b)
        if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
        return type(a) < type(b)
      end)
    end
    return out
  end
  local out = {}
  for k, x in pairs(v) do out[k] = norm(x) end
  return out
end
M.normalize = norm

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, x in pairs(a) do
    if not deep_equal(x, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

function M.equal(a, b)
  return deep_equal(norm(a), norm(b))
end

-- Enum-like strings compare case-insensitively ("FullSync" == "fullSync").
function M.equal_top(a, b, enum)
  if enum and type(a) == "string" and type(b) == "string" then return a:lower() == b:lower() end
  if enum and math.type(a) == "integer" and type(b) == "string" then return enum[b:lower()] == a end
  return M.equal(a, b)
end

-- Compact JSON-like rendering for plans and messages.
function M.show(v)
  if v == nil or v == json.null then return "null" end
  if type(v) == "table" then
    local s = json.encode(v)
    if s then return s end
  end
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

return M
