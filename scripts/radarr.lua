-- Radarr v5 (API v3): same resource kinds as Sonarr.
return require("servarr").define{
  name = "radarr", display = "Radarr", api = "v3",
  kinds = { "download_clients", "indexers", "notifications", "import_lists", "metadata" },
}
