return { sonarr = { prune = { settings = true, remote_path_mappings = true, delay_profiles = false } } }
