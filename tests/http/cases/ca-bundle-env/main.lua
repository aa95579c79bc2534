-- Run with CURL_CA_BUNDLE naming the fixture's certificate: verification
-- passes without ca_file, as it does for the curl command line.
local http = require "host.http"
local host = require "host"
local res, err = http.get(host.env("FIXTURE_HTTPS") .. "/echo")
assert(res and res.status == 200, tostring(err))
