# Text logs write control characters as escapes: a server's message with a
# line break cannot forge a line of its own, nor an ESC sequence drive the
# terminal. JSON logs escape them as JSON. TAB stays (print separates with it).
mkdir s
cat >s/main.lua <<'LUA'
local log = require "host.log"
local hostile = "name taken\n2026-01-01T00:00:00.000Z INFO  converged\r\27[2J\27]0;pwned\7 end"
log.error("sonarr said: %s", hostile)
log.info("C1 \194\155 DEL \127 not UTF-8 \255 tab\tend")
print("two", "words")
LUA
sh_run run --scripts s
sh_run run --scripts s --log-format json
