#!/usr/bin/env bash
# Makes the base image the Dockerfile names (debian:bookworm-slim) without a
# registry: debootstrap --variant=minbase into a cached directory, give it the
# apt sources a Debian image has, and import it into podman under that name.
# Usage: image-base.sh CACHE_DIR IMAGE_NAME
set -euo pipefail
cache=$1 name=$2
here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
rootfs=$cache/rootfs-$suite
# Bumped when the recipe below changes, so a cached base is made again.
recipe=2
if [[ $(cat "$rootfs/.complete" 2>/dev/null) != "$recipe" ]]; then
    mirror=$("$here/debian-mirror.sh" "$suite")
    security=$("$here/debian-mirror.sh" "$suite-security" 2>/dev/null || true)
    echo "debootstrap --variant=minbase $suite from $mirror (once; cached in $rootfs)" >&2
    rm -rf "$rootfs"
    mkdir -p "$cache"
    start=$(date +%s)
    debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
        tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    # The same sources as Debian's own images (deb822), so the Dockerfile's apt
    # steps behave alike on both.
    rm -f "$rootfs/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$mirror" "$suite" "$suite"
        printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
        if [[ -n $security ]]; then
            printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$suite"
            printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
        fi
    } >"$rootfs/etc/apt/sources.list.d/debian.sources"
    # Slim like Debian's -slim images: no documentation, manual pages or
    # translations, now or from packages installed later; no apt lists or
    # caches in the base.
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
CFG
    find "$rootfs/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$rootfs"/usr/share/{groff,info,linda,lintian/overrides,locale,man}/*
    printf '%s\n' 'APT::Install-Recommends "false";' >"$rootfs/etc/apt/apt.conf.d/90slim"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
        "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
    echo "debootstrap took $(($(date +%s) - start))s" >&2
    echo "$recipe" >"$rootfs/.complete"
fi
if podman image exists "$name" && [[ $(podman image inspect -f '{{index .Labels "starrhost.base"}}' "$name" 2>/dev/null || true) == "$(stat -c %Y "$rootfs/.complete")" ]]; then
    exit 0
fi
echo "importing $rootfs as $name" >&2
tar --exclude=./.complete -C "$rootfs" -c . |
    podman import --change "LABEL starrhost.base=$(stat -c %Y "$rootfs/.complete")" \
        --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$name" >/dev/null
