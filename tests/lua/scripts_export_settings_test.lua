-- The export of the settings, delay profile and lookup kinds (singleton.lua,
-- delayprofiles.lua, profiles.lua) with a fake client over canned answers.
local t = require "host.test"
if not pcall(require, "util") or not pcall(require, "scripts_fakeapps") then
  t.test("scripts tests", function() t.skip("run with --scripts scripts --scripts tests/lua") end)
  return
end
local json = require "host.json"

package.loaded["host.log"] = { debug = function() end, info = function() end, warn = function() end,
  error = function() end, app = function() end }
for _, m in ipairs({ "reconcile", "report", "tags", "values", "util", "keyedset", "kinds", "singleton",
  "delayprofiles", "profiles", "export", "luawriter" }) do
  package.loaded[m] = nil
end
local export = require "export"
local kinds = require "kinds"
local report = require "report"
local w = require "luawriter"

local function kind_of(key, family)
  for _, k in ipairs(kinds.LIST) do
    if k.key == key and (not family or k.on[1] == family) then return k end
  end
end

-- An instance whose client answers DATA (path -> body); writes raise.
local function setup(data, ty)
  local client = {}
  function client.get(_, path)
    if data[path] == nil then return nil, { message = "HTTP 404", status = 404 } end
    return data[path]
  end
  function client.send() error("a write during an export") end
  local problems = {}
  local run = { cfg = { test_secrets = false }, report = report.new(), problems = problems }
  function run.problem(_, path, fmt, ...) problems[#problems + 1] = path .. ": " .. string.format(fmt, ...) end
  local inst = { name = ty or "sonarr", type = ty or "sonarr", client = client, cfg = { prune = {}, items = {} },
    cache = {} }
  return run, inst, setmetatable({ secrets = {} }, export.Exporter), problems
end

local NAMING = { renameEpisodes = true, colonReplacementFormat = 4, standardEpisodeFormat = "{Series Title}",
  id = 1 }
local HOST = { port = 8989, urlBase = "", instanceName = "Sonarr", bindAddress = "*", apiKey = "k",
  username = "admin", password = "hash==", passwordConfirmation = "", authenticationMethod = "forms",
  proxyPassword = "", logLevel = "info", id = 1 }

t.describe("settings export", function()
  t.it("whole sections but the engine's and the installation's properties; the password a secret", function()
    local run, inst, ex = setup({ ["config/naming"] = NAMING, ["config/host"] = HOST, ["config/ui"] = { theme = "dark",
      id = 1 }, ["config/mediamanagement"] = { recycleBin = "", id = 1 }, ["config/downloadclient"] = { id = 1 },
      ["config/indexer"] = { retention = 0, id = 1 } })
    local v = require("singleton").export(run, inst, kind_of("settings", "servarr"), ex)
    local text = w.render(v)
    local back = load("return " .. text, "=x", "t", { secret = function(n) return { secret = n } end })()
    t.eq(back.naming, { renameEpisodes = true, colonReplacementFormat = 4, standardEpisodeFormat = "{Series Title}" })
    t.eq(back.host, { authenticationMethod = "forms", logLevel = "info", password = { secret = "sonarr-settings-host-password" },
      username = "admin" }, "no port, URL base, name, bind address, key; an empty proxy password is not a secret")
    t.eq(ex.secrets["sonarr-settings-host-password"], 'sonarr settings "settings host", field password')
    t.eq(back.download_client, {})
  end)

  t.it("no user: no password to ask for", function()
    local host = {}
    for k, v in pairs(HOST) do host[k] = v end
    host.username = ""
    local run, inst, ex = setup({ ["config/host"] = host, ["config/naming"] = NAMING, ["config/ui"] = { id = 1 },
      ["config/mediamanagement"] = { id = 1 }, ["config/downloadclient"] = { id = 1 }, ["config/indexer"] = { id = 1 } })
    local v = require("singleton").export(run, inst, kind_of("settings", "servarr"), ex)
    t.ok(not w.render(v):find("secret", 1, true), w.render(v))
  end)

  t.it("an enum the app serves as a number plans with that number (Sonarr's colonReplacementFormat)", function()
    local run, inst = setup({ ["config/naming"] = NAMING })
    local kp = require("singleton").plan(run, inst, kind_of("settings", "servarr"),
      { naming = { colonReplacementFormat = 4 } })
    t.eq(run.problems, {})
    t.eq(kp.actions[1].op, "noop")
    -- Where the app serves the name (Radarr: "smart"), a number is still refused.
    run, inst = setup({ ["config/naming"] = { colonReplacementFormat = "smart", id = 1 } }, "radarr")
    require("singleton").plan(run, inst, kind_of("settings", "servarr"), { naming = { colonReplacementFormat = 4 } })
    t.match(run.problems[1] or "", "expected the name of a colonReplacementFormat value")
  end)
end)

t.describe("delay profiles and lookups", function()
  t.it("profiles in the app's order, tags by label, the default one without tags", function()
    local run, inst, ex = setup({
      tag = { { id = 3, label = "anime" } },
      delayprofile = {
        { id = 1, order = 2147483647, tags = json.array{}, enableUsenet = true, usenetDelay = 15 },
        { id = 2, order = 1, tags = json.array{ 3 }, enableUsenet = false, usenetDelay = 0 },
      },
    })
    local v = require("delayprofiles").export(run, inst, kind_of("delay_profiles"), ex)
    t.eq(w.render(v), table.concat({ "{", "  {", '    tags = { "anime" },', "    enableUsenet = false,",
      "    usenetDelay = 0,", "  },", "  { enableUsenet = true, usenetDelay = 15 },", "}" }, "\n"))
  end)

  t.it("a profile id is written as the profile's name; an id no profile has stays an id", function()
    local profiles = require "profiles"
    local read = function(p) return p == "appprofile" and { { id = 1, name = "Standard" } } or {} end
    t.eq({ profiles.name_of(read, "appProfileId", 1) }, { "app_profile", "Standard" })
    t.eq({ profiles.name_of(read, "appProfileId", 7) }, {})
    t.eq({ profiles.name_of(read, "priority", 1) }, {})
    local rq = function() return { { id = 4, name = "HD-1080p" } } end
    t.eq({ profiles.name_of(rq, "defaultQualityProfileId", 4) }, { "default_quality_profile", "HD-1080p" })
  end)
end)
