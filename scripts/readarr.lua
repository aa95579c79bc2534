-- Readarr (API v1): same engine as Lidarr.
return require("servarr").define{
  name = "readarr", display = "Readarr", api = "v1",
  kinds = { "download_clients", "indexers", "notifications", "import_lists", "metadata" },
}
