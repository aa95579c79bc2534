#!/usr/bin/env bash
# Prints the Debian archive URI this machine's apt uses for the given suite
# (default bookworm), read from its apt sources: the one-line format
# (sources.list, *.list) and the deb822 format (*.sources). The project names
# no mirror of its own; set DEBIAN_MIRROR to choose one.
set -euo pipefail
suite=${1:-bookworm}
if [[ -n ${DEBIAN_MIRROR:-} ]]; then echo "$DEBIAN_MIRROR"; exit 0; fi
shopt -s nullglob
dir=/etc/apt
# deb822: a stanza is a block of "Key: value" lines; take the first enabled
# stanza of Types deb whose Suites list the suite itself.
for f in "$dir"/sources.list.d/*.sources; do
    uri=$(awk -v suite="$suite" '
        function flush() {
            if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
                enabled != "no" && uris != "" && !found) { split(uris, u, " "); print u[1]; found = 1 }
            types = suites = uris = ""; enabled = "yes"
        }
        BEGIN { enabled = "yes" }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
          if (key == "types") types = $0; else if (key == "suites") suites = $0
          else if (key == "uris") uris = $0; else if (key == "enabled") enabled = tolower($0) }
        END { flush() }' "$f")
    if [[ -n $uri ]]; then echo "${uri%/}"; exit 0; fi
done
for f in "$dir"/sources.list "$dir"/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    # deb [options] URI SUITE COMPONENTS...
    uri=$(awk -v suite="$suite" '
        $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                      if ($(i + 1) == suite) { print $i; exit } }' "$f")
    if [[ -n $uri ]]; then echo "${uri%/}"; exit 0; fi
done
echo "no apt source for suite $suite found in $dir; set DEBIAN_MIRROR" >&2
exit 1
