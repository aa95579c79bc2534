-- Two tasks, each labelled with its app, each making three requests with a
-- key in the URL to its own origin; run.sh checks the labels of the lines
-- and that the recording has six whole lines, redacted.
local host = require "host"
local http = require "host.http"
local log = require "host.log"
local key = host.env("TEST_KEY_VALUE")
log.app("main")
host.parallel({ { "sonarr", host.env("FIXTURE_HTTP") }, { "radarr", host.env("FIXTURE_HTTP2") } }, function(app)
  log.app(app[1])
  for i = 1, 3 do
    local res = assert(http.get(app[2] .. "/slow?s=0.05&id=rec-" .. app[1] .. i .. "&apikey=" .. key))
    log.info("answer %d: %d", i, res.status)
  end
end)
log.info("after the tasks")
return 0
