-- A tagged Prowlarr application.
return { prowlarr = { applications = { sonarr = { tags = { "tv" } } } } }
