-- Two applications with one name; Lidarr enabled by the file without a URL.
return {
  lidarr = { api_key = "x" },
  prowlarr = { applications = { sonarr = { name = "Media" }, radarr = { name = "media" } } },
}
