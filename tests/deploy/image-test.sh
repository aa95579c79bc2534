#!/usr/bin/env bash
# make image-test: the image's own binary, as the image's non-root user,
# converges the fake apps.
#
# podman's `run` cannot set rlimits on these machines, so the image's file
# system is taken out with `podman create` + `podman export` and run with
# `chroot --userspec=UID:GID`, laid out as the kubelet would lay out the
# base Job: the root read-only (a read-only bind mount), the override
# directory a ConfigMap-style symlink farm (..data/), the API keys a Secret
# mount, /tmp a tmpfs; the command line and environment are the ones rendered
# from deploy/base, with the apps' URLs pointed at fakes on loopback.
#
# Env: IMAGE, BUILD. Ends with "N passed, N failed"; exits 1 on a failure.
set -uo pipefail
: "${IMAGE:?}" "${BUILD:=build}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(pwd)
work=$top/$BUILD/image-test
root=$work/rootfs
passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [[ -n ${2:-} ]] && sed 's/^/      /' <<<"$2"; }
finish() {
    echo "$passed passed, $failed failed"
    [[ $failed -eq 0 ]]
    exit
}

if docker info >/dev/null 2>&1; then engine=docker; else engine=podman; fi

cleanup() {
    [[ -n ${stack_stop:-} ]] && "$stack_stop" >/dev/null 2>&1
    if [[ -d $root ]]; then
        umount -R "$root" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# -- the image's file system and configuration --------------------------------
cleanup
rm -rf "$work"
mkdir -p "$root"
start=$(date +%s)
ctr=$("$engine" create "$IMAGE") || { fail "create a container of $IMAGE"; finish; }
"$engine" export "$ctr" | tar -C "$root" -xf - --numeric-owner
"$engine" rm "$ctr" >/dev/null
user=$("$engine" image inspect -f '{{.Config.User}}' "$IMAGE")
entrypoint=$("$engine" image inspect -f '{{json .Config.Entrypoint}}' "$IMAGE")
cmd=$("$engine" image inspect -f '{{json .Config.Cmd}}' "$IMAGE")
size=$("$engine" image inspect -f '{{.Size}}' "$IMAGE")
if [[ $user =~ ^[1-9][0-9]*:[0-9]+$ ]]; then ok "image user is numeric and not root ($user)"; else fail "image user is numeric and not root" "User=$user"; fi
if [[ $entrypoint == '["/usr/bin/starrhost"]' && $cmd == '["run"]' ]]; then
    ok "ENTRYPOINT $entrypoint, CMD $cmd"
else
    fail "ENTRYPOINT /usr/bin/starrhost, CMD run" "ENTRYPOINT=$entrypoint CMD=$cmd"
fi
bin=$root/usr/bin/starrhost
if [[ -x $bin ]]; then ok "/usr/bin/starrhost is in the image"; else fail "/usr/bin/starrhost is in the image"; finish; fi
missing=""
for f in scripts/*.lua; do
    cmp -s "$f" "$root/usr/share/starrhost/scripts/$(basename "$f")" || missing+=" $(basename "$f")"
done
if [[ -z $missing ]]; then
    ok "scripts/*.lua are /usr/share/starrhost/scripts ($(ls scripts/*.lua 2>/dev/null | wc -l) files)"
else
    fail "scripts/*.lua are /usr/share/starrhost/scripts" "missing or different:$missing"
fi
shells=$(cd "$root" && ls bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash 2>/dev/null | tr '\n' ' ')
printf 'note  image %s: %s bytes; binary %s bytes (stripped); shells in the image (removed for the runs): %s\n' \
    "$IMAGE" "$size" "$(stat -c %s "$bin")" "${shells:-none}"

# -- the pod's mounts, as the kubelet makes them --------------------------------
uid=${user%%:*} gid=${user##*:}
# A ConfigMap or Secret volume: files are symlinks into ..data, itself a
# symlink to a timestamped directory; Secret files 0440 with group fsGroup.
volume() { # volume DIR MODE NAME=FILE...
    local dir=$1 mode=$2 stamp=..2026_01_01_00_00_00.000000001
    shift 2
    mkdir -p "$dir/$stamp"
    local spec
    for spec in "$@"; do
        cp "${spec#*=}" "$dir/$stamp/${spec%%=*}"
        chmod "$mode" "$dir/$stamp/${spec%%=*}"
        chgrp "$gid" "$dir/$stamp/${spec%%=*}"
        ln -s "..data/${spec%%=*}" "$dir/${spec%%=*}"
    done
    ln -s "$stamp" "$dir/..data"
}
mkdir -p "$work/vol"
rendered=$work/base.yaml
"$here/kubectl.sh" kustomize deploy/base >"$rendered" || { fail "render deploy/base"; finish; }
mapfile -t lines < <(/usr/bin/python3 "$here/job-command.py" "$rendered")
job_json=${lines[0]}
args_json=$(/usr/bin/python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])["args"]))' "$job_json")
mapfile -t args <<<"$args_json"
mounts=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.loads(sys.argv[1])["mounts"]))' "$job_json")
job_env=("${lines[@]:1}")
secrets_dir=/run/secrets/starrhost overrides_dir=/etc/starrhost/overrides
for kv in "${job_env[@]}"; do
    [[ $kv == STARRHOST_SECRETS_DIR=* ]] && secrets_dir=${kv#*=}
done

# -- the fake apps ----------------------------------------------------------------
# tests/fakearr/stack.py: Prowlarr, Sonarr and Radarr on free loopback ports,
# each with its own API key and request log (one JSON line per request,
# "write" true for a request that changed something).
stack=tests/fakearr/stack.py
declare -A url=() key=()
# (Options before the mode: stack.py takes everything after the mode as a command.)
stop_fakes() { /usr/bin/python3 "$top/$stack" --dir "$work/stack" stop; }
if [[ -f $stack ]]; then
    if /usr/bin/python3 "$stack" --dir "$work/stack" start >"$work/stack.env" 2>"$work/stack.log"; then
        stack_stop=stop_fakes
        while IFS=$'\t' read -r k v; do
            case $k in
                PROWLARR_URL | SONARR_URL | RADARR_URL) url[${k%_URL}]=$v ;;
                PROWLARR_API_KEY_FILE | SONARR_API_KEY_FILE | RADARR_API_KEY_FILE)
                    key[${k%_API_KEY_FILE}]=$(head -n 1 "$v") ;;
            esac
        done < <(/usr/bin/python3 -c '
import shlex, sys
for line in open(sys.argv[1]):
    k, _, v = line.removeprefix("export ").rstrip("\n").partition("=")
    print(k + "\t" + "".join(shlex.split(v)))' "$work/stack.env")
        ok "fake apps on loopback: $(for a in "${!url[@]}"; do printf '%s=%s ' "$a" "${url[$a]}"; done)"
    else
        fail "fake apps started ($stack start)" "$(tail -n 20 "$work/stack.log")"
        finish
    fi
else
    printf 'note  %s is not there yet: no fake apps, so no converge run\n' "$stack"
fi

# Secret volume: one <app>-api-key file per app.
secret_files=()
for app in "${!key[@]}"; do
    name=$(tr 'A-Z_' 'a-z-' <<<"$app")-api-key
    printf '%s\n' "${key[$app]}" >"$work/$name"
    secret_files+=("$name=$work/$name")
done
[[ ${#secret_files[@]} -gt 0 ]] || { printf 'x\n' >"$work/none"; secret_files=(placeholder=$work/none); }
volume "$work/vol/secrets" 0440 "${secret_files[@]}"
# ConfigMap volume: an override directory from a rendered ConfigMap's data.
overrides() { # overrides RENDERED.yaml: (re)fills $work/vol/overrides
    local data=$work/vol/overrides-data
    rm -rf "$data" "${work:?}"/vol/overrides/* "$work"/vol/overrides/..?*
    /usr/bin/python3 - "$1" "$data" <<'EOF'
import os, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
os.makedirs(sys.argv[2])
for d in docs:
    if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("starrhost-overrides"):
        for k, v in (d.get("data") or {}).items():
            open(os.path.join(sys.argv[2], k), "w").write(v)
EOF
    local files=() f
    for f in "$data"/*; do files+=("$(basename "$f")=$f"); done
    volume "$work/vol/overrides" 0444 "${files[@]}"
}
overrides "$rendered"

# No shell is needed at run time: take them out of this copy of the image.
rm -f "$root"/bin/sh "$root"/bin/bash "$root"/bin/dash "$root"/usr/bin/sh "$root"/usr/bin/bash "$root"/usr/bin/dash
ro_note="read-only root"
for m in $mounts; do mkdir -p "$root$m"; done
# The root first (read-only), then the volumes on top of it.
if mount --bind "$root" "$root" 2>"$work/mount.log" && mount -o remount,bind,ro "$root" 2>>"$work/mount.log"; then
    mount --bind "$work/vol/secrets" "$root$secrets_dir" &&
        mount --bind "$work/vol/overrides" "$root$overrides_dir" &&
        mount -t tmpfs -o size=16m,mode=1777 tmpfs "$root/tmp" || { fail "mount the pod's volumes"; finish; }
else
    umount -R "$root" 2>/dev/null
    ro_note="root NOT read-only (mount refused: $(head -n 1 "$work/mount.log")): volumes copied into place"
    cp -a "$work/vol/secrets/." "$root$secrets_dir/"
    cp -a "$work/vol/overrides/." "$root$overrides_dir/"
fi
if touch "$root/usr/.w" 2>/dev/null; then
    rm -f "$root/usr/.w"
    fail "the root is mounted read-only" "$ro_note"
else
    ok "the root is mounted read-only, without shells; secrets, overrides (..data symlinks) and /tmp mounted on it"
fi

# -- runs ----------------------------------------------------------------------------
# run_image LOG ARGS...: the Job's environment, URLs swapped for the fakes'.
run_image() {
    local log=$1
    shift
    local env=(PATH=/usr/bin:/bin HOME=/tmp)
    local kv name
    for kv in "${job_env[@]}"; do
        name=${kv%%=*}
        if [[ $name == *_URL && -n ${url[${name%_URL}]:-} ]]; then
            env+=("$name=${url[${name%_URL}]}")
        elif [[ $name == *_URL ]]; then
            continue  # an app the fake stack does not run
        else
            env+=("$kv")
        fi
    done
    /usr/bin/python3 - "$log" "$root" "$uid:$gid" "${env[@]}" -- "$@" <<'EOF'
import os, resource, shutil, subprocess, sys, time
log, root, user = sys.argv[1:4]
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
rest = sys.argv[4:]
sep = rest.index("--")
env = dict(kv.split("=", 1) for kv in rest[:sep])
args = rest[sep + 1:]
t = time.monotonic()
with open(log, "w") as out:
    rc = subprocess.call([CHROOT, f"--userspec={user}", root] + args, env=env, stdout=out,
                         stderr=subprocess.STDOUT, cwd="/")
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(log + ".stats", "w") as f:
    f.write(f"{rc} {time.monotonic() - t:.2f} {ru.ru_maxrss}\n")
sys.exit(rc)
EOF
}

run_image "$work/version.log" /usr/bin/starrhost version
rc=$?
if [[ $rc -eq 0 ]] && grep -q "starrhost $(cat VERSION)" "$work/version.log"; then
    ok "starrhost version as $uid:$gid: $(cat "$work/version.log")"
else
    fail "starrhost version as $uid:$gid" "exit $rc: $(cat "$work/version.log")"
fi

if [[ ${#url[@]} -gt 0 ]]; then
    writes() { # writes so far, from the fakes' request logs
        cat "$work"/stack/*.log 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(sum(1 for l in sys.stdin if l.strip() and json.loads(l).get("write")))'
    }
    w0=$(writes)
    run_image "$work/run1.log" /usr/bin/starrhost "${args[@]}"
    rc=$?
    read -r _ secs rss <"$work/run1.log.stats"
    w1=$(writes)
    if [[ $rc -eq 0 ]]; then
        ok "first run converges: exit 0, $((w1 - w0)) writes, ${secs}s, max RSS ${rss} KiB"
    else
        fail "first run converges" "exit $rc; args: ${args[*]}$(printf '\n')$(tail -n 30 "$work/run1.log")"
    fi
    if /usr/bin/python3 "$here/fake-verify.py" "${url[PROWLARR]}" "${key[PROWLARR]}" \
        "${url[SONARR]}" "${key[SONARR]}" "${url[RADARR]}" "${key[RADARR]}" >"$work/verify.log" 2>&1; then
        ok "the fakes are configured: $(tr '\n' ' ' <"$work/verify.log")"
    else
        fail "the fakes are configured" "$(cat "$work/verify.log")"
    fi
    run_image "$work/run2.log" /usr/bin/starrhost "${args[@]}"
    rc=$?
    read -r _ secs rss <"$work/run2.log.stats"
    w2=$(writes)
    if [[ $rc -eq 0 && $w2 -eq $w1 ]]; then
        ok "second run: exit 0, zero writes, ${secs}s, max RSS ${rss} KiB"
    else
        fail "second run: exit 0, zero writes" "exit $rc, $((w2 - w1)) writes$(printf '\n')$(tail -n 30 "$work/run2.log")"
    fi
    # An overlay's override script, through the ConfigMap mount: the
    # patch-script overlay's sonarr.lua; the same stack converges, no writes.
    "$here/kubectl.sh" kustomize deploy/overlays/patch-script >"$work/patch-script.yaml" &&
        overrides "$work/patch-script.yaml"
    run_image "$work/run3.log" /usr/bin/starrhost "${args[@]}"
    rc=$?
    w3=$(writes)
    if [[ $rc -eq 0 && $w3 -eq $w2 && -L $work/vol/overrides/sonarr.lua ]]; then
        ok "with deploy/overlays/patch-script's sonarr.lua mounted: exit 0, zero writes"
    else
        fail "with deploy/overlays/patch-script's sonarr.lua mounted" "exit $rc, $((w3 - w2)) writes$(printf '\n')$(tail -n 30 "$work/run3.log")"
    fi
    # ... and it is that file that is loaded: a broken one stops the run
    # (exit 2, nothing written, the file named).
    printf 'return {\n' >"$work/vol/overrides/..data/sonarr.lua"
    run_image "$work/run4.log" /usr/bin/starrhost "${args[@]}"
    rc=$?
    if [[ $rc -eq 2 && $(writes) -eq $w3 ]] && grep -q "$overrides_dir/sonarr.lua" "$work/run4.log"; then
        ok "a broken override is the file loaded: exit 2, nothing written, $overrides_dir/sonarr.lua named"
    else
        fail "a broken override is the file loaded" "exit $rc$(printf '\n')$(tail -n 10 "$work/run4.log")"
    fi
    if grep -qF -f <(printf '%s\n' "${key[@]}") "$work"/run*.log; then
        fail "no API key in the output"
    else
        ok "no API key in the output"
    fi
fi
left=$(cd "$root/tmp" && find . -mindepth 1 | head -n 5 | tr '\n' ' ')
printf 'note  files the runs left in /tmp: %s\n' "${left:-none}"
printf 'note  image-test took %ds\n' $(($(date +%s) - start))
finish
