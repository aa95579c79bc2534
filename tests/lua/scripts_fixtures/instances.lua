-- Two Sonarr instances and Radarr; the 4K one named by the file, its URL and
-- key from SONARR_4K_URL and the secret sonarr-4k-api-key.
return {
  ["sonarr-4k"] = {
    type = "sonarr",
    download_clients = {
      { name = "qBittorrent 4K", implementation = "QBittorrent",
        fields = { host = "qbittorrent", password = secret("qbittorrent-password") } },
    },
  },
  prowlarr = { applications = { ["sonarr-4k"] = { name = "Sonarr 4K" } } },
}
