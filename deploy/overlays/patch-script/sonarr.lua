-- Override of scripts/sonarr.lua (an example). In this cluster Sonarr's
-- import lists and metadata are managed by hand, so starrhost neither reads
-- nor manages them: the two kinds are left out of the list below, and a
-- config file that sets sonarr.import_lists or sonarr.metadata is rejected
-- (exit 2) instead of being half-applied. The rest is the built-in script.
return require("servarr").define{
  name = "sonarr", display = "Sonarr", api = "v3",
  kinds = { "download_clients", "indexers", "notifications" },
}
