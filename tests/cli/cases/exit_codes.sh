# main.lua returns the exit code; anything else is a script error.
mkdir s
for v in 0 1 3 4 7 '"four"'; do
  printf 'return %s\n' "$v" >s/main.lua
  sh_run run --scripts s
done
printf 'local x = 1\n' >s/main.lua
sh_run run --scripts s
