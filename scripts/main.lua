-- starrhost's entry point: the host runs this file and exits with the code
-- it returns (0 converged, 1 item failed, 2 config error, 3 app unreachable,
-- 4 plan with pending changes).
local host = require "host"
return require("run").main(host.options)
