# What scripts see of the command line (host.options, host.dry_run).
mkdir s
: >config.lua
cat >s/main.lua <<'LUA'
local host = require "host"
local o = host.options
print(o.command, o.dry_run, host.dry_run, o.config, o.timeout, o.only and table.concat(o.only, "+"))
return 0
LUA
sh_run run --scripts s
sh_run plan --scripts s --config config.lua --only sonarr,radarr --timeout 2.5
sh_run run --scripts s --only sonarr-4k,radarr_anime2
sh_run run --scripts s --dry-run --config=config.lua
sh_run check --scripts s --config config.lua
STARRHOST_CONFIG=$T/config.lua sh_run run --scripts s
sh_run run --scripts s --config nope.lua
sh_run check --scripts s --dry-run
