-- Override of scripts/sonarr.lua (an example of patching one script). In this
-- cluster Sonarr's import lists and metadata are managed by hand, so starrhost
-- is told to leave them alone: the two kinds are left out of the list below
-- and are neither read nor written, whatever a config file says about them.
-- Everything else is the built-in script.
return require("servarr").define{
  name = "sonarr", display = "Sonarr", api = "v3",
  kinds = { "download_clients", "indexers", "notifications" },
}
