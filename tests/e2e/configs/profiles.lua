-- Prowlarr indexers by definition, app profiles by name (issue 15).
return {
  prowlarr = {
    indexers = {
      { name = "1337x", definition = "1337x", enable = false },
      { name = "1337x (Standard)", definition = "1337x", enable = false,
        app_profile = env("E2E_APP_PROFILE", "Standard") },
    },
  },
}
