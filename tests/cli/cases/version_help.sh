sh_run version
sh_run --help | head -n 2
