-- Renders a value as Lua source: the config files `starrhost export`
-- writes. Deterministic (the same value gives the same bytes), readable
-- (one entry per line unless a table of plain values fits on one), and
-- exact: reading the text back gives the value again (integers stay
-- integers, floats round-trip to the same double, json.null is `null`).
-- Tables are sequences (rendered in order) or maps (keys sorted); M.ordered
-- gives a map its own key order, M.call a call such as secret("name").
local json = require "host.json"

local M = {}

M.WIDTH = 100 -- a table of plain values is put on one line when it fits this

local KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or repeat return
  then true until while]]):gmatch("%a+") do
  KEYWORDS[w] = true
end

local ORDERED, CALL = {}, {}

-- A map whose keys are written in the order of PAIRS ({ { key, value }, ... });
-- entries with a nil value are left out.
function M.ordered(pairs_list)
  local entries = {}
  for _, p in ipairs(pairs_list) do
    if p[2] ~= nil then entries[#entries + 1] = p end
  end
  return setmetatable({ entries = entries }, ORDERED)
end

-- A call of global function NAME with string/number arguments: secret("x").
function M.call(name, ...)
  return setmetatable({ name = name, args = { ... } }, CALL)
end

function M.is_call(v)
  return getmetatable(v) == CALL
end

local ESCAPES = { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

-- A quoted string: printable ASCII and valid UTF-8 as they are, line
-- breaks and tabs by name, every other control byte or stray byte as \xNN.
function M.string(s)
  local out, i, n = { '"' }, 1, #s
  while i <= n do
    local c = s:byte(i)
    local len = c < 0x80 and 1 or c >= 0xF0 and 4 or c >= 0xE0 and 3 or c >= 0xC2 and 2 or 0
    local ch = s:sub(i, i + math.max(len, 1) - 1)
    if len > 1 and utf8.len(ch) == 1 and #ch == len then
      out[#out + 1] = ch
      i = i + len
    else
      if ESCAPES[ch] then
        out[#out + 1] = ESCAPES[ch]
      elseif c < 0x20 or c >= 0x7F then
        out[#out + 1] = string.format("\\x%02X", c)
      else
        out[#out + 1] = ch
      end
      i = i + 1
    end
  end
  out[#out + 1] = '"'
  return table.concat(out)
end

-- The shortest decimal that reads back as the same double.
local function float(v)
  if v ~= v then return "(0 / 0)" end
  if v == math.huge then return "math.huge" end
  if v == -math.huge then return "-math.huge" end
  local s
  for digits = 1, 17 do
    s = string.format("%." .. digits .. "g", v)
    if tonumber(s) == v then break end
  end
  -- 1e+20 and 3 are floats only with a point or an exponent.
  if not s:find("[.eEn]") then s = s .. ".0" end
  return s
end

local function number(v)
  if math.type(v) == "integer" then
    -- -9223372036854775808 would read as a float.
    if v == math.mininteger then return "math.mininteger" end
    return string.format("%d", v)
  end
  return float(v)
end

local function key_text(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not KEYWORDS[k] then return k end
  if type(k) == "string" then return "[" .. M.string(k) .. "]" end
  if type(k) == "number" then return "[" .. number(k) .. "]" end
  error("luawriter: a key must be a string or a number, got " .. type(k), 0)
end

local function is_plain_table(v)
  return type(v) == "table" and v ~= json.null and getmetatable(v) ~= CALL
end

-- The entries of table T: { key or nil (sequence), value }, sequence first.
local function entries(t)
  if getmetatable(t) == ORDERED then
    local out = {}
    for _, p in ipairs(t.entries) do out[#out + 1] = { p[1], p[2] } end
    return out
  end
  local out, n = {}, #t
  for i = 1, n do out[#out + 1] = { nil, t[i] } end
  local keys = {}
  for k in pairs(t) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    if type(a) ~= type(b) then return type(a) == "number" end
    return a < b
  end)
  for _, k in ipairs(keys) do out[#out + 1] = { k, t[k] } end
  return out
end

local render

local function scalar(v)
  local tv = type(v)
  if v == json.null then return "null" end
  if tv == "string" then return M.string(v) end
  if tv == "number" then return number(v) end
  if tv == "boolean" then return tostring(v) end
  if getmetatable(v) == CALL then
    local args = {}
    for i, a in ipairs(v.args) do args[i] = scalar(a) end
    return v.name .. "(" .. table.concat(args, ", ") .. ")"
  end
  error("luawriter: cannot write a " .. tv, 0)
end

local function entry_text(e, value_text)
  if e[1] == nil then return value_text end
  return key_text(e[1]) .. " = " .. value_text
end

function render(v, indent, seen)
  if not is_plain_table(v) then return scalar(v) end
  if seen[v] then error("luawriter: a table that contains itself", 0) end
  local list = entries(v)
  if #list == 0 then return "{}" end
  seen[v] = true
  -- One line when every value is plain and it fits.
  local flat, parts = true, {}
  for _, e in ipairs(list) do
    if is_plain_table(e[2]) and not (getmetatable(e[2]) ~= ORDERED and next(e[2]) == nil) then
      flat = false
      break
    end
    parts[#parts + 1] = entry_text(e, render(e[2], indent, seen))
  end
  local text
  if flat then
    text = "{ " .. table.concat(parts, ", ") .. " }"
    if #indent + #text > M.WIDTH then text = nil end
  end
  if not text then
    local inner = indent .. "  "
    local lines = { "{" }
    for _, e in ipairs(list) do
      lines[#lines + 1] = inner .. entry_text(e, render(e[2], inner, seen)) .. ","
    end
    lines[#lines + 1] = indent .. "}"
    text = table.concat(lines, "\n")
  end
  seen[v] = nil
  return text
end

-- The calls in V (M.call values), in the order M.render writes them.
function M.calls(v, out)
  out = out or {}
  if getmetatable(v) == CALL then
    out[#out + 1] = v
  elseif is_plain_table(v) then
    for _, e in ipairs(entries(v)) do M.calls(e[2], out) end
  end
  return out
end

-- Lua source for V (no trailing newline). INDENT: the indentation of the
-- line V starts on.
function M.render(v, indent)
  return render(v, indent or "", {})
end

return M
