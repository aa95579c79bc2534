-- Sonarr v4 (API v3): the servarr kinds (kinds.lua); the Prowlarr
-- application implementation "Sonarr" points here.
return require("servarr").define{ name = "sonarr", display = "Sonarr", api = "v3" }
