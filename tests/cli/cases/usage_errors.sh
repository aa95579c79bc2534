# A bad option, a missing value, a missing script directory, an unknown command.
sh_run run --bogus
sh_run run --scripts
sh_run run --scripts "$T/missing"
sh_run frobnicate
sh_run run --timeout -3
sh_run run --only 'Sonarr;rm'
sh_run
