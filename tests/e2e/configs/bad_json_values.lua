-- e2e: values JSON cannot carry, after a valid item: a password that is not
-- UTF-8 and a value nested 5,000 deep. plan and run: exit 2, nothing written.
local deep = {}
local at = deep
for _ = 1, 5000 do
  at[1] = {}
  at = at[1]
end
return {
  sonarr = {
    download_clients = {
      { name = "Valid", implementation = "QBittorrent", enable = false, fields = { host = "127.0.0.1" } },
      { name = "Bad password", implementation = "QBittorrent", enable = false,
        fields = { host = "127.0.0.1", password = secret("bad-password") } },
    },
    notifications = {
      { name = "Deep", implementation = "Webhook", fields = { url = "http://127.0.0.1:1/", headers = deep } },
    },
  },
}
