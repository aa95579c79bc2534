# `starrhost check` with the project's scripts: configuration problems are
# listed together (unknown key, wrong type, missing secret), exit 2; a valid
# configuration exits 0. No app is contacted.
cp -r "$root/scripts" scripts
cat >bad.lua <<'LUA'
return {
  sonarr = { url = "http://sonarr:8989", api_key = secret("sonarr-api-key"), dowload_clients = {} },
  radarr = { url = "http://radarr:7878", api_key = secret("radarr-api-key"), root_folders = "/movies" },
}
LUA
cat >good.lua <<'LUA'
return { sonarr = { url = "http://sonarr:8989", api_key = secret("sonarr-api-key"),
  root_folders = { "/tv" } } }
LUA
mkdir secrets
printf 'sonarr-secret-value\n' >secrets/sonarr-api-key
printf 'sonarr-secret-value\n' >.secrets
export STARRHOST_SECRETS_DIR=$T/secrets
sh_run check --scripts scripts --config bad.lua
sh_run check --scripts scripts --config good.lua
