-- The checks of configured values that config.lua and every engine's
-- check() share: a list of problems (one message each, with the config path),
-- unknown keys with the nearest valid ones, tag labels, URLs, secrets that
-- could not be read.
local util = require "util"

local M = {}

local Problems = {}
Problems.__index = Problems

function M.new_problems()
  return setmetatable({ list = {} }, Problems)
end

function Problems:add(path, fmt, ...)
  self.list[#self.list + 1] = path .. ": " .. string.format(fmt, ...)
end

-- A missing secret keeps evaluating the file so every problem is reported.
M.MISSING = setmetatable({}, { __tostring = function() return "(missing secret)" end })

function M.check_keys(t, allowed, path, problems)
  for k in pairs(t) do
    if type(k) ~= "string" then
      problems:add(path, "unexpected key %s (keys are names)", tostring(k))
    elseif allowed[k] == nil then
      local names = util.sorted_keys(allowed)
      problems:add(path, "unknown key %q (valid: %s)", k, util.suggest(k, names))
    end
  end
end

function M.is_url(v)
  return type(v) == "string" and v:match("^https?://[^/%s]+") ~= nil and not v:find("%s")
end

local TAG_PATTERN = "^[a-z0-9-]+$"

-- Tag labels, lower-cased; nil when absent or wrong.
function M.check_tags(v, path, problems)
  if v == nil then return nil end
  if type(v) ~= "table" or not util.is_list(v) then
    problems:add(path, "expected a list of tag labels, got %s", type(v))
    return nil
  end
  local out = {}
  for i, label in ipairs(v) do
    if type(label) ~= "string" or not label:lower():match(TAG_PATTERN) then
      problems:add(string.format("%s[%d]", path, i), "tag labels use a-z, 0-9 and - only, got %s",
        tostring(label))
    else
      out[#out + 1] = label:lower()
    end
  end
  return out
end

-- Every secret() in V that could not be read, by its path.
function M.check_secret_values(v, path, problems)
  if v == M.MISSING then
    problems:add(path, "secret is missing (see above)")
    return
  end
  if type(v) == "table" then
    for k, x in pairs(v) do M.check_secret_values(x, path .. "." .. tostring(k), problems) end
  end
end

return M
