-- Lua 5.4 with the host's sandbox: no io, no debug, no loadlib.
std = "lua54"
max_line_length = 110
-- host.* modules are required, never globals; scripts declare nothing global.
allow_defined_top = false
files["tests"] = { max_line_length = false }
-- Config files (the --config chunk) see secret() and env() as their globals.
files["tests/lua/scripts_fixtures"] = { read_globals = { "secret", "env" } }
files["tests/e2e"] = { read_globals = { "secret", "env" } }
