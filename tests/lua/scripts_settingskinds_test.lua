-- The kinds of issue 15 inside the host, with a fake client (no HTTP):
-- Prowlarr indexers by definition and presets, remote path mappings, delay
-- profiles, settings singletons and profiles looked up by name.
local t = require "host.test"
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"

package.loaded["host.log"] = { debug = function() end, info = function() end, warn = function() end,
  error = function() end, app = function() end }
for _, m in ipairs({ "reconcile", "report", "tags", "values", "util", "keyedset", "kinds" }) do
  package.loaded[m] = nil
end
local reconcile = require "reconcile"
local report = require "report"

-- A client over DATA (path -> decoded body or function(method, body, query)
-- -> status, data); every request is recorded.
local function setup(data, cfg)
  local client = { sent = {}, retries = 0, backoff = 0, timeout = 30 }
  function client.get(_, path)
    local d = data[path]
    if type(d) == "function" then
      local _, body = d("GET")
      return body
    end
    if d == nil then return nil, { message = "HTTP 404" } end
    return d
  end
  function client:send(method, path, body, query)
    self.sent[#self.sent + 1] = { method = method, path = path, body = body, query = query }
    local h = data[method .. " " .. path]
    if h then
      local status, out = h(body, query)
      return { status = status, data = out }
    end
    return { status = method == "POST" and 201 or 202, data = body }
  end
  function client:request(opts)
    self.sent[#self.sent + 1] = { method = opts.method, path = opts.path, raw = opts.raw_body }
    return data["RAW " .. opts.method .. " " .. opts.path](opts)
  end
  local problems = {}
  local run = { cfg = { test_secrets = false }, report = report.new(), problems = problems }
  function run.problem(_, path, fmt, ...) problems[#problems + 1] = path .. ": " .. string.format(fmt, ...) end
  local inst = { name = "prowlarr", type = "prowlarr", client = client, cfg = cfg or { prune = {}, items = {} },
    cache = {} }
  return run, inst, client, problems
end

local function template(impl, def, name, extra)
  local tp = { implementation = impl, definitionName = def, name = name, enable = false, appProfileId = 0,
    priority = 25, tags = json.array{}, fields = json.array{ { name = "baseUrl", value = extra } } }
  return tp
end

-- Prowlarr's own order (GetTemplates): AnimeTosho is the first Torznab.
local function prowlarr_schema(n)
  local s = {
    template("Torznab", "Torznab", "AnimeTosho", "https://feed.animetosho.org"),
    template("Torznab", "Torznab", "Generic Torznab", nil),
    template("Torznab", "Torznab", "MoreThanTV", "https://www.morethantv.me"),
  }
  for i = 1, n or 0 do s[#s + 1] = template("Cardigann", "def" .. i, "Def " .. i, "https://def" .. i .. ".test") end
  s[#s + 1] = template("Cardigann", "1337x", "1337x", "https://1337x.to")
  return json.array(s)
end

local INDEXERS = { key = "indexers", label = "indexer", path = "indexer", enable_props = { "enable" },
  defaults = { enable = true }, by_definition = true }

t.describe("Prowlarr indexers by definition", function()
  t.it("implementation Torznab is Generic Torznab, not the first preset", function()
    local run, inst, _, problems = setup({ indexer = json.array{}, ["indexer/schema"] = prowlarr_schema() })
    local kp = reconcile.plan(run, inst, INDEXERS, { { name = "Mine", implementation = "Torznab",
      fields = { baseUrl = "http://jackett:9117/api" } } })
    t.eq(problems, {})
    t.eq(kp.actions[1].op, "create")
    t.eq(kp.actions[1].body.name, "Mine")
    -- The generic template has no baseUrl of its own: only ours is in the body.
    t.eq(kp.actions[1].body.fields[1].value, "http://jackett:9117/api")
    local tp = reconcile.find_template(prowlarr_schema(), { implementation = "torznab", name = "x" })
    t.eq(tp.name, "Generic Torznab")
    t.eq(reconcile.find_template(prowlarr_schema(), { implementation = "Torznab", name = "morethantv" }).name,
      "MoreThanTV", "a preset named like the item")
  end)

  t.it("definition = 1337x picks that definition among hundreds", function()
    local run, inst, _, problems = setup({ indexer = json.array{}, ["indexer/schema"] = prowlarr_schema(600) })
    local kp = reconcile.plan(run, inst, INDEXERS, { { name = "1337x", definition = "1337X" } })
    t.eq(problems, {})
    t.eq(kp.actions[1].body.definitionName, "1337x")
    t.eq(kp.actions[1].body.fields[1].value, "https://1337x.to")
  end)

  t.it("an unknown definition is a config problem naming the nearest ones", function()
    local run, inst, _, problems = setup({ indexer = json.array{}, ["indexer/schema"] = prowlarr_schema(3) })
    reconcile.plan(run, inst, INDEXERS, { { name = "x", definition = "1338x" } })
    t.eq(#problems, 1)
    t.match(problems[1], 'indexers%[1%]%.definition: unknown definition "1338x" for prowlarr indexer %(valid: 1337x, ')
  end)

  t.it("definition is checked in the config: only for Prowlarr indexers, a string", function()
    local validate = require "validate"
    local p = validate.new_problems()
    reconcile.check({ { name = "a", definition = "1337x" } }, "prowlarr.indexers", INDEXERS, p, {})
    t.eq(p.list, {})
    reconcile.check({ { name = "a", definition = "1337x" } }, "sonarr.indexers", { label = "indexer" }, p, {})
    reconcile.check({ { name = "b", definition = 5 } }, "prowlarr.indexers", INDEXERS, p, {})
    t.match(p.list[1], "^sonarr.indexers%[1%]%.definition: only Prowlarr's indexers")
    t.match(p.list[2], "^prowlarr.indexers%[1%]%.definition: expected a definition name")
  end)
end)
