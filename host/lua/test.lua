-- host.test: the test library of `starrhost test`. Test files register tests
-- with test/describe/it; run_file runs one file and reports each test.
local host = require "host"

local helpers = ... or {}
local traceback = helpers.traceback or function(msg) return msg end
local read_file = helpers.read_file
local fake_http = helpers.fake_http

local M = {}

local has_json, json = pcall(require, "host.json")
if not has_json then json = nil end

local registered = {}
-- Scopes: the file, then one per describe; each holds its before/after hooks.
local scope = { names = {}, before = {}, after = {} }
local current_file = nil -- path of the test file being run
local current_fakes = {} -- fakes installed by the running test

local FAILURE = {}
local SKIP = {}

function M.test(name, fn)
  if type(name) ~= "string" then error("test name must be a string", 2) end
  if type(fn) ~= "function" then error("test body must be a function", 2) end
  local names = scope.names
  local full = #names > 0 and (table.concat(names, " ") .. " " .. name) or name
  registered[#registered + 1] = { name = full, fn = fn, scope = scope }
end

M.it = M.test

function M.describe(name, fn)
  if type(name) ~= "string" then error("describe name must be a string", 2) end
  if type(fn) ~= "function" then error("describe body must be a function", 2) end
  local names = table.move(scope.names, 1, #scope.names, 1, {})
  names[#names + 1] = name
  local outer = scope
  scope = { names = names, before = {}, after = {}, parent = outer }
  local ok, err = pcall(fn)
  scope = outer
  if not ok then error(err, 0) end
end

-- Hooks run around every test of the enclosing describe (or of the file),
-- outer before inner; after_each runs even when the test failed.
function M.before_each(fn)
  if type(fn) ~= "function" then error("before_each expects a function", 2) end
  scope.before[#scope.before + 1] = fn
end

function M.after_each(fn)
  if type(fn) ~= "function" then error("after_each expects a function", 2) end
  scope.after[#scope.after + 1] = fn
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

-- Paths in tests are relative to the directory of the test file.
function M.path(rel)
  if type(rel) ~= "string" then error("path expects a string", 2) end
  if rel:sub(1, 1) == "/" or not current_file then return rel end
  local dir = current_file:match("^(.*)/[^/]*$")
  return dir and (dir .. "/" .. rel) or rel
end

-- read_file(path) -> string | nil, err: a fixture, relative to the test file.
function M.read_file(path)
  return read_file(M.path(path))
end

-- Requires NAME again (and drops it from package.loaded first), so a module
-- captures the fakes installed by this test.
function M.reload(name)
  package.loaded[name] = nil
  return require(name)
end

-- Keeps the frames that help a reader: the test and the code it calls, not
-- this library; an error without a position gets the innermost one.
local function clean_traceback(text)
  local msg, tb = text:match("^(.-)\nstack traceback:\n(.*)$")
  if not msg then return text end
  local frames = {}
  local dropped = true
  for line in tb:gmatch("[^\n]+") do
    local f = line:gsub("^%s+", "")
    -- This library's frames, and the C frames and tail calls next to them.
    local drop = f:find("^host/lua/") or f == "[C]: in function 'xpcall'"
      or (dropped and (f:find("^%[C%]") or f == "(...tail calls...)"))
    if not drop then frames[#frames + 1] = "\t" .. f end
    dropped = drop and true or false
  end
  if not msg:find("^[^\n]-:%d+: ") then
    local where = frames[1] and frames[1]:match("^\t([^:]+:%d+):")
    if where then msg = where .. ": " .. msg end
  end
  if #frames == 0 then return msg end
  return msg .. "\nstack traceback:\n" .. table.concat(frames, "\n")
end

-- The fake transport: see host/lua/fake_http.lua and docs/operators.md.
function M.fake_http()
  return fake_http.new{
    -- The frames say which code made the request, up to the test's line.
    fail = function(level, msg)
      local frames = clean_traceback(traceback(msg)):match("\nstack traceback:\n.*$") or ""
      fail_at(level + 1, msg .. frames)
    end,
    resolve = M.path,
    on_install = function(fake) current_fakes[#current_fakes + 1] = fake end,
  }
end

local function describe_error(err)
  if type(err) == "table" and (getmetatable(err) == FAILURE or getmetatable(err) == SKIP) then
    return err.message
  end
  return clean_traceback(traceback(err))
end

local function out(...)
  host.write(...)
end

local function indent(text)
  return (tostring(text):gsub("\n", "\n        "))
end

-- Runs FN protected; returns true, or false, the message and whether it skipped.
local function protected(fn)
  local raw
  local ok, msg = xpcall(fn, function(e)
    raw = e
    return describe_error(e)
  end)
  if ok then return true end
  return false, msg, type(raw) == "table" and getmetatable(raw) == SKIP
end

local function scope_chain(s)
  local chain = {}
  while s do
    table.insert(chain, 1, s)
    s = s.parent
  end
  return chain
end

-- One test with its hooks; returns "ok", "fail" or "skip" and a message.
local function run_test(t)
  current_fakes = {}
  local chain = scope_chain(t.scope)
  local ok, msg, skipped = true, nil, false
  for _, s in ipairs(chain) do
    for _, hook in ipairs(s.before) do
      if ok then ok, msg, skipped = protected(hook) end
    end
  end
  if ok then ok, msg, skipped = protected(t.fn) end
  for i = #chain, 1, -1 do
    for _, hook in ipairs(chain[i].after) do
      local hok, hmsg = protected(hook)
      if ok and not hok then ok, msg, skipped = false, hmsg, false end
    end
  end
  -- A fake's failure counts even when the code under test caught the error.
  for _, fake in ipairs(current_fakes) do
    if ok and #fake.failures > 0 then ok, msg = false, fake.failures[1] end
  end
  fake_http.reset()
  current_fakes = {}
  if ok then return "ok" end
  return skipped and "skip" or "fail", msg
end

-- Runs one test file: loads it (registering its tests), runs each test whose
-- full name contains MATCH (all when nil) and returns passed, failed, skipped.
function M.run_file(path, match)
  registered = {}
  scope = { names = {}, before = {}, after = {} }
  current_file = path
  local chunk, load_err = host.loadfile(path)
  if not chunk then
    out(path, "\n  FAIL  (loading the file)\n        ", indent(load_err), "\n")
    return 0, 1, 0
  end
  local ok, err = xpcall(chunk, describe_error)
  if not ok then
    out(path, "\n  FAIL  (running the file)\n        ", indent(err), "\n")
    return 0, 1, 0
  end
  local selected = {}
  for _, t in ipairs(registered) do
    if not match or t.name:find(match, 1, true) then selected[#selected + 1] = t end
  end
  if match and #selected == 0 then return 0, 0, 0 end
  out(path, "\n")
  local passed, failed, skipped = 0, 0, 0
  for _, t in ipairs(selected) do
    local status, msg = run_test(t)
    if status == "ok" then
      passed = passed + 1
      out("  ok    ", t.name, "\n")
    elseif status == "skip" then
      skipped = skipped + 1
      out("  skip  ", t.name, ": ", tostring(msg), "\n")
    else
      failed = failed + 1
      out("  FAIL  ", t.name, "\n        ", indent(msg), "\n")
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
