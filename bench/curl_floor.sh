#!/usr/bin/env bash
# The curl floor: what the same requests cost from a plain shell script. Sends the
# requests of a curl config file (built by bench/floor.py: URL, method, API key
# header file, prebuilt JSON body) in one curl process, in order, so curl keeps one
# connection per app as starrhost does; fails unless every answer is 2xx.
#   curl_floor.sh REQUESTS.curl
set -euo pipefail
[[ $# -eq 1 && -r $1 ]] || { echo "usage: curl_floor.sh REQUESTS.curl" >&2; exit 2; }
# -q: no ~/.curlrc; each request writes "status method url" (bench/floor.py sets write-out).
out=$(curl -q -sS --config "$1")
n=0 bad=0
while read -r code method url; do
    n=$((n + 1))
    case $code in
        2??) ;;
        *) echo "curl floor: $method $url answered $code" >&2; bad=$((bad + 1)) ;;
    esac
done <<<"$out"
echo "curl floor: $n requests, $bad not 2xx"
[[ $bad -eq 0 ]]
