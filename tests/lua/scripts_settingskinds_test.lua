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

local function host_config(over)
  local c = { bindAddress = "*", port = 8989, urlBase = "", enableSsl = false, authenticationMethod = "none",
    username = "", password = "", passwordConfirmation = "", apiKey = "k", instanceName = "Sonarr",
    logLevel = "debug", id = 1 }
  for k, v in pairs(over or {}) do c[k] = v end
  return c
end

local function settings_kind(family)
  for _, k in ipairs(require("kinds").LIST) do
    if k.key == "settings" and k.on[1] == family then return k end
  end
end

local function plan_settings(data, want, ty)
  local run, inst, client, problems = setup(data)
  inst.name, inst.type = ty or "sonarr", ty or "sonarr"
  local singleton = require "singleton"
  local kp = singleton.plan(run, inst, settings_kind(ty == "prowlarr" and "prowlarr" or "servarr"), want)
  return kp, problems, client, run, inst
end

t.describe("settings", function()
  t.it("only the given properties are compared; the whole resource is sent back", function()
    local kp, problems = plan_settings({ ["config/host"] = host_config() },
      { host = { log_level = "debug", port = 8990, url_base = "/sonarr" } })
    t.eq(problems, {})
    local a = kp.actions[1]
    t.eq(a.op, "update")
    t.eq(#a.changes, 2, "logLevel is equal")
    t.eq(a.changes[1], { path = "port", old = 8989, new = 8990 })
    t.eq(a.body.instanceName, "Sonarr", "the rest as GET returned it")
    t.eq(a.body.urlBase, "/sonarr")
    t.eq(a.restart, { "port", "urlBase" })
  end)

  t.it("equal values (enums in any case) are a no-op", function()
    local kp = plan_settings({ ["config/host"] = host_config() }, { host = { authenticationMethod = "None" } })
    t.eq(kp.actions[1].op, "noop")
  end)

  t.it("an unknown property is a problem with suggestions; a read-only one too", function()
    local _, problems = plan_settings({ ["config/host"] = host_config() }, { host = { prot = 1, api_key = "x" } })
    t.eq(#problems, 2)
    t.match(problems[1], '^sonarr.settings.host.api_key: "apiKey" is set by the app')
    t.match(problems[2], '^sonarr.settings.host.prot: unknown property "prot" of sonarr config/host %(valid: port, ')
  end)

  t.it("the password: a login decides; a failed login is one change shown as (secret)", function()
    local logins = {}
    local data = { ["config/host"] = host_config({ authenticationMethod = "forms", username = "admin",
      password = "HASH" }) }
    data["RAW POST /login"] = function(opts)
      logins[#logins + 1] = opts.raw_body
      -- UserService.FindUser lower-cases the name.
      local ok = opts.raw_body:gsub("^username=Admin", "username=admin") == "username=admin&password=s%26cret"
      return { status = 302, headers = { location = ok and "/" or "/login?returnUrl=&loginFailed=true" } }
    end
    local kp = plan_settings(data, { host = { username = "Admin", password = "s&cret" } })
    t.eq(kp.actions[1].op, "noop", "the login works: nothing to write")
    kp = plan_settings(data, { host = { username = "admin", password = "new" } })
    t.eq(kp.actions[1].op, "update")
    t.eq(kp.actions[1].changes, { { path = "password", secret = true,
      note = "(the configured user name and password do not log in)" } })
    t.eq(kp.actions[1].body.passwordConfirmation, "new")
    local text = table.concat(report.new().plan_lines, "")
    t.eq(text:find("new", 1, true), nil)
  end)

  t.it("no user yet, or a method that needs one: the password is written", function()
    local kp = plan_settings({ ["config/host"] = host_config() },
      { host = { authentication_method = "forms", username = "admin", password = "pw" } })
    local paths = {}
    for _, c in ipairs(kp.actions[1].changes) do paths[#paths + 1] = c.path end
    t.eq(paths, { "authenticationMethod", "password", "username" })
    t.eq(kp.actions[1].restart, { "authenticationMethod" })
  end)

  t.it("the config check: known sections only, tables of properties", function()
    local validate = require "validate"
    local singleton = require "singleton"
    local p = validate.new_problems()
    local out = singleton.check({ host = { port = 1 }, namin = {} }, "sonarr.settings", settings_kind("servarr"), p)
    t.eq(out, { host = { port = 1 } })
    t.match(p.list[1], '^sonarr.settings: unknown key "namin" %(valid: naming, ')
    p = validate.new_problems()
    singleton.check({ naming = {} }, "prowlarr.settings", settings_kind("prowlarr"), p)
    t.match(p.list[1], '^prowlarr.settings: unknown key "naming" %(valid: ')
  end)
end)

t.describe("profiles by name", function()
  local QP = json.array{ { id = 1, name = "Any" }, { id = 4, name = "HD-1080p" } }
  local MP = json.array{ { id = 1, name = "Standard" }, { id = 2, name = "None" } }

  t.it("a Lidarr root folder names its default profiles; the ids are sent", function()
    local run, inst, _, problems = setup({ rootfolder = json.array{}, qualityprofile = QP, metadataprofile = MP })
    inst.name = "lidarr"
    local kind = { key = "root_folders", label = "root folder", path = "rootfolder", identity = { "path" } }
    local kp = require("keyedset").plan(run, inst, kind, { { path = "/music", name = "Music",
      default_quality_profile = "hd-1080p", defaultMetadataProfile = "Standard" } })
    t.eq(problems, {})
    t.eq(kp.actions[1].body, { path = "/music", name = "Music", defaultQualityProfileId = 4,
      defaultMetadataProfileId = 1 })
  end)

  t.it("an import list's quality_profile; an unknown name lists the app's names", function()
    local tmpl = { implementation = "PlexImport", name = "", qualityProfileId = 0, tags = json.array{},
      fields = json.array{} }
    local run, inst, _, problems = setup({ importlist = json.array{}, ["importlist/schema"] = json.array{ tmpl },
      qualityprofile = QP })
    inst.name = "sonarr"
    local kind = { key = "import_lists", label = "import list", path = "importlist" }
    local kp = reconcile.plan(run, inst, kind, { { name = "Plex", implementation = "PlexImport",
      quality_profile = "HD-1080p" } })
    t.eq(problems, {})
    t.eq(kp.actions[1].body.qualityProfileId, 4)
    reconcile.plan(run, inst, kind, { { name = "Plex", implementation = "PlexImport", quality_profile = "HD1080" } })
    t.eq(problems, { 'sonarr.import_lists[1].quality_profile: unknown quality profile "HD1080" (sonarr has: '
      .. 'HD-1080p, Any)' })
  end)

  t.it("a name that is not a string is a config error", function()
    local validate = require "validate"
    local p = validate.new_problems()
    reconcile.check({ { name = "a", implementation = "X", quality_profile = 4 } }, "sonarr.import_lists",
      { label = "import list" }, p, {})
    t.eq(p.list, { "sonarr.import_lists[1].quality_profile: expected a profile name (a string), got 4" })
  end)

  t.it("a new Prowlarr indexer without app_profile gets the first app profile, not the template's 0", function()
    local run, inst, _, problems = setup({ indexer = json.array{}, ["indexer/schema"] = prowlarr_schema(),
      appprofile = json.array{ { id = 3, name = "Later" }, { id = 2, name = "Standard" } } })
    local kind = { key = "indexers", label = "indexer", path = "indexer", by_definition = true,
      default_profile = "appProfile" }
    local kp = reconcile.plan(run, inst, kind, { { name = "x", definition = "1337x" } })
    t.eq(problems, {})
    t.eq(kp.actions[1].body.appProfileId, 2)
    kp = reconcile.plan(run, inst, kind, { { name = "y", definition = "1337x", app_profile = "later" } })
    t.eq(kp.actions[1].body.appProfileId, 3)
  end)
end)

t.describe("delay profiles", function()
  local TAGS = json.array{ { id = 1, label = "anime" }, { id = 2, label = "4k" }, { id = 3, label = "stray" } }
  local function default_profile(over)
    local d = { enableUsenet = true, enableTorrent = true, preferredProtocol = "usenet", usenetDelay = 0,
      torrentDelay = 0, bypassIfHighestQuality = false, order = 2147483647, tags = json.array{}, id = 1 }
    for k, v in pairs(over or {}) do d[k] = v end
    return d
  end
  local KIND = { key = "delay_profiles", label = "delay profile", path = "delayprofile" }
  local function plan(list, items, prune)
    local run, inst, client, problems = setup({ delayprofile = json.array(list), tag = TAGS },
      { prune = { delay_profiles = prune }, items = {} })
    inst.name = "sonarr"
    local kp = require("delayprofiles").plan(run, inst, KIND, items)
    return kp, problems, client, run, inst
  end

  t.it("a new profile: the add dialog's defaults, the configured values on top", function()
    local kp, problems = plan({ default_profile({ preferredProtocol = "torrent", usenetDelay = 5 }) },
      { { tags = { "anime" }, torrent_delay = 60 } })
    t.eq(problems, {})
    local a = kp.actions[1]
    t.eq(a.op, "create")
    t.eq(a.body, { enableUsenet = true, enableTorrent = true, preferredProtocol = "usenet", usenetDelay = 0,
      torrentDelay = 60, bypassIfHighestQuality = false })
    t.eq(a.tag_labels, { "anime" })
  end)

  t.it("the profile without tags is updated, never created or pruned", function()
    local kp = plan({ default_profile(), default_profile({ id = 5, order = 1, tags = json.array{ 3 } }) },
      { { torrent_delay = 10 } }, true)
    t.eq(#kp.actions, 2)
    t.eq(kp.actions[1].op, "update")
    t.eq(kp.actions[1].existing.id, 1)
    t.eq(kp.actions[2].op, "delete")
    t.eq(kp.actions[2].name, "stray")
  end)

  t.it("the order: one move puts a swapped pair back; unmanaged profiles are not moved", function()
    local list = { default_profile(), default_profile({ id = 2, order = 1, tags = json.array{ 2 } }),
      default_profile({ id = 3, order = 2, tags = json.array{ 3 } }),
      default_profile({ id = 4, order = 3, tags = json.array{ 1 } }) }
    local kp, _, client, run, inst = plan(list, { { tags = { "anime" } }, { tags = { "4k" } } })
    local a = kp.actions[#kp.actions]
    t.eq(a.name, "(order)")
    t.eq(a.changes[1].old, "[4k] [anime]")
    require("delayprofiles").apply(run, inst, kp)
    local puts = {}
    for _, r in ipairs(client.sent) do
      if r.method == "PUT" then puts[#puts + 1] = { r.path, r.query } end
    end
    t.eq(puts, { { "delayprofile/reorder/4" } }, "anime first; 4k already follows it")
    kp = plan(list, { { tags = { "4k" } }, { tags = { "anime" } } })
    t.eq(kp.actions[#kp.actions].op, "noop", "already in order (stray between them stays)")
  end)

  t.it("config: one profile per tag set; unknown properties found when planning", function()
    local validate = require "validate"
    local p = validate.new_problems()
    require("delayprofiles").check({ { tags = { "a", "b" } }, { tags = { "B", "a" } }, {} }, "sonarr.delay_profiles",
      KIND, p)
    t.eq(p.list, { 'sonarr.delay_profiles[2].tags: the same tag set as item 1 (a, b): one delay profile per tag set' })
    local _, problems = plan({ default_profile() }, { { torrent_dealy = 1 }, { tags = { "x" }, order = 2 } })
    t.match(problems[1], 'torrent_dealy: unknown property "torrent_dealy" of sonarr delay profile %(valid: torrentDelay')
    t.match(problems[2], '%[2%]%.order: "order" is set by the engine')
  end)
end)

t.describe("config", function()
  t.it("settings have no prune key; the new kinds do", function()
    local fakeapps = require "scripts_fakeapps"
    local fake = fakeapps.new()
    fakeapps.install(fake, { SONARR_URL = "http://s.test" }, { ["sonarr-api-key"] = "k" })
    local cfg, problems = require("config").load({ config = "tests/lua/scripts_fixtures/prune_settings.lua" })
    t.eq(cfg, nil)
    t.eq(#problems, 1)
    t.match(problems[1], '^sonarr.prune: unknown key "settings" %(valid: ')
    t.match(problems[1], "remote_path_mappings")
    t.match(problems[1], "delay_profiles")
  end)
end)
