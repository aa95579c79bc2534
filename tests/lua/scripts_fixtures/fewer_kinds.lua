-- Sonarr items of kinds an override may leave out (download clients, root
-- folders) and of one it keeps (indexers).
return {
  sonarr = {
    root_folders = { "/tv" },
    download_clients = { { name = "qBittorrent", implementation = "QBittorrent", fields = { host = "qb" } } },
    indexers = { { name = "MyTorznab", implementation = "Torznab", fields = { baseUrl = "http://jackett/" } } },
  },
}
