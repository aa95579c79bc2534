-- Lookups of a profile id by name (DESIGN section 10): where the API wants
-- qualityProfileId, languageProfileId, metadataProfileId or Prowlarr's
-- appProfileId (also Lidarr's and Readarr's root-folder
-- defaultQualityProfileId, defaultMetadataProfileId), the config may give the
-- profile's name under the property's name without "Id" (quality_profile =
-- "HD-1080p"). The engines resolve names while planning: an unknown one is a
-- config problem listing the names the app has, before the first write.
local util = require "util"

local M = {}

M.LOOKUPS = {
  qualityProfile = { path = "qualityprofile", label = "quality profile" },
  languageProfile = { path = "languageprofile", label = "language profile" },
  metadataProfile = { path = "metadataprofile", label = "metadata profile" },
  appProfile = { path = "appprofile", label = "app profile" },
}

-- The id property and the lookup config key K names, or nil.
function M.lookup_of(k)
  if type(k) ~= "string" then return nil end
  local c = util.camel(k)
  for base, l in pairs(M.LOOKUPS) do
    if c == base or c == "default" .. base:sub(1, 1):upper() .. base:sub(2) then return c .. "Id", l end
  end
  return nil
end

-- The config check of the names in ITEM (a table of properties).
function M.check(item, path, problems)
  for k, v in pairs(item) do
    if M.lookup_of(k) and (type(v) ~= "string" or util.trim(v) == "") then
      problems:add(path .. "." .. k, "expected a profile name (a string), got %s", tostring(v))
    end
  end
end

-- ITEM with each profile name replaced by the id property; READ(path) reads
-- a collection (the engine's, cached per run). Problems go to
-- run:problem(WHERE.<key>, ...). A read that fails is returned as nil, err.
function M.resolve(run, item, where, read, app_name)
  local out
  for _, k in ipairs(util.sorted_keys(item)) do
    local prop, l = M.lookup_of(k)
    if prop then
      out = out or util.copy(item)
      out[k] = nil
      local list, err = read(l.path)
      if not list then return nil, err end
      local want, names = item[k]:lower(), {}
      for _, p in ipairs(util.list(list)) do
        if type(p) == "table" and type(p.name) == "string" then
          names[#names + 1] = p.name
          if p.name:lower() == want then out[prop] = p.id end
        end
      end
      if out[prop] == nil then
        run:problem(where .. "." .. k, "unknown %s %q (%s has: %s)", l.label, item[k], app_name,
          #names > 0 and util.suggest(item[k], names) or "none")
      end
    end
  end
  return out or item
end

-- Export: the config key and profile name for id property PROP (as
-- "appProfileId") holding ID, when PROP is a lookup and READ(path) finds the
-- profile: "app_profile", "Standard". nil otherwise (the id is kept).
function M.name_of(read, prop, id)
  if type(prop) ~= "string" or not prop:match("Id$") then return nil end
  local base = prop:sub(1, -3)
  local p, l = M.lookup_of(base)
  if p ~= prop then return nil end
  for _, row in ipairs(util.list(read(l.path))) do
    if type(row) == "table" and row.id == id and type(row.name) == "string" then
      return (base:gsub("%u", function(c) return "_" .. c:lower() end)), row.name
    end
  end
  return nil
end

-- The first profile of lookup L (a new Prowlarr indexer's appProfileId: the
-- template's 0 is refused by the app's validator): its id and name, or nil.
function M.first(read, l)
  local list = read(l.path)
  local best
  for _, p in ipairs(util.list(list)) do
    if type(p) == "table" and math.type(p.id) == "integer" and (not best or p.id < best.id) then best = p end
  end
  return best
end

return M
