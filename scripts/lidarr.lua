-- Lidarr (API v1): the servarr kinds. Root folders also need name and
-- profile ids (pass them in the root folder table:
-- { path = "/music", name = "Music", defaultQualityProfileId = 1, ... }).
return require("servarr").define{ name = "lidarr", display = "Lidarr", api = "v1" }
