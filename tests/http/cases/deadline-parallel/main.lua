-- The deadline passes while two tasks wait for slow answers (a third ended
-- after a short sleep): the run stops at the deadline naming a request in
-- flight (exit 3), the abandoned transfer is freed (the sanitizer and
-- valgrind reruns). A sleep reaching the deadline is tests/cli's case.
local host = require "host"
local http = require "host.http"
local log = require "host.log"
host.parallel{
  function() log.app("sonarr"); http.get(host.env("FIXTURE_HTTP") .. "/slow?s=30", { timeout = 60 }) end,
  function() log.app("radarr"); http.get(host.env("FIXTURE_HTTP2") .. "/slow?s=30", { timeout = 60 }) end,
  function() host.sleep(0.01) end,
}
log.info("not reached")
