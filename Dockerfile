# starrhost container image (DESIGN section 8).
#   build:   make image            (docker where a daemon answers, else podman)
#   check:   make image-test       (runs the image's binary as its non-root user)
# The base is named in full so that podman finds a locally imported base
# without asking a registry (make image imports one made with debootstrap).
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN set -eu; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends \
        build-essential pkg-config liblua5.4-dev libcurl4-openssl-dev \
        ca-certificates dpkg-dev xz-utils >/dev/null
WORKDIR /src
COPY . /src/
# The JSON engine is built from Debian's source package by the recipe in
# vendor/ (version + sha256). A build context that carries vendor/cache/
# needs no source archive; otherwise apt's deb-src entries are switched on.
RUN set -eu; \
    if [ -d vendor ] && [ -z "$(ls -A vendor/cache 2>/dev/null)" ]; then \
        for f in /etc/apt/sources.list.d/*.sources; do \
            [ -e "$f" ] && sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"; \
        done; \
        if [ -f /etc/apt/sources.list ]; then \
            sed -n 's/^deb \(.*\)$/deb-src \1/p' /etc/apt/sources.list >/etc/apt/sources.list.d/src.list; \
        fi; \
        apt-get update -qq; \
    fi
# PREFIX=/usr both times: the built-in script directory is compiled in.
RUN set -eu; \
    make -j"$(nproc)" BUILD=/build PREFIX=/usr all; \
    make BUILD=/build PREFIX=/usr DESTDIR=/out install; \
    strip --strip-unneeded /out/usr/bin/starrhost; \
    /out/usr/bin/starrhost version

FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
ARG VERSION=unknown
RUN set -eu; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends libcurl4 ca-certificates >/dev/null; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old
COPY --from=build /out/usr/ /usr/
LABEL org.opencontainers.image.title="starrhost" \
      org.opencontainers.image.description="Configures Prowlarr, Sonarr and Radarr from Lua scripts" \
      org.opencontainers.image.version="${VERSION}"
# A numeric user (no passwd entry needed), so Kubernetes can verify
# runAsNonRoot. Nothing is written at run time: a read-only root file system
# works; scripts load from /usr/share/starrhost/scripts and mounted overrides.
USER 65532:65532
WORKDIR /
ENTRYPOINT ["/usr/bin/starrhost"]
CMD ["run"]
