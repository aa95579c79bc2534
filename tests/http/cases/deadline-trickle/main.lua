-- An app that trickles one byte a second, and a script that retries whatever
-- happens: the run still ends at --deadline, naming the request (exit 3).
local host = require "host"
local http = require "host.http"
local log = require "host.log"
log.app("sonarr")
for _ = 1, 100 do
  pcall(http.get, host.env("FIXTURE_HTTP") .. "/trickle?apikey=" .. host.env("TEST_KEY_VALUE"),
    { timeout = 60 })
end
log.info("not reached")
