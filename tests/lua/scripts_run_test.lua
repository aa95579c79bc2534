-- A whole run of the scripts against the in-memory fake apps: env-only
-- converge, no-op rerun, plan, drift, rotated key, config errors.
local t = require "host.test"
local fakeapps = require "scripts_fakeapps"

local S, R, P = "http://sonarr.test", "http://radarr.test", "http://prowlarr.test"
local ENV = { SONARR_URL = S, RADARR_URL = R, PROWLARR_URL = P }
local SECRETS = { ["sonarr-api-key"] = "sonarrkey", ["radarr-api-key"] = "radarrkey",
  ["prowlarr-api-key"] = "prowlarrkey" }

local function stack()
  local fake = fakeapps.new()
  fake.add("sonarr", S, "sonarrkey")
  fake.add("radarr", R, "radarrkey")
  local p = fake.add("prowlarr", P, "prowlarrkey")
  p.colls.indexer = {
    { id = 1, name = "Tracker", enable = true, tags = {}, fields = {} },
    { id = 2, name = "Usenet", enable = true, tags = {}, fields = {} },
  }
  return fake
end

local function run(fake, options, env, secrets)
  local host, r = fakeapps.install(fake, env or ENV, secrets or SECRETS)
  options = options or { command = "run" }
  host.dry_run = options.command == "plan" or options.dry_run or false
  host.options = options
  return r.main(options)
end

t.test("env only: applications created, indexers arrive, second run writes nothing", function()
  local fake = stack()
  t.eq(run(fake), 0)
  local apps = fake.apps[P].colls.applications
  t.eq(#apps, 2)
  local sonarr = apps[1].implementation == "Sonarr" and apps[1] or apps[2]
  t.eq(sonarr.syncLevel, "fullSync")
  local values = {}
  for _, f in ipairs(sonarr.fields) do values[f.name] = f.value end
  t.eq(values.baseUrl, S)
  t.eq(values.prowlarrUrl, P)
  t.eq(values.apiKey, "sonarrkey")
  t.eq(values.syncCategories, require("host.json").array{ 5000, 5040 })
  t.eq(#fake.apps[S].colls.indexer, 2)
  t.eq(#fake.apps[R].colls.indexer, 2)
  fake.clear_log()
  t.eq(run(fake), 0)
  t.eq(fake.writes(), 0, "writes on the second run")
end)

t.test("plan shows pending changes and exits 4 without writing; 0 after a run", function()
  local fake = stack()
  t.eq(run(fake, { command = "plan" }), 4)
  t.eq(fake.writes(), 0)
  t.eq(run(fake), 0)
  t.eq(run(fake, { command = "plan" }), 0)
end)

t.test("a wrong key is exit 3 and the other apps still converge", function()
  local fake = stack()
  local secrets = { ["sonarr-api-key"] = "wrong", ["radarr-api-key"] = "radarrkey",
    ["prowlarr-api-key"] = "prowlarrkey" }
  t.eq(run(fake, nil, nil, secrets), 3)
  t.eq(#fake.apps[P].colls.applications, 1)
  t.eq(fake.apps[P].colls.applications[1].implementation, "Radarr")
end)

t.test("a rotated Sonarr key heals the Prowlarr application", function()
  local fake = stack()
  t.eq(run(fake), 0)
  fake.apps[S].key = "newkey"
  fake.hooks.test = function(app, coll, body)
    if coll ~= "applications" then return nil end
    local stored
    for _, a in ipairs(app.colls.applications) do if a.id == body.id then stored = a end end
    for _, f in ipairs(stored.fields) do
      if f.name == "apiKey" then
        local target = stored.implementation == "Sonarr" and fake.apps[S] or fake.apps[R]
        if f.value ~= target.key then
          return { status = 400, headers = { ["content-type"] = "application/json" },
            body = '[{"propertyName":"ApiKey","errorMessage":"API Key is invalid","isWarning":false}]' }
        end
      end
    end
    return { status = 200, headers = {}, body = "{}" }
  end
  local secrets = { ["sonarr-api-key"] = "newkey", ["radarr-api-key"] = "radarrkey",
    ["prowlarr-api-key"] = "prowlarrkey" }
  fake.clear_log()
  t.eq(run(fake, nil, nil, secrets), 0)
  t.eq(fake.writes("prowlarr"), 1)
  local key
  for _, a in ipairs(fake.apps[P].colls.applications) do
    if a.implementation == "Sonarr" then
      for _, f in ipairs(a.fields) do if f.name == "apiKey" then key = f.value end end
    end
  end
  t.eq(key, "newkey")
end)
