-- A kind added to kinds.lua for Sonarr only.
return {
  sonarr = { extra_clients = { { name = "Extra", implementation = "QBittorrent", enable = false } } },
}
