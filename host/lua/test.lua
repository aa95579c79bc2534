-- host.test: the test library of `starrhost test`. Test files register tests
-- with test/describe/it; run_file runs one file and reports each test.
local host = require "host"

local helpers = ... or {}
local traceback = helpers.traceback or function(msg) return msg end

local M = {}

local has_json, json = pcall(require, "host.json")
if not has_json then json = nil end

local registered = {}
local prefix = {}

local FAILURE = {}
local SKIP = {}

function M.test(name, fn)
  assert(type(name) == "string", "test name must be a string")
  assert(type(fn) == "function", "test body must be a function")
  local full = #prefix > 0 and (table.concat(prefix, " ") .. " " .. name) or name
  registered[#registered + 1] = { name = full, fn = fn }
end

M.it = M.test

function M.describe(name, fn)
  prefix[#prefix + 1] = name
  local ok, err = pcall(fn)
  prefix[#prefix] = nil
  if not ok then error(err, 0) end
end

-- Values are shown as JSON where they encode, so [] and {} and 8080 versus
-- 8080.0 are visible; otherwise as a Lua literal.
local function show(v, depth)
  depth = depth or 0
  local tv = type(v)
  if json and v == json.null then return "null" end
  if tv == "string" then return string.format("%q", v) end
  if tv == "number" then
    if math.type(v) == "float" and v == math.floor(v) and v > -1e15 and v < 1e15 then
      return string.format("%.1f", v)
    end
    return tostring(v)
  end
  if tv ~= "table" then return tostring(v) end
  if depth > 6 then return "{...}" end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  local is_seq = #keys == #v
  if json and json.is_array and json.is_array(v) then is_seq = true end
  local parts = {}
  if is_seq then
    for i = 1, #v do parts[i] = show(v[i], depth + 1) end
    if #parts == 0 and not (json and json.is_array and json.is_array(v)) then return "{}" end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for i, k in ipairs(keys) do
    local key = type(k) == "string" and k or ("[" .. show(k) .. "]")
    parts[i] = key .. " = " .. show(v[k], depth + 1)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
M.show = show

local function path_join(path, k)
  if type(k) == "number" then return path .. "[" .. k .. "]" end
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return path .. "." .. k end
  return path .. "[" .. show(k) .. "]"
end

-- Returns nil when equal, else the path and a description of the first difference.
local function diff(actual, expected, path, seen)
  local ta, te = type(actual), type(expected)
  -- rawequal(8080.0, 8080) is true: numbers are compared with their subtype below.
  if ta ~= "number" and rawequal(actual, expected) then return nil end
  if ta ~= te then
    return path, string.format("expected %s %s, got %s %s", te, show(expected), ta, show(actual))
  end
  if ta == "number" then
    if actual == expected and math.type(actual) == math.type(expected) then return nil end
    if actual ~= actual and expected ~= expected then return nil end
    if actual == expected then
      return path, string.format("expected %s (%s), got %s (%s)", show(expected), math.type(expected),
        show(actual), math.type(actual))
    end
    return path, string.format("expected %s, got %s", show(expected), show(actual))
  end
  if ta ~= "table" then
    return path, string.format("expected %s, got %s", show(expected), show(actual))
  end
  seen = seen or {}
  if seen[actual] == expected then return nil end
  seen[actual] = expected
  if json and json.is_array and json.is_array(expected) and not json.is_array(actual) then
    return path, string.format("expected a JSON array %s, got a table %s", show(expected), show(actual))
  end
  for k, ev in pairs(expected) do
    local p, d = diff(actual[k], ev, path_join(path, k), seen)
    if p then return p, d end
  end
  for k, av in pairs(actual) do
    if expected[k] == nil then
      return path_join(path, k), string.format("unexpected value %s", show(av))
    end
  end
  return nil
end
M.diff = diff

local function fail(msg, level)
  error(setmetatable({ message = msg }, FAILURE), (level or 1) + 1)
end

-- Failure messages carry the file:line of the function LEVEL levels above the
-- assertion: error() called through pcall counts pcall, fail_at and the assertion.
local function fail_at(level, msg)
  local ok, err = pcall(error, msg, level + 3)
  fail(ok and msg or err, 0)
end

function M.eq(actual, expected, msg)
  local p, d = diff(actual, expected, "value")
  if p then
    fail_at(1, string.format("%s%s: %s\n    expected: %s\n    actual:   %s",
      msg and (msg .. ": ") or "", p, d, show(expected), show(actual)))
  end
end

function M.ne(actual, unexpected, msg)
  if not diff(actual, unexpected, "value") then
    fail_at(1, string.format("%sexpected a value other than %s", msg and (msg .. ": ") or "", show(actual)))
  end
end

function M.ok(v, msg)
  if not v then fail_at(1, msg or string.format("expected a true value, got %s", show(v))) end
  return v
end

function M.is_nil(v, msg)
  if v ~= nil then fail_at(1, (msg and (msg .. ": ") or "") .. "expected nil, got " .. show(v)) end
end

function M.match(s, pattern, msg)
  if type(s) ~= "string" or not s:find(pattern) then
    fail_at(1, string.format("%sexpected %s to match %q", msg and (msg .. ": ") or "", show(s), pattern))
  end
end

function M.no_match(s, pattern, msg)
  if type(s) == "string" and s:find(pattern) then
    fail_at(1, string.format("%sexpected %s not to match %q", msg and (msg .. ": ") or "", show(s), pattern))
  end
end

function M.raises(fn, pattern, msg)
  local ok, err = pcall(fn)
  if ok then fail_at(1, (msg and (msg .. ": ") or "") .. "expected an error, none was raised") end
  local text = type(err) == "table" and getmetatable(err) == FAILURE and err.message or tostring(err)
  if pattern and not text:find(pattern) then
    fail_at(1, string.format("%sexpected an error matching %q, got %s", msg and (msg .. ": ") or "",
      pattern, show(text)))
  end
  return text
end

function M.fail(msg)
  fail_at(1, msg or "failed")
end

function M.skip(reason)
  error(setmetatable({ message = reason or "skipped" }, SKIP), 0)
end

local function describe_error(err)
  if type(err) == "table" and (getmetatable(err) == FAILURE or getmetatable(err) == SKIP) then
    return err.message
  end
  return traceback(err)
end

local function out(...)
  host.write(...)
end

-- Runs one test file: loads it (registering its tests), runs each test and
-- returns passed, failed, skipped.
function M.run_file(path)
  registered = {}
  out(path, "\n")
  local chunk, load_err = host.loadfile(path)
  if not chunk then
    out("  FAIL  (loading the file)\n        ", tostring(load_err), "\n")
    return 0, 1, 0
  end
  local ok, err = xpcall(chunk, describe_error)
  if not ok then
    out("  FAIL  (running the file)\n        ", tostring(err):gsub("\n", "\n        "), "\n")
    return 0, 1, 0
  end
  local passed, failed, skipped = 0, 0, 0
  for _, t in ipairs(registered) do
    local raw
    local tok, terr = xpcall(t.fn, function(e)
      raw = e
      return describe_error(e)
    end)
    if tok then
      passed = passed + 1
      out("  ok    ", t.name, "\n")
    elseif type(raw) == "table" and getmetatable(raw) == SKIP then
      skipped = skipped + 1
      out("  skip  ", t.name, ": ", tostring(terr), "\n")
    else
      failed = failed + 1
      out("  FAIL  ", t.name, "\n        ", tostring(terr):gsub("\n", "\n        "), "\n")
    end
  end
  if #registered == 0 then
    failed = failed + 1
    out("  FAIL  the file registers no tests\n")
  end
  registered = {}
  return passed, failed, skipped
end

return M
