-- Field values: coercion of configured values to the JSON kind a field needs
-- (the apps answer a wrong kind with 500 or a silent 0), normalisation for
-- comparison, and display for plans and error messages.
local json = require "host.json"
local util = require "util"

local M = {}

M.MASK = "********"

-- Names that hold credentials: older apps send no `privacy`, so the name
-- alone must be enough for a literal key in a config not to be printed.
local SECRET_NAMES = { "apikey", "password", "token", "secret", "passkey" }

-- A field is secret when the app masks it on output, its type is password,
-- or its name says it holds a credential. NAME defaults to meta.name.
function M.is_secret(meta, name)
  if meta and (meta.privacy == "apiKey" or meta.privacy == "password" or meta.type == "password"
      or meta.value == M.MASK) then
    return true
  end
  name = name or (meta and meta.name)
  if type(name) ~= "string" then return false end
  -- A switch named like one ("useFreeleechToken", a checkbox) holds no credential.
  local ftype = meta and meta.type
  if ftype == "checkbox" or ftype == "select" or ftype == "number"
      or type(meta and meta.value) == "boolean" then
    return false
  end
  local lower = name:lower()
  for _, word in ipairs(SECRET_NAMES) do
    if lower:find(word, 1, true) then return true end
  end
  return false
end

-- Option names are compared without case and spaces: builds rename them
-- ("ForceStart" in older Sonarr v4, "Force Started" in the pinned one).
local function option_key(s)
  return (s:lower():gsub("%s+", ""))
end

local function option_value(meta, name)
  local key = option_key(name)
  for _, opt in ipairs(util.list(meta.selectOptions)) do
    if type(opt.name) == "string" and option_key(opt.name) == key then return opt.value end
  end
  return nil
end

