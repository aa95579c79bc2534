-- Sonarr v4 (API v3): root folders, download clients, indexers, notifications,
-- import lists, metadata; the Prowlarr application "Sonarr" points here.
return require("servarr").define{
  name = "sonarr", display = "Sonarr", api = "v3",
  kinds = { "download_clients", "indexers", "notifications", "import_lists", "metadata" },
}
