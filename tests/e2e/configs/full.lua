-- e2e: download clients, root folders, tags, a proxy and a notification.
-- E2E_HELPER_PORT is the rig's stand-in for qBittorrent, webhooks and FlareSolverr.
local helper = env("E2E_HELPER_PORT")
return {
  wait = { timeout = 30 },
  sonarr = {
    root_folders = { "/tv" },
    tags = { "tv" },
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent",
        fields = { host = "127.0.0.1", port = tonumber(helper), username = "admin",
                   password = secret("qbittorrent-password"), tvCategory = "tv" },
        tags = { "tv" } },
    },
    -- Disabled: enabling makes the app query the feed, which this rig does not serve.
    indexers = {
      { name = "Jackett", implementation = "Torznab", enable = false, priority = 10,
        fields = { baseUrl = "http://127.0.0.1:" .. helper .. "/torznab", categories = { 5000, 5030 } } },
    },
    notifications = {
      { name = "Hook", implementation = "Webhook", onGrab = true,
        fields = { url = "http://127.0.0.1:" .. helper .. "/hook" } },
    },
  },
  radarr = {
    root_folders = { "/movies" },
    download_clients = {
      { name = "qBittorrent", implementation = "QBittorrent",
        fields = { host = "127.0.0.1", port = tonumber(helper), username = "admin",
                   password = secret("qbittorrent-password"), movieCategory = "movies" } },
    },
  },
  prowlarr = {
    indexers = {
      -- Prowlarr's template says appProfileId 0, which its validator refuses:
      -- a fresh install's "Standard" profile is id 1.
      { name = "Extra", implementation = "Torznab", enable = false, appProfileId = 1,
        fields = { baseUrl = "http://127.0.0.1:" .. helper .. "/torznab" } },
    },
    indexer_proxies = {
      { name = "FlareSolverr", implementation = "FlareSolverr",
        fields = { host = "http://127.0.0.1:" .. helper .. "/" }, tags = { "flare" } },
    },
  },
}
