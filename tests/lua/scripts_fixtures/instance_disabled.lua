-- The file disables an instance the environment declares.
return { ["sonarr-4k"] = false }
