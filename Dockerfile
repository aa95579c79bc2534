# starrhost container image (DESIGN section 8).
#   build:   make image            (docker where a daemon answers, else podman)
#   check:   make image-test       (runs the image's binary as its non-root user)
# The base is named in full so that podman finds a locally imported base
# without asking a registry (make image imports one made with debootstrap).
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS build
ARG DEBIAN_FRONTEND=noninteractive
# dpkg-dev, patch, xz-utils: vendor/lua-cjson/fetch.sh builds the JSON engine
# from Debian's source package (pinned version + sha256), fetched with a
# private apt configuration derived from this stage's apt sources, or taken
# from the build context's vendor/cache/ when that holds the pinned files.
RUN set -eu; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends \
        build-essential pkg-config liblua5.4-dev libcurl4-openssl-dev \
        ca-certificates dpkg-dev patch xz-utils >/dev/null
WORKDIR /src
COPY . /src/
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
