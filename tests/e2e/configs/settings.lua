-- Settings of Sonarr and Prowlarr (issue 15): only these properties are managed.
return {
  sonarr = {
    settings = {
      host = { authentication_method = "forms", authentication_required = "enabled", username = "admin",
               password = secret("sonarr-ui-password") },
      naming = { rename_episodes = true,
                 standard_episode_format = "{Series Title} - S{season:00}E{episode:00} - {Episode Title}" },
      media_management = { recycle_bin_cleanup_days = 14, chmodFolder = "775" },
      download_client = { enableCompletedDownloadHandling = true },
      indexer = { rss_sync_interval = tonumber(env("E2E_RSS_INTERVAL", "30")) },
      ui = { first_day_of_week = 1, theme = "dark" },
    },
  },
  prowlarr = {
    settings = { ui = { theme = "dark" }, development = { log_rotate = 20 } },
  },
}
