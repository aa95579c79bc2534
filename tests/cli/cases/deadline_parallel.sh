# The deadline inside host.parallel's tasks: a task that loops without
# requests stops with its file:line and exit 2 (tasks take turns only where
# they wait, so the sleeping task never logs "slept"); a
# task's sleep that reaches the deadline stops the run with exit 3, and no
# task goes on after it.
mkdir loop sleep
cat >loop/main.lua <<'LUA'
local host = require "host"
local log = require "host.log"
host.parallel{
  function() log.app("sleeper"); host.sleep(0.05); log.info("slept") end,
  function() local n = 0; while true do n = n + 1 end end,
}
LUA
cat >sleep/main.lua <<'LUA'
local host = require "host"
local log = require "host.log"
host.parallel{
  function() log.app("sonarr"); host.sleep(3600) end,
  function() log.app("radarr"); host.sleep(3600); log.info("not reached") end,
}
print("not reached")
LUA
sh_run run --scripts loop --deadline 1 | sed -E 's/for [0-9.]+ s without/for N s without/'
sh_run run --scripts sleep --deadline 1
