# An empty script directory: say what is missing and how to fix it.
mkdir scripts
sh_run run --scripts scripts
