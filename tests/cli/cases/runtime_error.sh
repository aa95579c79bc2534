# A Lua error at run time: one line with file:line at info level, the
# traceback at debug level.
mkdir s
cat >s/main.lua <<'LUA'
local app = require "app"
return app.run({})
LUA
cat >s/app.lua <<'LUA'
local M = {}
function M.run(ctx)
  return ctx.sonarr.url
end
return M
LUA
sh_run run --scripts s
sh_run run --scripts s --log-level debug
