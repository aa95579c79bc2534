# --scripts directories win file by file over STARRHOST_SCRIPTS; a Kubernetes
# ConfigMap mount (a symlink farm under ..data) works as an override directory.
mkdir builtin envdir cm cm/..2026_11_30
echo 'return { who = "builtin" }' >builtin/a.lua
echo 'return { who = "builtin" }' >builtin/b.lua
echo 'return { who = "builtin" }' >builtin/c.lua
echo 'return { who = "envdir" }' >envdir/c.lua
cat >builtin/main.lua <<'LUA'
for _, m in ipairs({ "a", "b", "c" }) do print(m, require(m).who) end
return 0
LUA
echo 'return { who = "configmap" }' >cm/..2026_11_30/a.lua
ln -s ..2026_11_30 cm/..data
ln -s ..data/a.lua cm/a.lua
STARRHOST_SCRIPTS=$T/envdir:$T/builtin sh_run run --scripts cm
