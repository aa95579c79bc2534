-- A kind added to kinds.lua for Sonarr only: valid there, unknown in Radarr.
return {
  sonarr = { extra_clients = { { name = "Extra", implementation = "QBittorrent", enable = false } } },
  radarr = { extra_clients = {} },
}
