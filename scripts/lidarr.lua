-- Lidarr (API v1): root folders also need name and profile ids (pass them in
-- the root folder table: { path = "/music", name = "Music", defaultQualityProfileId = 1, ... }).
return require("servarr").define{
  name = "lidarr", display = "Lidarr", api = "v1",
  kinds = { "download_clients", "indexers", "notifications", "import_lists", "metadata" },
}
