# `starrhost test`: each test reported; a failed comparison shows both sides;
# an error inside a test names file:line; a closing count; exit 1 on failure.
mkdir t
cat >t/report_test.lua <<'LUA'
local t = require "host.test"
local function port_of(item) return item.fields.port end
local calls = 0
t.before_each(function() calls = calls + 1 end)
t.describe("download client", function()
  t.it("keeps the port an integer", function()
    t.eq({ name = "qBittorrent", port = 8080.0 }, { name = "qBittorrent", port = 8080 })
  end)
  t.it("reads the port", function()
    t.eq(port_of({ name = "x" }), 8080)
  end)
end)
t.test("before_each ran for each test", function() t.eq(calls, 3) end)
t.test("not ready yet", function() t.skip("needs Lidarr") end)
t.test("an error without a position gets the test's line", function() error({ code = 1 }) end)
LUA
cat >t/broken_test.lua <<'LUA'
local t = require "host.test"
t.test("never registered", function()
  t.ok(true)
end
LUA
mkdir t/empty
printf 'return 1\n' >t/empty/none_test.lua
sh_run test t
sh_run test --match "reads" t/report_test.lua
sh_run test --match "no such test" t/report_test.lua
sh_run test t/missing_test.lua
