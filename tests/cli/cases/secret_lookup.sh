# The lookup order of secret.get and its errors: they name variables and
# paths, never content.
mkdir s sdir
echo 'from-env-val' >.secrets
echo 'from-file-val' >>.secrets
echo 'from-dir-val' >>.secrets
cat >s/main.lua <<'LUA'
local secret = require "host.secret"
local v, err = secret.get("sonarr-api-key")
print(v and ("value " .. v) or ("error: " .. err))
return v and 0 or 2
LUA
printf 'from-file-val\n' >keyfile
printf 'from-dir-val' >sdir/sonarr-api-key
STARRHOST_SECRETS_DIR=$T/none sh_run run --scripts s
SONARR_API_KEY=from-env-val SONARR_API_KEY_FILE=$T/keyfile sh_run run --scripts s
SONARR_API_KEY=from-env-val sh_run run --scripts s
SONARR_API_KEY_FILE=$T/keyfile sh_run run --scripts s
STARRHOST_SECRETS_DIR=$T/sdir sh_run run --scripts s
SONARR_API_KEY_FILE=$T/nonexistent sh_run run --scripts s
: >empty
SONARR_API_KEY_FILE=$T/empty sh_run run --scripts s
