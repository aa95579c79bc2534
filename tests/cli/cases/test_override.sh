# Tests see the module path of `run`: --scripts directories first, file by
# file, so a test of an override directory exercises the patched file.
mkdir builtin overrides tests
cat >builtin/sonarr.lua <<'LUA'
return { category = function() return "tv-sonarr" end, name = "sonarr" }
LUA
cat >builtin/util.lua <<'LUA'
return { upper = string.upper }
LUA
cat >overrides/sonarr.lua <<'LUA'
local util = require "util"
return { category = function() return util.upper("tv") end, name = "sonarr (patched)" }
LUA
cat >tests/sonarr_test.lua <<'LUA'
local t = require "host.test"
local sonarr = require "sonarr"
t.test("the patched category is sent", function()
  t.eq(sonarr.category(), "TV")
end)
LUA
sh_run test --scripts overrides --scripts builtin tests
sh_run test --scripts builtin tests
STARRHOST_SCRIPTS=overrides:builtin sh_run test tests
