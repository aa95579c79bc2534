-- The instance types: their names, in the order instances are run (Prowlarr
-- last, so its applications point at apps already set up), and the loader
-- that checks the shape of a type module. Adding a type is a module
-- (sonarr.lua is the example) and its name here.
local M = {}

M.NAMES = { "sonarr", "radarr", "lidarr", "readarr", "prowlarr" }

-- Type modules return a table of this shape; the loader says what is missing.
local SHAPE = { name = "string", display = "string", api = "string", family = "string", kinds = "table",
  plan = "function", apply = "function" }
-- kinds: the descriptors it manages; known_kinds (optional, default kinds):
-- those its config may name.

function M.is_type(name)
  for _, n in ipairs(M.NAMES) do
    if n == name then return true end
  end
  return false
end

-- Position of type NAME in the run order.
function M.rank(name)
  for i, n in ipairs(M.NAMES) do
    if n == name then return i end
  end
  return #M.NAMES + 1
end

-- The module of type NAME; raises with file and reason when it is broken.
function M.load(name)
  local mod = require(name)
  if type(mod) ~= "table" then
    error(string.format("%s.lua must return a table, got %s", name, type(mod)), 0)
  end
  for _, key in ipairs({ "name", "display", "api", "family", "kinds", "plan", "apply" }) do
    local want = SHAPE[key]
    if type(mod[key]) ~= want then
      error(string.format("%s.lua: field %q must be a %s, got %s", name, key, want, type(mod[key])), 0)
    end
  end
  if mod.name ~= name then
    error(string.format("%s.lua: name is %q, expected %q", name, mod.name, name), 0)
  end
  return mod
end

return M
