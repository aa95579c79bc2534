-- Every /schema template of every kind of every app (the apps' own answers,
-- tests/fakearr/reference/schemas) through the scripts' body building: each
-- field is filled with a value of the kind the template holds, then with the
-- awkward spellings a config produces (integral floats, empty lists, option
-- names in other cases, numbers for text, nulls), for a new item and for the
-- update of a stored one, and the body must carry,
-- field by field, exactly the JSON kind of the template's value. The apps
-- read `value` as the C# property type: a string for an int property is
-- parsed, "8080.0" is stored as 0 (ARR-API 3.4).
local t = require "host.test"
local host = require "host"
local json = require "host.json"

if not pcall(require, "util") then
  t.test("schema kinds", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local fixture = host.env("STARRHOST_SCHEMA_DOCS")
if not fixture then
  t.test("schema kinds", function() t.skip("run through make test-scripts-schemas") end)
  return
end
local chunk, load_err = host.loadfile(fixture, {})
assert(chunk, load_err)
local docs = chunk()

package.loaded["host.log"] = { debug = function() end, info = function() end, warn = function() end,
  error = function() end, app = function() end }
for _, m in ipairs({ "reconcile", "report", "tags", "values", "util" }) do package.loaded[m] = nil end
local reconcile = require "reconcile"
local report = require "report"

-- The JSON kind of a value as it goes over the wire.
local function kind(v)
  if v == nil or v == json.null then return "null" end
  if type(v) == "boolean" or type(v) == "string" then return type(v) end
  if type(v) == "number" then return math.type(v) == "integer" and "integer" or "float" end
  return json.is_array(v) and "array" or "object"
end

local function options(f)
  return type(f.selectOptions) == "table" and f.selectOptions or {}
end

-- What the app reads the field as: the template value's kind (a double
-- field, isFloat, takes any number); for a null template value, what the
-- field's type says.
local function wanted(f)
  local k = kind(f.value)
  if k == "integer" and f.isFloat then return "number" end
  if k == "float" then return "number" end
  if k ~= "null" then return k end
  if f.type == "checkbox" then return "boolean" end
  if f.type == "number" then return f.isFloat and "number" or "integer" end
  if f.type == "tag" or f.type == "tagSelect" then return "array" end
  if f.type == "select" and #options(f) > 0 then return "integer" end
  return "string"
end

-- A select with neither options nor a value (Prowlarr's baseUrl, Plex's
-- server: options come from a provider action at run time) says nothing of
-- its kind: it gets a string, and a string must arrive.
local function kind_unknown(f)
  return f.type == "select" and #options(f) == 0 and kind(f.value) == "null"
end

local function element_wanted(f)
  if type(f.value) == "table" and f.value[1] ~= nil then return wanted({ value = f.value[1] }) end
  if #options(f) > 0 then return "integer" end
  return nil
end

-- An option name spelt as a user might: other case, spaces dropped.
local function sloppy(name)
  return (name:upper():gsub(" ", ""))
end

-- Value to configure for F in VARIANT, or nil to leave the field out.
local function sample(f, variant)
  if variant == "null" then return json.null end
  local want, opts, awkward = wanted(f), options(f), variant == "awkward" and not kind_unknown(f)
  if want == "boolean" then return not awkward end
  if want == "integer" then
    if #opts > 0 then
      local o = opts[#opts]
      if awkward and type(o.name) == "string" then return sloppy(o.name) end
      return awkward and o.value + 0.0 or o.value
    end
    local base = math.type(f.value) == "integer" and f.value or 1
    return awkward and base + 0.0 or base + 1
  end
  if want == "number" then return awkward and 2.0 or 1.5 end
  if want == "string" then
    if f.value == "********" then return "s3cret" end
    return awkward and 42.0 or "x"
  end
  if want == "array" then
    local ek = element_wanted(f)
    if awkward then
      if ek == "integer" and #opts > 0 and type(opts[1].name) == "string" then return { sloppy(opts[1].name) } end
      if ek == "integer" then return { 5030.0 } end
      return {}
    end
    if ek == "integer" then return { #opts > 0 and opts[1].value or 5030 } end
    if ek == "string" or ek == nil and f.type ~= "keyValueList" then return { "a" } end
    return {}
  end
  return nil -- objects and lists of objects keep the template's value
end

-- The body reconcile builds for ITEM; with EXISTING, the update of that stored item (its
-- fields as the app returns them, which is how it renders the template's).
local function plan_body(tmpl, path, item, existing)
  local data = { [path] = json.array{ existing }, [path .. "/schema"] = json.array{ tmpl }, tag = json.array{} }
  local client = { retries = 0, backoff = 0, timeout = 30 }
  function client.get(_, p) return data[p] end
  local problems = {}
  local run = { cfg = { test_secrets = false }, report = report.new(), problems = problems }
  function run.problem(_, where, fmt, ...) problems[#problems + 1] = where .. ": " .. string.format(fmt, ...) end
  local app = { name = "app", client = client, cfg = { prune = {} }, cache = {} }
  local kp, err = reconcile.plan(run, app, { key = "items", label = "item", path = path }, { item })
  assert(kp, err and err.message)
  local action = kp.actions[1]
  return action and action.body, problems
end

local keys = {}
for k in pairs(docs) do keys[#keys + 1] = k end
table.sort(keys)

local walked = 0
for _, key in ipairs(keys) do
  local path = key:match("/(.+)$")
  local list = json.decode(docs[key])
  for i, tmpl in ipairs(list) do
    walked = walked + 1
    local label = string.format("%s[%d] %s: every field keeps the JSON kind of the template's value", key, i,
      tmpl.definitionName or tmpl.implementation)
    t.test(label, function()
      local bad = {}
      for _, case in ipairs({ "plain", "awkward", "null", "update" }) do
        local variant = case == "update" and "awkward" or case
        local existing
        if case == "update" then
          existing = json.decode(json.encode(tmpl))
          existing.id, existing.name, existing.presets = 1, "Item " .. i, nil
        end
        local fields = {}
        for _, f in ipairs(tmpl.fields) do fields[f.name] = sample(f, variant) end
        local body, problems = plan_body(tmpl, path, { name = "Item " .. i, implementation = tmpl.implementation,
          fields = fields }, existing)
        t.eq(problems, {}, case)
        if not body then goto continue end -- an unchanged update sends nothing
        local sent = json.decode(assert(json.encode(body)))
        t.eq(#sent.fields, #tmpl.fields, case .. ": the full fields array")
        local by_name = {}
        for _, f in ipairs(sent.fields) do by_name[f.name] = f.value end
        for _, f in ipairs(tmpl.fields) do
          if fields[f.name] ~= nil then
            local want = variant == "null" and "null" or wanted(f)
            local got = kind(by_name[f.name])
            local ok = got == want or want == "number" and (got == "integer" or got == "float")
            if ok and got == "array" then
              local ek = element_wanted(f)
              for _, x in ipairs(by_name[f.name]) do
                if ek and kind(x) ~= ek then ok, got = false, "array of " .. kind(x) end
              end
            end
            if not ok then
              bad[#bad + 1] = string.format("%s %s (%s): %s sent as %s, want %s", case, f.name, f.type,
                json.encode(fields[f.name]), got, want)
            end
          end
        end
        ::continue::
      end
      t.eq(bad, {})
    end)
  end
end

t.test(string.format("walked every template of the documents (%d)", walked), function()
  t.ok(walked > 0, "no templates")
end)
