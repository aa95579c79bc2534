# `starrhost check`: every script on the path and the config file compiled
# (not run) in one pass, each syntax error with file:line, shadowed built-in
# files skipped, an override that replaces nothing warned about; then
# main.lua runs with host.options.command "check", with no network. Exit 0
# or 2, nothing else.
mkdir builtin overrides
cat >builtin/main.lua <<'LUA'
local host = require "host"
local log = require "host.log"
local app = require "app"
log.info("command %s, app %s", host.options.command, app.name)
return app.exit or 0
LUA
cat >builtin/app.lua <<'LUA'
return { name = "builtin" }
LUA
printf 'return {}\n' >builtin/sonarr.lua
cat >builtin/extra.lua <<'LUA'
return {
LUA
cat >overrides/extra.lua <<'LUA'
return {}
LUA
cat >overrides/app.lua <<'LUA'
return { name = "patched",
LUA
cat >overrides/sonarr.lua <<'LUA'
local x = = 1
LUA
cat >config.lua <<'LUA'
return { sonarr = { url = "http://sonarr:8989" }
LUA
sh_run check --scripts overrides --scripts builtin --config config.lua
printf 'return { name = "patched" }\n' >overrides/app.lua
printf 'return {}\n' >overrides/sonarr.lua
printf 'return {}\n' >config.lua
sh_run check --scripts overrides --scripts builtin --config config.lua
printf 'return {}\n' >overrides/sonar.lua
sh_run check --scripts overrides --scripts builtin
rm overrides/sonar.lua
printf 'return { name = "patched", exit = 4 }\n' >overrides/app.lua
sh_run check --scripts overrides --scripts builtin
cat >overrides/app.lua <<'LUA'
local http = require "host.http"
return { name = "online", exit = http.get("http://sonarr:8989/ping").status }
LUA
sh_run check --scripts overrides --scripts builtin
