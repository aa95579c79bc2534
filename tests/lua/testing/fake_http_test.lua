-- The fake transport: routes answer requests with host.http's API, record
-- what they saw, and an unrouted request fails the test naming method and URL.
local t = require "host.test"
local json = require "host.json"

local fake

t.before_each(function()
  fake = t.fake_http()
end)

t.describe("routes", function()
  t.it("answer by method and path, query ignored, with host.http's result shape", function()
    fake.route("GET", "/api/v3/system/status", { status = 200, body = { appName = "Sonarr" } })
    fake.install()
    local http = require "host.http"
    local res = http.get("http://sonarr.test/api/v3/system/status?x=1", { headers = { ["X-Api-Key"] = "k" } })
    t.eq(res.status, 200)
    t.eq(json.decode(res.body), { appName = "Sonarr" })
    t.eq(res.headers["content-type"], "application/json")
    t.eq(res.url, "http://sonarr.test/api/v3/system/status?x=1")
    t.eq(#fake.requests, 1)
    t.eq(fake.requests[1].query, { x = "1" })
    t.eq(fake.requests[1].headers["X-Api-Key"], "k")
  end)

  t.it("pass the request to a handler: body, decoded json, {name} params", function()
    fake.route("PUT", "/api/v3/downloadclient/{id}", function(req)
      return { status = 202, body = { id = tonumber(req.params.id), name = req.json.name } }
    end)
    fake.install()
    local http = require "host.http"
    local res = http.put("http://sonarr.test/api/v3/downloadclient/7", json.encode({ name = "q" }))
    t.eq(res.status, 202)
    t.eq(json.decode(res.body), { id = 7, name = "q" })
    t.eq(fake.requests[1].method, "PUT")
    t.eq(fake.requests[1].body, '{"name":"q"}')
  end)

  t.it("match the query when the pattern has one, the origin when it has one", function()
    fake.route("POST", "/api/v3/indexer?forceSave=true", { status = 201 })
    fake.route("GET", "http://radarr.test/api/v3/tag", { status = 200, body = json.array{} })
    fake.route("*", "/api/v3/*", { status = 418 })
    fake.install()
    local http = require "host.http"
    t.eq(http.post("http://s.test/api/v3/indexer?forceSave=true", "{}").status, 201)
    t.eq(http.post("http://s.test/api/v3/indexer", "{}").status, 418)
    local res = http.get("http://radarr.test/api/v3/tag")
    t.eq(res.status, 200)
    t.eq(res.body, "[]")
    t.eq(http.get("http://sonarr.test/api/v3/tag").status, 418)
    t.eq(#fake.calls("POST", "/api/v3/indexer"), 2)
    t.eq(#fake.calls("POST", "/api/v3/indexer?forceSave=true"), 1)
    t.eq(#fake.calls("*", "/api/v3/*"), 4)
  end)

  t.it("simulate transport errors with host.http's error shape", function()
    fake.route("GET", "/ping", function() return nil, { kind = "timeout", message = "timed out" } end)
    fake.install()
    local res, err = require("host.http").request{ url = "http://s.test/ping" }
    t.is_nil(res)
    t.eq(err.kind, "timeout")
    t.eq(tostring(err), "timed out")
  end)

  t.it("reject what host.http rejects", function()
    fake.install()
    local http = require "host.http"
    t.raises(function() http.request{ url = "http://s.test/", bogus = 1 } end, "unknown option 'bogus'")
    t.raises(function() http.request{ url = "sonarr/api" } end, "absolute http")
    t.raises(function() http.request{ url = "http://s.test/", method = "BREW" } end, "unsupported method")
    t.raises(function() http.post("http://s.test/", {}) end, "'body' must be a string")
    t.raises(function() http.get("http://s.test/", { read_only = 1 }) end, "'read_only' must be a boolean")
  end)

  t.it("refuse writes during a dry run unless read_only, as host.http does", function()
    fake.route("*", "/x", { status = 200 })
    fake.install()
    local http = require "host.http"
    local real_host = package.loaded["host"]
    package.loaded["host"] = setmetatable({ dry_run = true }, { __index = real_host })
    local ok, err = pcall(function() return http.post("http://s.test/x", "{}") end)
    local res = http.request{ method = "POST", url = "http://s.test/x", body = "{}", read_only = true }
    local get = http.get("http://s.test/x")
    package.loaded["host"] = real_host
    t.ok(not ok)
    t.match(err, "POST refused: a dry run")
    t.eq(res.status, 200)
    t.eq(get.status, 200)
    t.eq(fake.requests[1].read_only, true)
  end)
end)

t.describe("an unrouted request", function()
  t.it("fails with the method, the URL and the caller's line", function()
    fake.route("GET", "/api/v3/tag", { status = 200 })
    fake.install()
    local http = require "host.http"
    local msg = t.raises(function() http.post("http://sonarr.test/api/v3/downloadclient", "{}") end)
    t.match(msg, "^[^:]*fake_http_test%.lua:%d+: fake http: POST http://sonarr%.test/api/v3/downloadclient has no route")
    t.match(msg, "routes: GET /api/v3/tag")
    t.eq(fake.failures, { msg })
    fake.failures = {} -- checked here; the runner would fail the test on it
  end)

  t.it("is remembered even when the code under test catches the error", function()
    fake.install()
    local http = require "host.http"
    pcall(function() local _ = http.get("http://sonarr.test/x") end)
    t.eq(#fake.failures, 1)
    t.match(fake.failures[1], "fake_http_test%.lua:%d+: fake http: GET http://sonarr.test/x has no route")
    fake.failures = {} -- this test checks the record; the runner would fail it
  end)
end)

t.describe("install", function()
  local real = package.loaded["host.http"]

  t.it("puts the fake in package.loaded and uninstall restores host.http", function()
    t.eq(package.loaded["host.http"], real)
    fake.install()
    t.ne(package.loaded["host.http"], real)
    fake.uninstall()
    t.eq(package.loaded["host.http"], real)
  end)

  t.it("is undone by the runner after each test", function()
    t.eq(package.loaded["host.http"], real)
  end)

  t.it("a module loaded under one fake talks to the next test's fake", function()
    fake.route("GET", "/a", { status = 201 })
    fake.install()
    local http = require "host.http"
    t.eq(http.get("http://s.test/a").status, 201)
    local other = t.fake_http().route("GET", "/a", { status = 202 }).install()
    t.eq(http.get("http://s.test/a").status, 202)
    t.eq(#other.requests, 1)
    other.uninstall()
    t.raises(function() http.get("http://s.test/a") end, "no fake transport installed")
  end)
end)
