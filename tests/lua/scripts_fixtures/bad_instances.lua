-- Every way to get an instance declaration wrong, at once.
return {
  ["Sonarr-UHD"] = { type = "sonarr" },
  films = { type = "radar" },
  sonar = {},
  ["sonarr-4k"] = { type = "sonarr" },
  copy = { type = "sonarr", url = "http://sonarr.test/" },
  indexers = { type = "prowlarr", url = "http://p2:9696", api_key = "k" },
  prowlarr = { applications = { ["sonarr-8k"] = {}, ["sonarr-4k"] = { name = "Sonarr" } } },
}
