#!/usr/bin/env bash
# Prepares lua-cjson for the build: the pinned Debian source package, checked
# against SHA256SUMS, unpacked with Debian's own patches, then ours from
# patches/ (in the order of patches/series).
#
#   fetch.sh OUT CACHE    -> OUT/src (patched sources), OUT/ready
#
# The source package comes from CACHE when it is there and verifies (offline);
# otherwise apt downloads it, with a private configuration under OUT/apt whose
# deb-src lines reuse the mirrors of the system's own apt sources. The
# system's apt configuration is left as it is.
set -euo pipefail

pkg=lua-cjson
version=2.1.0+dfsg-2.2
here=$(cd "$(dirname "$0")" && pwd)
[[ $# -eq 2 ]] || { echo "usage: $0 OUT CACHE" >&2; exit 2; }
# apt reads relative Dir:: paths against its own directories: make them absolute.
mkdir -p "$1" "$2"
out=$(cd "$1" && pwd)
cache=$(cd "$2" && pwd)

die() {
    echo "lua-cjson: $*" >&2
    exit 1
}

verify() {
    (cd "$cache" && sha256sum --quiet --strict -c "$here/SHA256SUMS") >/dev/null 2>&1
}

# deb-src lines for the release suite of every Debian source of the system,
# from both the deb822 (*.sources) and the one-line (*.list) formats.
# LUA_CJSON_APT_ETC reads another directory than /etc/apt (for tests).
system_deb_src() {
    local codename
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
    [[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release"
    shopt -s nullglob
    local etc=${LUA_CJSON_APT_ETC:-/etc/apt}
    local deb822=("$etc"/sources.list.d/*.sources)
    local oneline=("$etc"/sources.list.d/*.list)
    [[ -f $etc/sources.list ]] && oneline+=("$etc/sources.list")
    if ((${#deb822[@]})); then
        awk -v suite="$codename" '
            BEGIN { RS = ""; FS = "\n" }
            {
                types = uris = suites = comps = key = ""; enabled = "yes"
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^[ \t#]/ || index($i, ":") == 0) continue
                    name = tolower(substr($i, 1, index($i, ":") - 1))
                    value = substr($i, index($i, ":") + 1)
                    gsub(/^[ \t]+|[ \t]+$/, "", value)
                    if (name == "types") types = value
                    else if (name == "uris") uris = value
                    else if (name == "suites") suites = value
                    else if (name == "components") comps = value
                    else if (name == "enabled") enabled = tolower(value)
                    else if (name == "signed-by") key = value
                }
                if (enabled == "no" || (" " types " ") !~ / deb /) next
                opt = (key ~ /^\//) ? " [signed-by=" key "]" : ""
                nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
                for (i = 1; i <= nu; i++)
                    for (j = 1; j <= ns; j++)
                        if (s[j] == suite) print "deb-src" opt " " u[i] " " s[j] " " comps
            }' "${deb822[@]}"
    fi
    if ((${#oneline[@]})); then
        awk -v suite="$codename" '
            $1 == "deb" {
                opt = ""; f = 2
                if ($2 ~ /^\[/) {
                    while (f <= NF && $f !~ /\]$/) { opt = opt " " $f; f++ }
                    opt = opt " " $f; f++
                    opt = " " substr(opt, 2)
                }
                if ($(f + 1) != suite) next
                line = "deb-src" opt
                for (i = f; i <= NF; i++) line = line " " $i
                print line
            }' "${oneline[@]}"
    fi
}

download() {
    local apt=$out/apt
    rm -rf "$apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/dl"
    system_deb_src >"$apt/sources.list"
    [[ -s $apt/sources.list ]] || die "no Debian apt source found to derive a deb-src line from"
    local opts=(-q -o Dir::Etc::SourceList="$apt/sources.list"
        -o Dir::Etc::SourceParts="$apt/sources.list.d"
        -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
    # As root apt drops to its sandbox user, which can't write under build/.
    [[ $(id -u) -eq 0 ]] && opts+=(-o APT::Sandbox::User=root)
    echo "lua-cjson: downloading the source package $pkg=$version with apt" >&2
    apt-get "${opts[@]}" update >"$apt/update.log" 2>&1 ||
        { cat "$apt/update.log" >&2; die "apt-get update failed (offline? put the files of SHA256SUMS in $cache)"; }
    (cd "$apt/dl" && apt-get "${opts[@]}" source --download-only "$pkg=$version") >"$apt/source.log" 2>&1 ||
        { cat "$apt/source.log" >&2; die "apt-get source failed"; }
    mkdir -p "$cache"
    local f
    for f in $(awk '{ print $2 }' "$here/SHA256SUMS"); do
        cp "$apt/dl/$f" "$cache/$f"
    done
}

if [[ ${LUA_CJSON_PRINT_SOURCES:-} == 1 ]]; then
    system_deb_src
    exit 0
fi

if ! verify; then
    download
    verify || die "checksums of the downloaded files differ from $here/SHA256SUMS"
fi

dsc=$(awk '/\.dsc$/ { print $2 }' "$here/SHA256SUMS")
rm -rf "$out/src" "$out/unpack" "$out/ready"
mkdir -p "$out"
# Checksums were verified above, against pins stronger than the .dsc's.
dpkg-source --no-check -x "$cache/$dsc" "$out/unpack" >"$out/unpack.log" 2>&1 ||
    { cat "$out/unpack.log" >&2; die "dpkg-source -x failed"; }
while read -r patch; do
    [[ -z $patch || $patch == \#* ]] && continue
    patch -d "$out/unpack" -p1 --batch --forward --quiet <"$here/patches/$patch" ||
        die "patch $patch does not apply"
done <"$here/patches/series"
mv "$out/unpack" "$out/src"
touch "$out/ready"
