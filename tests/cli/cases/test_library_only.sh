# host.test (which can read files) exists under `starrhost test` only: the
# scripts of run, plan and check keep their sandbox.
mkdir s
cat >s/main.lua <<'LUA'
local t = require "host.test"
return t.read_file("/etc/hostname") and 0 or 1
LUA
sh_run run --scripts s
sh_run check --scripts s
