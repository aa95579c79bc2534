# An operator's patched script with a syntax error in an override directory:
# the message names the override file and line; nothing runs; exit 2.
mkdir builtin overrides
cat >builtin/main.lua <<'LUA'
local app = require "app"
return app.run()
LUA
cat >builtin/app.lua <<'LUA'
return { run = function() return 0 end }
LUA
cat >overrides/app.lua <<'LUA'
return {
  run = function()
    return 0 +
  end,
}
LUA
sh_run run --scripts overrides --scripts builtin
