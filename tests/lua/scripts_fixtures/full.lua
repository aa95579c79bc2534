-- A full configuration for the scripts' run tests.
return {
  wait = { timeout = 5 },
  sonarr = {
    root_folders = { "/tv" },
    tags = { "tv" },
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent",
        fields = { host = "qbittorrent", port = 8080, username = "admin",
                   password = secret("qbittorrent-password"), tvCategory = "tv", initialState = "Stopped" },
        tags = { "tv" } },
    },
    indexers = {
      { name = "MyTorznab", implementation = "torznab", priority = 10,
        fields = { baseUrl = "http://jackett:9117/api/v2.0/indexers/x/results/torznab/",
                   apiKey = secret("jackett-api-key"), categories = { 5000, 5030 } } },
    },
  },
  radarr = { root_folders = { "/movies" } },
  prowlarr = {
    indexer_proxies = {
      { name = "FlareSolverr", implementation = "FlareSolverr", fields = { host = "http://flaresolverr:8191/" } },
    },
    applications = { radarr = { sync_level = "addOnly" } },
  },
}
