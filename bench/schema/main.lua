-- bench/schema_plan.py: where the time of Prowlarr's indexer schema goes, in one
-- process: N times the download (host.http), the decode (host.json) and a scan for
-- one definitionName over the decoded templates, each timed on its own.
local host = require "host"
local http = require "host.http"
local json = require "host.json"
local secret = require "host.secret"

local base = assert(host.env("PROWLARR_URL"), "run through bench/schema_plan.py")
local want = assert(host.env("BENCH_DEFINITION"), "BENCH_DEFINITION names the definition")
local n = tonumber(host.env("BENCH_ROUNDS") or "5")
local headers = { ["X-Api-Key"] = secret.get("prowlarr-api-key"), Accept = "application/json" }

for i = 1, n do
  local t0 = host.now()
  local res, err = http.get(base .. "/api/v1/indexer/schema", { headers = headers })
  assert(res and res.status == 200,
    "GET indexer/schema: " .. tostring(res and res.status or err and err.kind))
  local t1 = host.now()
  local list = json.decode(res.body)
  local t2 = host.now()
  -- The search of a template by definition: every template's definitionName against
  -- the wanted one, case-insensitive, to the one that matches.
  -- Then the same for a name no template has: a scan of them all (the upper bound).
  local function scan(name)
    local key = name:lower()
    for j, t in ipairs(list) do
      if type(t.definitionName) == "string" and t.definitionName:lower() == key then return t, j end
    end
    return nil, 0
  end
  local found, pos = scan(want)
  local t3 = host.now()
  local none = scan("\0 no such definition")
  local t4 = host.now()
  assert(found and not none, "no template with definitionName " .. want)
  print(string.format("BENCH schema %d bytes=%d templates=%d position=%d download=%.6f decode=%.6f "
    .. "search=%.6f scan_all=%.6f", i, #res.body, #list, pos, t1 - t0, t2 - t1, t3 - t2, t4 - t3))
  -- Nothing of this round is kept into the next.
  list, res = nil, nil -- luacheck: ignore 311
  collectgarbage()
end
