# One log line shows at most 64 KiB of its message and says how much was
# cut; logging a 60 MiB string fits in a Lua heap that holds the string only
# once (string.rep itself needs twice its size), whatever the call.
mkdir s
cat >s/main.lua <<'LUA'
local log = require "host.log"
local big = string.rep("a", 60 * 1024 * 1024)
log.info(big)
log.info("big %s end", big)
print("print", big)
log.warn("%d bytes", #big)
LUA
STARRHOST_MEMORY_LIMIT=150M sh_run run --scripts s | sed -E 's/a{100,}/a.../'
STARRHOST_MEMORY_LIMIT=150M sh_run run --scripts s |
    awk 'length($0) > 65536 + 200 { long++ } END { print (long + 0) " lines longer than 64 KiB" }'
