-- Remote path mappings and delay profiles (issue 15). E2E_PRUNE=1 prunes both.
local prune = env("E2E_PRUNE") == "1"
return {
  sonarr = {
    remote_path_mappings = {
      { host = "qbittorrent", remote_path = "/downloads/", local_path = "/data/downloads/" },
      { host = "sabnzbd", remotePath = "/incomplete/", localPath = "/data/usenet/" },
    },
    delay_profiles = {
      { torrent_delay = 10 },  -- the profile without tags
      { tags = { "anime" }, preferred_protocol = "torrent", torrent_delay = 60 },
      { tags = { "4k", "remux" }, usenet_delay = 120 },
    },
    prune = { remote_path_mappings = prune, delay_profiles = prune },
  },
  radarr = {
    remote_path_mappings = { { host = "qbittorrent", remote_path = "/downloads/", local_path = "/movies/" } },
  },
}
