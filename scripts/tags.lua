-- Tag labels <-> ids of one app: read once, created on demand (POST /tag
-- returns the existing tag on an exact label, so a retry cannot duplicate).
local json = require "host.json"
local log = require "host.log"
local util = require "util"

local M = {}

local function state(app)
  app.tag_state = app.tag_state or { by_label = {}, by_id = {}, loaded = false }
  return app.tag_state
end

local function remember(st, tag)
  if type(tag) == "table" and tag.id and type(tag.label) == "string" then
    st.by_label[tag.label:lower()] = tag.id
    st.by_id[tag.id] = tag.label:lower()
  end
end

function M.load(app)
  local st = state(app)
  if st.loaded then return true end
  local list, err = app.client:get("tag")
  if not list then return nil, err end
  for _, t in ipairs(util.list(list)) do remember(st, t) end
  st.loaded = true
  return true
end

-- Labels of tag ids, for comparing and showing ("#7" when unknown).
function M.labels(app, ids)
  local st = state(app)
  local out = {}
  for i, id in ipairs(util.list(ids)) do out[i] = st.by_id[id] or ("#" .. tostring(id)) end
  table.sort(out)
  return out
end

function M.missing(app, labels)
  local st = state(app)
  local out = {}
  for _, l in ipairs(labels or {}) do
    if not st.by_label[l] then out[#out + 1] = l end
  end
  return out
end

-- Export: every tag label the app has (the instance's `tags`), sorted;
-- nil when it has none. tags.load must have run.
function M.export(app)
  local labels = {}
  for label in pairs(state(app).by_label) do labels[#labels + 1] = label end
  table.sort(labels)
  if #labels == 0 then return nil end
  return labels
end

-- Ids for LABELS, creating the missing tags. Returns a JSON array or nil, err.
function M.ids(app, labels, report)
  local st = state(app)
  local ids = {}
  for _, label in ipairs(labels or {}) do
    local id = st.by_label[label]
    if not id then
      local res, err = app.client:send("POST", "tag", { label = label }, nil, { retry = true })
      if not res then return nil, tostring(err.message) end
      if res.status < 200 or res.status > 299 or type(res.data) ~= "table" then
        return nil, string.format("creating tag %q: HTTP %d", label, res.status)
      end
      remember(st, res.data)
      id = res.data.id
      log.info("created tag %q (id %s)", label, tostring(id))
      if report then report:count(app.name, "tag", "created") end
    end
    ids[#ids + 1] = id
  end
  return json.array(ids)
end

return M
