#!/usr/bin/env bash
# make image: builds the Dockerfile with docker where a daemon answers, else
# with podman (chroot isolation) on a base made by debootstrap and imported
# under the name the Dockerfile uses, so no registry is asked for anything.
# Env: IMAGE (name:tag), VERSION, BUILD (build dir).
set -euo pipefail
: "${IMAGE:?}" "${VERSION:=0.0.0}" "${BUILD:=build}"
base=docker.io/library/debian:bookworm-slim
start=$(date +%s)
if docker info >/dev/null 2>&1; then
    engine=docker
    docker build --build-arg VERSION="$VERSION" -t "$IMAGE" .
else
    engine=podman
    command -v podman >/dev/null || { echo "make image: neither a docker daemon nor podman (apt-get install podman)" >&2; exit 1; }
    tests/deploy/image-base.sh "$BUILD/image" "$base"
    podman build --isolation=chroot --pull=never --layers \
        --build-arg VERSION="$VERSION" -t "$IMAGE" .
fi
size=$("$engine" image inspect -f '{{.Size}}' "$IMAGE")
base_size=$("$engine" image inspect -f '{{.Size}}' "$base" 2>/dev/null || echo 0)
printf 'image %s built with %s in %ds: %s bytes (%.1f MB; base %.1f MB, added %.1f MB)\n' \
    "$IMAGE" "$engine" $(($(date +%s) - start)) "$size" \
    "$(echo "$size / 1000000" | bc -l)" "$(echo "$base_size / 1000000" | bc -l)" \
    "$(echo "($size - $base_size) / 1000000" | bc -l)"
