#!/usr/bin/env bash
# The operators' loop end to end: `starrhost run --record` against a loopback
# stand-in app writes a recording with no secret in it; a replay test built
# from that recording passes for the same script and fails, naming the
# request, for a patched script that makes a request the recording lacks.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
read -ra STARRHOST <<<"${STARRHOST:-build/starrhost}"
last=$((${#STARRHOST[@]} - 1))
[[ ${STARRHOST[$last]} == /* ]] || STARRHOST[$last]=$root/${STARRHOST[$last]}
T=$(mktemp -d)
server=
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
check() { # check NAME COMMAND...: counts and reports one check
    local name=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
    fi
}

key=sonarr-key-$RANDOM$RANDOM
password=qbit-pass-$RANDOM$RANDOM
mkdir -p "$T/secrets" "$T/scripts" "$T/patched" "$T/tests"
printf '%s\n' "$key" >"$T/secrets/sonarr-api-key"
printf '%s\n' "$password" >"$T/secrets/qbit-password"
python3 "$here/app.py" --port-file "$T/port" --key-file "$T/secrets/sonarr-api-key" &
server=$!
for _ in $(seq 100); do [[ -s $T/port ]] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$T/port")

cat >"$T/scripts/main.lua" <<'LUA'
return require("app").run()
LUA
cat >"$T/scripts/app.lua" <<'LUA'
local http = require "host.http"
local json = require "host.json"
local secret = require "host.secret"
local host = require "host"
local M = {}
function M.run()
  local base = host.env("SONARR_URL")
  local key = assert(secret.get("sonarr-api-key"))
  local h = { ["X-Api-Key"] = key, ["Content-Type"] = "application/json" }
  assert(http.get(base .. "/api/v3/system/status", { headers = h }).status == 200)
  local tags = json.decode(http.get(base .. "/api/v3/tag?apikey=" .. key).body)
  local item = { name = "qBittorrent", port = 8080, tags = json.array{ tags[1].id },
    fields = json.array{ { name = "password", value = assert(secret.get("qbit-password")) } } }
  local res = http.post(base .. "/api/v3/downloadclient", json.encode(item), { headers = h })
  return res.status == 201 and 0 or 1
end
return M
LUA
# The patch under test: one more request than the recorded run made.
sed 's|  return res.status == 201 and 0 or 1|  http.get(base .. "/api/v3/notification", { headers = h })\n&|' \
    "$T/scripts/app.lua" >"$T/patched/app.lua"
cat >"$T/tests/app_test.lua" <<'LUA'
local t = require "host.test"
t.test("the recorded run replays", function()
  -- Secrets are "***" in the recording, which matches any value: the
  -- test's own stand-ins need not be the real ones.
  package.loaded["host.secret"] = { get = function(name) return "test-" .. name end }
  local fake = t.fake_http().replay("recording.jsonl").install()
  t.eq(require("app").run(), 0)
  fake.done()
end)
LUA

cd "$T" || exit 1
SONARR_URL=$url STARRHOST_SECRETS_DIR=$T/secrets "${STARRHOST[@]}" run --scripts scripts \
    --record tests/recording.jsonl >run.log 2>&1
check "run --record exits 0" test $? -eq 0
check "the recording has one line per exchange" test "$(wc -l <tests/recording.jsonl)" -eq 3
check "no secret in the recording" bash -c "! grep -qF -e '$key' -e '$password' tests/recording.jsonl"
check "the API key in the URL is redacted" grep -qF 'apikey=***' tests/recording.jsonl
SONARR_URL=$url "${STARRHOST[@]}" test --scripts scripts tests >replay.log 2>&1
rc=$?
check "the replay test passes for the recorded script" test $rc -eq 0
[[ $rc -eq 0 ]] || cat replay.log
SONARR_URL=$url "${STARRHOST[@]}" test --scripts patched --scripts scripts tests >patched.log 2>&1
rc=$?
check "the replay test fails for the patched script" test $rc -eq 1
check "the failure names the request and the patched line" \
    grep -qE "patched/app.lua:[0-9]+: fake http: GET http://127.0.0.1:[0-9]+/api/v3/notification is not in the recording" patched.log
[[ $rc -eq 1 ]] || cat patched.log
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
