-- report.lua: apps run at the same time, so their counts and plan lines
-- arrive interleaved; plans and the summary still come out app by app, in
-- the configured order.
local t = require "host.test"
local report = require "report"

t.test("plans and the summary follow the configured order, whatever order the apps counted in", function()
  local r = report.new{ "sonarr", "radarr", "prowlarr" }
  r:count("prowlarr", "application", "created")
  r:count("radarr", "root folder", "unchanged")
  r:count("sonarr", "download client", "created")
  r:count("radarr", "download client", "updated")
  r:count("sonarr", "tag", "created")
  r:count("extra", "tag", "created")
  local lines = {}
  for line in r:summary_text():gmatch("[^\n]+") do lines[#lines + 1] = line:match("^(%S+%s+%S+ ?%S*)") end
  t.eq(#lines, 7)
  t.match(lines[2], "^sonarr +download")
  t.match(lines[3], "^sonarr +tag")
  t.match(lines[4], "^radarr +root")
  t.match(lines[5], "^radarr +download")
  t.match(lines[6], "^prowlarr +application")
  t.match(lines[7], "^extra +tag")
end)

t.test("plan lines of each app stay together and in the order the app planned them", function()
  local host = require "host"
  local r = report.new{ "sonarr", "prowlarr" }
  -- Report:action keeps plan lines only in a dry run.
  local saved = host.dry_run
  host.dry_run = true
  r:action("prowlarr", "application", { name = "Sonarr", op = "create" })
  r:action("sonarr", "tag", { name = "tv", op = "create" })
  r:action("prowlarr", "application", { name = "Radarr", op = "create" })
  r:action("sonarr", "root folder", { name = "/tv", op = "create" })
  host.dry_run = saved
  t.eq(r:plan_text(), table.concat({
    'sonarr tag "tv": create', 'sonarr root folder "/tv": create',
    'prowlarr application "Sonarr": create', 'prowlarr application "Radarr": create', "" }, "\n"))
  t.eq(r.pending, 4)
end)
