-- Small helpers shared by the scripts: strings, copies that keep JSON
-- array markers, sorting, and "did you mean" suggestions.
local json = require "host.json"

local M = {}

function M.lower(s)
  return type(s) == "string" and s:lower() or s
end

function M.trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- "http://x:1/base/" -> "http://x:1/base"
function M.strip_slash(s)
  return (s:gsub("/+$", ""))
end

-- TEXT with the userinfo of every URL in it ("http://user:pw@host") shown
-- as "***": a URL's userinfo is a secret wherever the scripts print it. A
-- bare "user:pw@host" (a URL without its scheme) is masked too.
function M.mask_userinfo(text)
  if type(text) ~= "string" or not text:find("@", 1, true) then return text end
  local out = text:gsub("(%a[%w+.-]*://)[^/?#@%s\"'<>]*@", "%1***@")
  out = out:gsub("^[^/?#@%s:\"'<>]+:[^/?#@%s\"'<>]*@", "***@")
  return out
end

function M.is_null(v)
  return v == nil or v == json.null
end

-- V when it is a table, else an empty list: JSON null (userdata) and absent
-- values iterate as nothing.
function M.list(v)
  if type(v) == "table" then return v end
  return {}
end

-- A plain sequence (1..n, nothing else), or a decoded JSON array.
function M.is_list(t)
  if type(t) ~= "table" then return false end
  if json.is_array(t) then return true end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n == #t
end

-- Deep copy; decoded or built JSON arrays stay arrays, other tables stay objects.
function M.copy(v)
  if type(v) ~= "table" or v == json.null then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = M.copy(x) end
  if json.is_array(v) then return json.array(out) end
  return out
end

function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

function M.contains(list, v)
  for _, x in ipairs(list or {}) do
    if x == v then return true end
  end
  return false
end

-- Levenshtein distance, case-insensitive; used to put the likeliest name first.
local function distance(a, b)
  a, b = a:lower(), b:lower()
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end
M.distance = distance

-- Valid names ordered by closeness to the wrong one, as "a, b, c".
function M.suggest(wrong, valid)
  local list = {}
  for _, v in ipairs(valid) do list[#list + 1] = v end
  table.sort(list, function(x, y)
    local dx, dy = distance(wrong, x), distance(wrong, y)
    if dx ~= dy then return dx < dy end
    return x < y
  end)
  return table.concat(list, ", ")
end

-- snake_case -> camelCase ("sync_level" -> "syncLevel").
function M.camel(s)
  return (s:gsub("_(%w)", function(c) return c:upper() end))
end

return M
