-- Radarr v5 (API v3): the servarr kinds, as Sonarr.
return require("servarr").define{ name = "radarr", display = "Radarr", api = "v3" }
