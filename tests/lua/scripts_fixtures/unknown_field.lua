return {
  sonarr = {
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent", fields = { hots = "qbittorrent", port = 8080 } },
      { name = "Other", implementation = "QBittorent", fields = {} },
    },
  },
}
