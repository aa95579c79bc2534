# --deadline (or STARRHOST_DEADLINE) bounds the whole run: a script that loops
# without requests stops with its file:line and exit 2, even inside pcall; a
# sleep stops at the deadline with exit 3, and so does a loop that keeps
# waiting (in a sleep or between two); host.time_left() tells scripts.
mkdir loop sleep busy
cat >loop/main.lua <<'LUA'
local n = 0
while true do
  pcall(function() while true do n = n + 1 end end)
end
LUA
cat >sleep/main.lua <<'LUA'
local host = require "host"
print(host.options.deadline, host.time_left() <= host.options.deadline)
host.sleep(3600)
print("not reached")
LUA
cat >busy/main.lua <<'LUA'
local host = require "host"
while true do
  for _ = 1, 1e5 do end
  pcall(host.sleep, 0)
end
LUA
sh_run run --scripts loop --deadline 1 | sed -E 's/for [0-9.]+ s without/for N s without/'
sh_run run --scripts busy --deadline 1 |
    sed -E 's/passed while the scripts (waited \(host.sleep|ran) at busy.main.lua:[0-9]+.*; stopping/passed while the scripts ran at busy\/main.lua; stopping/'
STARRHOST_DEADLINE=1.5 sh_run run --scripts sleep
STARRHOST_DEADLINE=1 sh_run run --scripts sleep --deadline 1.5
sh_run run --scripts loop --deadline 0
sh_run run --scripts loop --deadline soon
STARRHOST_DEADLINE=-1 sh_run run --scripts loop
