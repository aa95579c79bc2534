-- host.http against the loopback fixture (tests/http/fixture.py), started by
-- tests/http/run.sh, which passes its addresses in FIXTURE_* variables.
local t = require "host.test"
local http = require "host.http"
local host = require "host"
local secret = require "host.secret"

local BASE = assert(host.env("FIXTURE_HTTP"), "run through tests/http/run.sh")
local BASE2 = host.env("FIXTURE_HTTP2")
local TLS = host.env("FIXTURE_HTTPS")
local CA = host.env("FIXTURE_CA")
local REFUSED = host.env("FIXTURE_REFUSED")
local KEY = assert(secret.get("test-key"))

-- Parses the fixture's /echo reply: key=value lines, a blank line, the body.
local function echo(res)
  local head, body = res.body:match("^(.-)\n\n(.*)$")
  local info = { headers = {}, body = body }
  for k, v in head:gmatch("([^=\n]+)=([^\n]*)") do
    local h = k:match("^h%.(.*)$")
    if h then info.headers[h] = v else info[k] = v end
  end
  return info
end

local function connections()
  local res = assert(http.get(BASE .. "/stats"))
  return tonumber(res.body:match("connections=(%d+)"))
end

t.describe("responses", function()
  t.it("returns status, lower-cased headers and body", function()
    local res, err = http.request{ url = BASE .. "/echo" }
    t.eq(err, nil)
    t.eq(res.status, 200)
    t.eq(res.headers["content-type"], "text/plain")
    t.eq(res.url, BASE .. "/echo")
    local info = echo(res)
    t.eq(info.method, "GET")
    t.eq(info.headers["user-agent"], http.user_agent)
    t.match(http.user_agent, "^starrhost/%d+%.%d+%.%d+")
  end)

  t.it("joins repeated headers and trims values", function()
    local res = assert(http.get(BASE .. "/headers"))
    t.eq(res.headers["x-multi"], "one, two")
    t.eq(res.headers["x-mixed-case"], "Yes")
    t.eq(res.headers["set-cookie"], "a=1")
    t.eq(res.headers["x-latin"], "caf\xe9")
  end)

  t.it("treats 4xx and 5xx as responses", function()
    local res, err = http.get(BASE .. "/status?code=404")
    t.eq(err, nil)
    t.eq(res.status, 404)
    t.eq(res.body, "status 404")
    res = assert(http.request{ method = "POST", url = BASE .. "/status?code=503", body = "x" })
    t.eq(res.status, 503)
  end)

  t.it("reads a chunked body", function()
    local res = assert(http.get(BASE .. "/chunked"))
    t.eq(res.body, "hello chunked world\0end")
  end)

  t.it("keeps NUL and high bytes in a body", function()
    local res = assert(http.get(BASE .. "/nul"))
    local all = {}
    for i = 0, 255 do all[#all + 1] = string.char(i) end
    t.eq(res.body, "a\0b\0\255\254" .. table.concat(all))
  end)

  t.it("reads a body of 4 MiB whole", function()
    local res = assert(http.get(BASE .. "/big?n=4194304"))
    t.eq(#res.body, 4194304)
    t.eq(res.body:sub(1, 3), "xxx")
  end)
end)

t.describe("methods and request headers", function()
  t.it("sends a POST body without Expect or an invented content type", function()
    local body = string.rep("{\"a\":1}", 300000) -- over libcurl's 1 MiB Expect threshold
    local res = assert(http.request{ method = "POST", url = BASE .. "/echo", body = body })
    local info = echo(res)
    t.eq(info.method, "POST")
    t.eq(info.body_len, tostring(#body))
    t.ok(info.body == body, "body arrives unchanged")
    t.eq(info.headers["expect"], nil)
    t.eq(info.headers["content-type"], nil)
  end)

  t.it("sends the script's headers", function()
    local res = assert(http.request{
      method = "put", url = BASE .. "/echo", body = "{}",
      headers = { ["Content-Type"] = "application/json", ["X-Count"] = 3, ["X-Empty"] = "" },
    })
    local info = echo(res)
    t.eq(info.method, "PUT")
    t.eq(info.headers["content-type"], "application/json")
    t.eq(info.headers["x-count"], "3")
    t.eq(info.headers["x-empty"], "")
    t.eq(info.body, "{}")
  end)

  t.it("sends PATCH, DELETE (with or without body) and HEAD", function()
    t.eq(echo(assert(http.request{ method = "PATCH", url = BASE .. "/echo", body = "p" })).method, "PATCH")
    local info = echo(assert(http.delete(BASE .. "/echo")))
    t.eq(info.method, "DELETE")
    t.eq(info.body_len, "0")
    info = echo(assert(http.request{ method = "DELETE", url = BASE .. "/echo", body = "[1,2]" }))
    t.eq(info.body, "[1,2]")
    local res = assert(http.request{ method = "HEAD", url = BASE .. "/echo" })
    t.eq(res.status, 200)
    t.eq(res.body, "")
  end)

  t.it("has get/post/put/delete shorthands", function()
    local info = echo(assert(http.get(BASE .. "/echo", { headers = { ["X-A"] = "b" } })))
    t.eq({ info.method, info.headers["x-a"] }, { "GET", "b" })
    info = echo(assert(http.post(BASE .. "/echo", "pb", { headers = { ["Content-Type"] = "text/plain" } })))
    t.eq({ info.method, info.body, info.headers["content-type"] }, { "POST", "pb", "text/plain" })
    info = echo(assert(http.put(BASE .. "/echo", "ub")))
    t.eq({ info.method, info.body }, { "PUT", "ub" })
    info = echo(assert(http.post(BASE .. "/echo", nil)))
    t.eq({ info.method, info.body_len }, { "POST", "0" })
  end)
end)

t.describe("connections", function()
  t.it("reuses one kept-alive connection per origin", function()
    local before = connections()
    for _ = 1, 25 do
      assert(http.get(BASE .. "/echo"))
      assert(http.request{ method = "POST", url = BASE .. "/echo", body = "x" })
    end
    t.eq(connections() - before, 0)
  end)

  t.it("reconnects after the server closes", function()
    local before = connections()
    t.eq(assert(http.get(BASE .. "/close")).body, "bye")
    t.eq(assert(http.get(BASE .. "/echo")).status, 200)
    t.eq(connections() - before, 1)
  end)
end)

t.describe("failures of the world", function()
  t.it("reports a refused connection", function()
    local res, err = http.get(REFUSED .. "/x")
    t.eq(res, nil)
    t.eq(err.kind, "connect")
    t.match(err.message, "^GET " .. REFUSED:gsub("%p", "%%%0") .. "/x: ")
    t.match(err.message, ": cannot connect %(")
    t.eq(tostring(err), err.message)
  end)

  t.it("reports a name that does not resolve", function()
    local _, err = http.get("http://starrhost-test.invalid/")
    t.eq(err.kind, "dns")
    t.match(err.message, "starrhost%-test%.invalid")
  end)

  t.it("times out", function()
    local start = host.now()
    local _, err = http.request{ url = BASE .. "/slow?s=3", timeout = 0.3 }
    t.eq(err.kind, "timeout")
    t.ok(host.now() - start < 2.5, "gave up early")
  end)

  t.it("stops a body over max_bytes", function()
    local _, err = http.request{ url = BASE .. "/big?n=2000", max_bytes = 1000 }
    t.eq(err.kind, "too_large")
    t.match(err.message, "max_bytes")
    _, err = http.request{ url = BASE .. "/big?n=300000&chunked=1", max_bytes = 100000 }
    t.eq(err.kind, "too_large")
    local res = assert(http.request{ url = BASE .. "/big?n=1000", max_bytes = 1000 })
    t.eq(#res.body, 1000)
  end)

  t.it("redacts apikey query values and secrets in error messages", function()
    local _, err = http.get(REFUSED .. "/api/" .. KEY .. "?x=1&apikey=plain-value&ApiKey=" .. KEY)
    t.eq(err.kind, "connect")
    t.ok(not err.message:find(KEY, 1, true), "no key in: " .. err.message)
    t.ok(not err.message:find("plain-value", 1, true), "no apikey value in: " .. err.message)
    t.match(err.message, "/api/%*%*%*%?x=1&apikey=%*%*%*&ApiKey=%*%*%*:")
    _, err = http.get("http://user:hunter2@starrhost-test.invalid/")
    t.ok(not err.message:find("hunter2", 1, true), "no password in: " .. err.message)
  end)
end)

t.describe("TLS", function()
  t.it("refuses a self-signed certificate by default", function()
    local _, err = http.get(TLS .. "/echo")
    t.eq(err and err.kind, "tls")
  end)

  t.it("accepts it with ca_file", function()
    local res = assert(http.request{ url = TLS .. "/echo", ca_file = CA })
    t.eq(res.status, 200)
    t.eq(echo(res).method, "GET")
  end)

  t.it("accepts it with tls_verify = false", function()
    local res = assert(http.request{ url = TLS .. "/echo", tls_verify = false })
    t.eq(res.status, 200)
  end)

  t.it("reports a missing ca_file as a TLS failure", function()
    local _, err = http.request{ url = TLS .. "/echo", ca_file = "/nonexistent/ca.pem" }
    t.eq(err and err.kind, "tls")
  end)
end)

t.describe("redirects", function()
  t.it("follows a relative redirect", function()
    local res = assert(http.get(BASE .. "/redirect?code=302&to=/echo/rel"))
    t.eq(res.status, 200)
    t.eq(echo(res).path, "/echo/rel")
    t.eq(res.url, BASE .. "/echo/rel")
  end)

  t.it("follows an absolute redirect, and 301/303/308 for GET", function()
    for _, code in ipairs{ 301, 303, 307, 308 } do
      local res = assert(http.get(BASE .. "/redirect?to=absolute&code=" .. code))
      t.eq(echo(res).path, "/echo?via=absolute", "code " .. code)
    end
  end)

  t.it("follows HEAD", function()
    local res = assert(http.request{ method = "HEAD", url = BASE .. "/redirect?to=/echo" })
    t.eq(res.status, 200)
    t.eq(res.url, BASE .. "/echo")
  end)

  t.it("keeps method and body on 307 and 308", function()
    local res = assert(http.request{ method = "POST", url = BASE .. "/redirect?code=307&to=/echo/p", body = "keep" })
    local info = echo(res)
    t.eq({ info.method, info.path, info.body }, { "POST", "/echo/p", "keep" })
    res = assert(http.request{ method = "PUT", url = BASE .. "/redirect?code=308&to=/echo/u", body = "kept" })
    info = echo(res)
    t.eq({ info.method, info.path, info.body }, { "PUT", "/echo/u", "kept" })
  end)

  t.it("returns 301/302/303 to a write as the response", function()
    local res = assert(http.request{ method = "POST", url = BASE .. "/redirect?code=302", body = "x" })
    t.eq(res.status, 302)
    t.eq(res.headers.location, "/echo")
  end)

  t.it("stops after max_redirects", function()
    local _, err = http.get(BASE .. "/loop")
    t.eq(err.kind, "protocol")
    t.match(err.message, "more than 5 redirects")
    local res = assert(http.request{ url = BASE .. "/loop", max_redirects = 0 })
    t.eq(res.status, 302)
  end)

  t.it("refuses a redirect to another scheme", function()
    local _, err = http.get(BASE .. "/ftp")
    t.eq(err.kind, "protocol")
  end)

  t.it("keeps the key on the same origin", function()
    local res = assert(http.get(BASE .. "/redirect?to=/echo", { headers = { ["X-Api-Key"] = KEY } }))
    t.eq(echo(res).headers["x-api-key"], KEY)
  end)

  t.it("drops the key when a redirect leaves the origin", function()
    local headers = { ["X-Api-Key"] = KEY, Authorization = "Bearer b", ["X-Token"] = "tok" .. KEY, ["X-Other"] = "kept" }
    local res = assert(http.get(BASE .. "/redirect?to=cross", { headers = headers }))
    local info = echo(res)
    t.eq(info.port, BASE2:match(":(%d+)$"))
    t.eq(info.headers["x-api-key"], nil)
    t.eq(info.headers["authorization"], nil)
    t.eq(info.headers["x-token"], nil)
    t.eq(info.headers["x-other"], "kept")
  end)

  t.it("drops the key when a redirect goes to another host name", function()
    local res, err = http.get(BASE .. "/redirect?to=cross-host", { headers = { ["X-Api-Key"] = KEY } })
    if not res and err.kind == "dns" then return end -- no "localhost" here
    local info = echo(assert(res, err))
    t.match(res.url, "^http://localhost:")
    t.eq(info.headers["x-api-key"], nil)
  end)
end)

t.describe("programmer mistakes raise", function()
  t.it("checks the options", function()
    t.raises(function() http.request{} end, "'url' must be a string")
    t.raises(function() http.request("x") end, "table expected")
    t.raises(function() http.request{ url = "ftp://127.0.0.1/" } end, "http:// or https://")
    t.raises(function() http.request{ url = "not a url" } end, "http:// or https:// URL: not a url$")
    local text = t.raises(function() http.request{ url = "htp://x/" .. KEY .. "?apikey=abc" } end)
    t.match(text, "URL: htp://x/%*%*%*%?apikey=%*%*%*$")
    t.raises(function() http.request{ url = BASE .. "/\0x" } end, "http:// or https://")
    t.raises(function() http.request{ url = BASE, method = "BREW" } end, "unsupported method")
    t.raises(function() http.request{ url = BASE, verify = false } end, "unknown option 'verify'")
    t.raises(function() http.request{ url = BASE, body = 3 } end, "'body' must be a string")
    t.raises(function() http.request{ url = BASE, method = "HEAD", body = "" } end, "HEAD")
    t.raises(function() http.request{ url = BASE, timeout = -1 } end, "timeout")
    t.raises(function() http.request{ url = BASE, max_bytes = 1.5 } end, "max_bytes")
    t.raises(function() http.request{ url = BASE, tls_verify = "no" } end, "tls_verify")
    t.raises(function() http.request{ url = BASE, headers = "x" } end, "headers")
    t.raises(function() http.get(nil) end, "string expected")
  end)

  t.it("checks headers after some were taken (nothing leaks)", function()
    local headers = {}
    for i = 1, 50 do headers["X-H" .. i] = string.rep("v", 100) end
    headers["X-Bad"] = {}
    t.raises(function() http.request{ url = BASE, headers = headers } end, "string or a number")
    headers["X-Bad"] = "a\r\nInjected: 1"
    t.raises(function() http.request{ url = BASE, headers = headers } end, "line break")
    headers["X-Bad"] = nil
    headers["Bad Name"] = "v"
    t.raises(function() http.request{ url = BASE, headers = headers } end, "invalid header name")
  end)
end)

-- host.parallel: transfers of different tasks run at once. The fixture keeps
-- when each /slow?id= request arrived and was answered: the evidence is the
-- order of those times, not how long the test took.
local function slowlog()
  local res = assert(http.get(BASE .. "/slowlog"))
  local rows = {}
  for id, a, b in res.body:gmatch("(%S+) (%S+) (%S+)\n") do rows[id] = { tonumber(a), tonumber(b) } end
  return rows
end

local function overlap(x, y)
  return x[1] < y[2] and y[1] < x[2]
end

local run_id = 0
local function ids(...)
  run_id = run_id + 1
  local out = {}
  for i, name in ipairs({ ... }) do out[i] = name .. "-" .. run_id end
  return table.unpack(out)
end

t.describe("host.parallel", function()
  t.it("runs requests to two origins at the same time", function()
    local a, b = ids("a", "b")
    local got = {}
    host.parallel{
      function() got.a = assert(http.get(BASE .. "/slow?s=0.3&id=" .. a)).status end,
      function() got.b = assert(http.get(BASE2 .. "/slow?s=0.3&id=" .. b)).status end,
    }
    t.eq(got, { a = 200, b = 200 })
    local log = slowlog()
    t.ok(log[a] and log[b], "both requests reached the fixture")
    t.ok(overlap(log[a], log[b]), "the second request arrived before the first was answered")
  end)

  t.it("sends one origin's requests one after the other, on its one connection", function()
    assert(http.get(BASE .. "/echo")) -- the connection is open
    local before = connections()
    local a, b = ids("a", "b")
    host.parallel({ a, b }, function(id)
      assert(http.get(BASE .. "/slow?s=0.1&id=" .. id))
    end)
    local log = slowlog()
    t.ok(not overlap(log[a], log[b]), "one transfer at a time per origin")
    t.ok(log[a][1] < log[b][1], "in the order they were asked for")
    t.eq(connections(), before, "no new connection")
  end)

  t.it("lets a task run while another one's transfer is in flight", function()
    local a = ids("a")
    local order = {}
    host.parallel{
      function()
        order[#order + 1] = "request"
        assert(http.get(BASE .. "/slow?s=0.2&id=" .. a))
        order[#order + 1] = "answered"
      end,
      function()
        order[#order + 1] = "other task"
        host.sleep(0)
        order[#order + 1] = "other task again"
      end,
    }
    t.eq(order, { "request", "other task", "other task again", "answered" })
  end)

  t.it("keeps the other tasks going when one raises or cannot connect", function()
    local a = ids("a")
    local got = {}
    local ok, err = pcall(host.parallel, {
      function() error("task one failed", 0) end,
      function() got.refused = select(2, http.get(REFUSED .. "/x")).kind end,
      function() got.status = assert(http.get(BASE .. "/slow?s=0.1&id=" .. a)).status end,
    })
    t.eq(ok, false)
    t.eq(err, "task one failed")
    t.eq(got, { refused = "connect", status = 200 })
  end)

  t.it("blocks as before in a coroutine of the script's own inside a task", function()
    local a, b = ids("a", "b")
    host.parallel{
      function()
        local co = coroutine.wrap(function() return assert(http.get(BASE .. "/slow?s=0.2&id=" .. a)).status end)
        t.eq(co(), 200)
      end,
      function() assert(http.get(BASE2 .. "/slow?s=0.2&id=" .. b)) end,
    }
    local log = slowlog()
    -- The task's own coroutine cannot yield to the scheduler: the other task
    -- waited for it, then ran.
    t.ok(not overlap(log[a], log[b]), "the blocking request ran alone")
  end)
end)
