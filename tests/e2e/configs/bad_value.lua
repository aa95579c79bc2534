-- e2e: a value of the wrong kind: exit 2 before any request.
return {
  sonarr = {
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent", enable = "yes", priority = 0 },
    },
  },
}
