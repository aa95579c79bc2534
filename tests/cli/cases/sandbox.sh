# What scripts can and cannot reach.
mkdir s
cat >s/main.lua <<'LUA'
local names = { "io", "debug", "dofile", "loadfile", "require", "load", "string", "utf8",
  "coroutine", "math", "table" }
for _, n in ipairs(names) do print(n, type(rawget(_G, n))) end
print("os", os.execute, os.exit, os.remove, type(os.time), type(os.getenv))
print("package", package.loadlib, package.searchpath, package.cpath == "", package.path == "")
print("bytecode", select(2, load(string.dump(function() end))))
print("C module", select(2, pcall(require, "socket")))
print("dotted", select(2, pcall(require, "a.b")))
print("global read", select(2, pcall(function() return undefined_thing end)))
print("global write", select(2, pcall(function() leaked = 1 end)))
return 0
LUA
sh_run run --scripts s
