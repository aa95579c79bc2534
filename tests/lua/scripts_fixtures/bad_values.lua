return {
  wait = { timeout = -1 },
  sonarr = {
    url = "sonarr:8989",
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent", fields = { port = "eighty" }, tags = { "TV Shows" } },
      { name = "qbittorrent", implementation = "QBittorrent", enable = "yes" },
      { implementation = "QBittorrent" },
    },
    indexer = {},
  },
  prowlarr = { applications = { sonarr = { sync_level = "full" } } },
  api_key = secret("missing-secret"),
}
