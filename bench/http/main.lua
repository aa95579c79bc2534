-- bench/http.sh: N sequential GETs through host.http to the loopback fixture.
local http = require "host.http"
local host = require "host"

local base = assert(host.env("FIXTURE_HTTP"), "run through bench/http.sh")
local n = tonumber(host.env("BENCH_REQUESTS") or "1000")
local url = base .. "/status?code=200"

local start = host.now()
for _ = 1, n do
  local res, err = http.get(url)
  assert(res and res.status == 200, tostring(err))
end
local elapsed = host.now() - start
print(string.format("BENCH host.http %d %.6f", n, elapsed))
