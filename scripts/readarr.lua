-- Readarr (API v1): the servarr kinds.
return require("servarr").define{ name = "readarr", display = "Readarr", api = "v1" }
