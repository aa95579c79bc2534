-- e2e: one download client the app rejects (two problems), one it accepts.
local helper = env("E2E_HELPER_PORT")
return {
  sonarr = {
    download_clients = {
      { name = "Broken", implementation = "QBittorrent",
        fields = { host = "http://qbittorrent", port = 70000, password = secret("qbittorrent-password") } },
      { name = "Good", implementation = "QBittorrent",
        fields = { host = "127.0.0.1", port = tonumber(helper), tvCategory = "tv" } },
    },
  },
}
