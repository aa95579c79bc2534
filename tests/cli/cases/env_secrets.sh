# A script that reads a key straight from the environment (os.getenv or
# host.env, before any secret.get) cannot print it: the values of variables
# named like secrets (*_API_KEY, *_PASSWORD, *_TOKEN, ...) are registered at
# start. Other variables, and values under 4 bytes, print as they are.
mkdir s
printf '%s\n' 5ec7e71d0a4b4c1f9d2e sw0rdf1sh-Tok3n qbP4ss-w0rd >.secrets
cat >s/main.lua <<'LUA'
local host = require "host"
for _, name in ipairs{ "SONARR_API_KEY", "QBITTORRENT_PASSWORD", "PLEX_TOKEN", "SONARR_URL",
    "FLAG_KEY" } do
  print(name, os.getenv(name), host.env(name))
end
LUA
SONARR_API_KEY=5ec7e71d0a4b4c1f9d2e QBITTORRENT_PASSWORD=qbP4ss-w0rd PLEX_TOKEN=sw0rdf1sh-Tok3n \
    SONARR_URL=http://sonarr:8989 FLAG_KEY=yes sh_run run --scripts s
