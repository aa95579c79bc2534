-- The deadline passes while two tasks wait for slow answers and a third
-- sleeps: the run stops at the deadline naming a request in flight (exit 3),
-- the abandoned transfers are freed (the sanitizer and valgrind reruns).
local host = require "host"
local http = require "host.http"
local log = require "host.log"
host.parallel{
  function() log.app("sonarr"); http.get(host.env("FIXTURE_HTTP") .. "/slow?s=30", { timeout = 60 }) end,
  function() log.app("radarr"); http.get(host.env("FIXTURE_HTTP2") .. "/slow?s=30", { timeout = 60 }) end,
  function() host.sleep(60) end,
}
log.info("not reached")
