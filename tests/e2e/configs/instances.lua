-- e2e: a second Sonarr ("sonarr-4k") beside Sonarr and Radarr, declared by this
-- file alone; its URL and key come from SONARR_4K_URL and SONARR_4K_API_KEY_FILE.
-- Only the 4K instance has a download client and a root folder.
local helper = env("E2E_HELPER_PORT")
return {
  wait = { timeout = 30 },
  ["sonarr-4k"] = {
    type = "sonarr",
    root_folders = { "/data" },
    download_clients = {
      { name = "qBittorrent 4K", implementation = "QBittorrent",
        fields = { host = "127.0.0.1", port = tonumber(helper), username = "admin",
                   password = secret("qbittorrent-password"), tvCategory = "tv-4k" } },
    },
  },
  prowlarr = { applications = { ["sonarr-4k"] = { name = "Sonarr 4K" } } },
}