local function option_names(meta)
  local names = {}
  for _, opt in ipairs(util.list(meta.selectOptions)) do
    names[#names + 1] = tostring(opt.name)
  end
  return names
end

local function describe_kind(v)
  if type(v) == "table" then return util.is_list(v) and "a list" or "a table" end
  if type(v) == "string" then return string.format("string %q", v) end
  return type(v) .. " " .. tostring(v)
end

-- A whole number from a number or a numeric string ("8080", 8080.0), or nil.
local function to_integer(v)
  if type(v) == "string" then
    if not v:match("^%s*[-+]?%d+%.?0*%s*$") then return nil end
    v = tonumber(v)
  end
  if type(v) ~= "number" then return nil end
  return math.tointeger(v)
end

-- The JSON kind a value has: boolean, integer, float, string, list, object;
-- nil for null and absent (then the field's type decides).
local function kind_of(v)
  local tv = type(v)
  if tv == "boolean" or tv == "string" then return tv end
  if tv == "number" then return math.type(v) end
  if tv == "table" then return json.is_array(v) and "list" or "object" end
  return nil
end

-- Element kind of a list field: its first element's, else what the field says.
local LIST_OF_STRINGS = { tag = true, textbox = true, device = true, playlist = true, bookshelf = true }

local function element_kind(meta)
  local first = type(meta.value) == "table" and meta.value[1] or nil
  if first ~= nil then return kind_of(first) end
  if #util.list(meta.selectOptions) > 0 then return "integer" end
  if LIST_OF_STRINGS[meta.type] then return "string" end
  return nil
end

-- The kind a field needs when its value gives none (null or absent).
local TEXT_TYPES = { textbox = true, password = true, url = true, path = true, filePath = true, oAuth = true,
  captcha = true }

local function kind_from_type(meta)
  local ftype = meta.type or "textbox"
  if ftype == "checkbox" then return "boolean" end
  if ftype == "number" then return meta.isFloat and "float" or "integer" end
  if ftype == "tag" or ftype == "tagSelect" then return "list" end
  if ftype == "select" then return #util.list(meta.selectOptions) > 0 and "integer" or nil end
  if TEXT_TYPES[ftype] then return "string" end
  return nil
end

local function whole_number(meta, v)
  if type(v) == "string" and #util.list(meta.selectOptions) > 0 then
    local opt = option_value(meta, v)
    if opt ~= nil then return opt end
    local n = to_integer(v)
    if n then return n end
    return nil, string.format("%q is not an option (options: %s)", v, util.suggest(v, option_names(meta)))
  end
  local n = to_integer(v)
  if n then return n end
  if type(v) == "number" then return nil, "expected a whole number, got " .. tostring(v) end
  return nil, "expected a whole number, got " .. describe_kind(v)
end

-- One value of kind KIND (nil: keep the kind it has, integral floats made integers).
local function one_value(meta, kind, v)
  if kind == "boolean" then
    if type(v) == "boolean" then return v end
    return nil, "expected true or false, got " .. describe_kind(v)
  elseif kind == "integer" then
    return whole_number(meta, v)
  elseif kind == "float" then
    if type(v) == "string" then v = tonumber(v) or v end
    if type(v) ~= "number" then return nil, "expected a number, got " .. describe_kind(v) end
    return v
  elseif kind == "string" then
    if type(v) == "string" then return v end
    if type(v) == "number" then return tostring(math.tointeger(v) or v) end
    return nil, "expected a string, got " .. describe_kind(v)
  elseif kind == "object" then
    if type(v) ~= "table" or util.is_list(v) and next(v) ~= nil then
      return nil, "expected a table, got " .. describe_kind(v)
    end
    return util.copy(v)
  end
  if type(v) == "number" then return math.tointeger(v) or v end
  if type(v) == "string" and #util.list(meta.selectOptions) > 0 then return whole_number(meta, v) end
  if type(v) == "table" then
    return util.copy(util.is_list(v) and json.array(v) or v)
  end
  return v
end

-- Converts a configured value to what field META needs, or nil + reason.
-- META is the schema template's or the existing item's field element: the
-- JSON kind of its value decides (the apps read `value` as the C# property
-- type, whatever `type` says: qBittorrent's port is a textbox holding 8080);
-- `type`, `isFloat` and `selectOptions` decide only when the value is null.
function M.coerce(meta, v)
  if v == json.null then return json.null end
  local kind = kind_of(meta.value) or kind_from_type(meta)
  if kind == "integer" and meta.isFloat then kind = "float" end
  if kind ~= "list" then
    if type(v) == "table" and kind ~= "object" and kind ~= nil then
      return nil, "expected one value, got " .. describe_kind(v)
    end
    return one_value(meta, kind, v)
  end
  local items = type(v) == "table" and v or { v }
  if not util.is_list(items) then return nil, "expected a list, got a table" end
  local ekind, out = element_kind(meta), {}
  for i, x in ipairs(items) do
    local c, err = one_value(meta, ekind, x)
    if c == nil then return nil, string.format("item %d: %s", i, err) end
    out[i] = c
  end
  return json.array(out)
end

-- A top-level property: keep the JSON kind of the template/current value.
function M.coerce_top(current, v)
  if v == json.null then return json.null end
  local kind = kind_of(current)
  if kind == "string" and type(v) == "number" then -- enums accept integers
    local n = math.tointeger(v)
    if n then return n end
    return nil, "expected a string or a whole number, got " .. tostring(v)
  end
  if kind == "list" then
    if type(v) ~= "table" or not util.is_list(v) then
      return nil, "expected a list, got " .. describe_kind(v)
    end
    return util.copy(json.array(v))
  end
  return one_value({}, kind, v)
end

-- What host.json writes at most (DEFAULT_ENCODE_MAX_DEPTH of the project's
-- lua-cjson patch); a body nests a field value three levels further down,
-- which check_body catches exactly.
local MAX_DEPTH = 1000

local function walk(v, path, depth, out, seen)
  local tv = type(v)
  if tv == "string" then
    if not utf8.len(v) then out[#out + 1] = { path, "a string that is not valid UTF-8" } end
  elseif tv == "number" then
    if v ~= v then
      out[#out + 1] = { path, "NaN" }
    elseif v == math.huge or v == -math.huge then
      out[#out + 1] = { path, "an infinite number" }
    end
  elseif tv == "table" and v ~= json.null then
    if depth >= MAX_DEPTH or seen[v] then
      out[#out + 1] = { path, seen[v] and "a table that contains itself"
        or string.format("nesting deeper than %d levels", MAX_DEPTH) }
      return
    end
    seen[v] = true
    for _, k in ipairs(util.sorted_keys(v)) do
      local sub = math.type(k) == "integer" and string.format("%s[%d]", path or "", k)
        or (path and path .. "." or "") .. tostring(k)
      if type(k) == "string" and not utf8.len(k) then
        out[#out + 1] = { path, "a key that is not valid UTF-8" }
      else
        walk(v[k], sub, depth + 1, out, seen)
      end
    end
    seen[v] = nil
  end
end

-- Every value of a configuration table V (under PATH, if given) that JSON cannot
-- carry: { "path: reason", ... }, values never shown. Run before the first
-- request, so a bad value deep in the config costs nothing.
function M.json_problems(v, path)
  local found, out = {}, {}
  walk(v, path, 0, found, {})
  for _, p in ipairs(found) do
    local at = #p[1] > 120 and p[1]:sub(1, 120) .. "..." or p[1]
    out[#out + 1] = string.format("%s: JSON cannot carry %s; change it in the config", at, p[2])
  end
  return out
end

-- Checks that BODY can be sent: host.json refuses what JSON cannot carry
-- (nesting deeper than it accepts, strings that are not UTF-8, NaN and
-- infinities). Found while planning, so nothing is written; PROBLEM(sub,
-- reason) gets ".fields.<name>" or ".<property>". Values are never shown.
function M.check_body(body, problem)
  local ok, err = json.encode(body)
  if ok then return true end
  local reason, at = tostring(err):match("^json.encode: (.-) at (.*)$")
  reason = reason or tostring(err)
  local sub = ""
  local i = at and tonumber(at:match("^fields%[(%d+)%]"))
  local f = i and util.list(body.fields)[i]
  if f and type(f.name) == "string" then
    sub = ".fields." .. f.name
  elseif at and at:match("^[%w_]+") then
    sub = "." .. at:match("^[%w_]+")
  end
  problem(sub, string.format("JSON cannot carry this value (%s); change it in the config", reason))
  return false
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
