-- host.json against Debian's unpatched lua-cjson: decode + encode of the
-- apps' OpenAPI documents, in the same process, best of several runs.
--   json_bench SCRIPT DIR [ROUNDS]
local dir, rounds = ..., tonumber((select(2, ...)))
dir = dir or "../shared/reference/openapi"
rounds = rounds or 20

local ok, cjson = pcall(require, "cjson")
if not ok then
  io.stderr:write("json bench: Debian's lua-cjson is not installed (apt-get install lua-cjson)\n")
  os.exit(1)
end
local hjson = require "host.json"

local docs = {}
for _, name in ipairs({ "lidarr.json", "prowlarr.json", "radarr.json", "sonarr.json" }) do
  local f = io.open(dir .. "/" .. name, "rb")
  if f then
    docs[#docs + 1] = f:read("a")
    f:close()
  end
end
if #docs == 0 then
  print("json bench: skipped, no OpenAPI documents in " .. dir)
  return
end
local bytes = 0
for _, d in ipairs(docs) do bytes = bytes + #d end

-- Seconds for ROUNDS passes of decode, then of encode, over every document.
local function run(json)
  local values = {}
  collectgarbage()
  local t0 = os.clock()
  for _ = 1, rounds do
    for i, d in ipairs(docs) do values[i] = json.decode(d) end
  end
  local t1 = os.clock()
  for _ = 1, rounds do
    for _, v in ipairs(values) do json.encode(v) end
  end
  return t1 - t0, os.clock() - t1
end

local best = { host = { math.huge, math.huge }, cjson = { math.huge, math.huge } }
for _ = 1, 5 do
  for name, json in pairs({ host = hjson, cjson = cjson }) do
    local d, e = run(json)
    best[name][1] = math.min(best[name][1], d)
    best[name][2] = math.min(best[name][2], e)
  end
end

local function ms(s) return s * 1000 / rounds end
local mb = bytes * rounds / 1e6
print(string.format("json: %d OpenAPI documents, %.0f KB, %d rounds, best of 5 (ms per round)", #docs,
  bytes / 1000, rounds))
print(string.format("  %-28s %9s %9s %9s %8s", "", "decode", "encode", "total", "MB/s"))
for _, name in ipairs({ "cjson", "host" }) do
  local d, e = best[name][1], best[name][2]
  print(string.format("  %-28s %9.2f %9.2f %9.2f %8.1f",
    name == "host" and "host.json" or "lua-cjson 2.1.0 (Debian)", ms(d), ms(e), ms(d + e), mb / (d + e)))
end
local ratio = (best.host[1] + best.host[2]) / (best.cjson[1] + best.cjson[2])
print(string.format("  host.json / lua-cjson: %.2fx (decode %.2fx, encode %.2fx; aim <= 1.2x)", ratio,
  best.host[1] / best.cjson[1], best.host[2] / best.cjson[2]))
