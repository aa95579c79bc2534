#!/usr/bin/env bash
# Runs Debian's kubectl (package kubernetes-client) for offline rendering.
# The package cannot always be installed: some machines carry another package
# owning /usr/bin/kubectl. So it is unpacked, not installed, under
# $TOOLS (default build/tools): `apt-get download` + `dpkg-deb -x`, by name
# from the machine's configured Debian archive. KUBECTL=path overrides all.
set -euo pipefail
if [[ -n ${KUBECTL:-} ]]; then exec "$KUBECTL" "$@"; fi
tools=${TOOLS:-build/tools}
bin=$tools/kubernetes-client/usr/bin/kubectl
if [[ ! -x $bin ]]; then
    if [[ $(dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null || true) == "install ok installed" ]]; then
        exec /usr/bin/kubectl "$@"
    fi
    mkdir -p "$tools/dl"
    ( cd "$tools/dl" && rm -f kubernetes-client_*.deb &&
      { apt-get download -q kubernetes-client >&2 2>/dev/null ||
        { [[ $(id -u) -eq 0 ]] && apt-get update -qq >&2 && apt-get download -q kubernetes-client >&2; }; } ) || {
        echo "cannot get Debian's kubernetes-client (apt-get download kubernetes-client); set KUBECTL" >&2
        exit 1
    }
    rm -rf "$tools/kubernetes-client"
    dpkg-deb -x "$tools"/dl/kubernetes-client_*.deb "$tools/kubernetes-client"
fi
exec "$bin" "$@"
