# A secret read from a file never appears, whatever a script does with it:
# logs, print, errors, tracebacks, JSON logs, stdout.
mkdir s
printf 'k3y-F0r-t3st1ng-only\n' >key
echo 'k3y-F0r-t3st1ng-only' >.secrets
cat >s/main.lua <<'LUA'
local secret = require "host.secret"
local log = require "host.log"
local host = require "host"
local key = assert(secret.get("sonarr-api-key"))
log.info("key is %s", key)
log.debug("debug key %s", key)
print("print", key)
host.write("stdout " .. key .. "\n")
log.info("url http://sonarr/api?apikey=%s", key)
error("failed with key " .. key)
LUA
SONARR_API_KEY_FILE=$T/key sh_run run --scripts s
SONARR_API_KEY_FILE=$T/key sh_run run --scripts s --log-level debug --log-format json
