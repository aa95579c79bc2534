# starrhost export: read-only by construction (it takes no --dry-run or
# --record), the config checked as for run, nothing printed unless every
# instance was read.
unset SONARR_URL RADARR_URL PROWLARR_URL LIDARR_URL READARR_URL STARRHOST_INSTANCES STARRHOST_CONFIG
export STARRHOST_SECRETS_DIR=$T/secrets
mkdir -p "$T/secrets"
cp -r "$root/scripts" scripts
sh_run export --dry-run
sh_run export --scripts scripts
printf 'k-%s\n' "$RANDOM$RANDOM" >"$T/secrets/sonarr-api-key"
cat "$T/secrets/sonarr-api-key" >>"$T/.secrets"
export SONARR_URL=http://127.0.0.1:1
sh_run export --scripts scripts --only sonarr-4k
# An app that does not answer: exit 3, and nothing but log lines is written.
sh_run export --scripts scripts --timeout 0.2 --log-level error | grep -v ' ERROR '
sh_run export --scripts scripts --timeout 0.2 --log-level error 2>&1 | sed -E 's/after [0-9]+ ms/after N ms/'
