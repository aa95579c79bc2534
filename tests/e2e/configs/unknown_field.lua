-- e2e: a misspelt field name: exit 2, nothing written.
return {
  sonarr = {
    root_folders = { "/tv" },
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent", fields = { hots = "127.0.0.1" } },
    },
  },
}
