-- starrhost configuration (DESIGN section 5): a Lua chunk returning a table.
-- URLs come from the Job's environment; secrets from the mounted Secret.
-- luacheck: read globals env secret
return {
  wait = { timeout = 300 },
  prowlarr = {
    url = env("PROWLARR_URL"),
    api_key = secret("prowlarr-api-key"),
    applications = { sonarr = { sync_level = "fullSync" }, radarr = { sync_level = "fullSync" } },
  },
  sonarr = {
    url = env("SONARR_URL"),
    api_key = secret("sonarr-api-key"),
    root_folders = { "/tv" },
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent", enable = true,
        fields = { host = "qbittorrent", port = 8080, username = "admin",
                   password = secret("qbittorrent-password"), tvCategory = "tv" } },
    },
  },
  radarr = {
    url = env("RADARR_URL"),
    api_key = secret("radarr-api-key"),
    root_folders = { "/movies" },
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent", enable = true,
        fields = { host = "qbittorrent", port = 8080, username = "admin",
                   password = secret("qbittorrent-password"), movieCategory = "radarr" } },
    },
  },
}
