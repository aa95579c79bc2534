# The allocator caps memory; a runaway script stops with a clear error.
mkdir s
cat >s/main.lua <<'LUA'
local t = {}
for i = 1, 1e9 do t[i] = string.rep("x", 1024) .. i end
return 0
LUA
STARRHOST_MEMORY_LIMIT=8M sh_run run --scripts s
STARRHOST_MEMORY_LIMIT=lots sh_run run --scripts s
