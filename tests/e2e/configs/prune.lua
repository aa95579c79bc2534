-- e2e: prune download clients and indexers in Sonarr; Prowlarr's indexers stay.
local helper = env("E2E_HELPER_PORT")
return {
  sonarr = {
    download_clients = {
      { name = "Kept", implementation = "QBittorrent", fields = { host = "127.0.0.1", port = tonumber(helper) } },
    },
    indexers = {},
    prune = { download_clients = true, indexers = true },
  },
}
