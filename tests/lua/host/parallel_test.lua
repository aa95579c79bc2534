-- host.parallel without the network: tasks, sleeps, errors, arguments. The
-- transfers themselves are tested against the loopback fixture
-- (tests/http/http_test.lua).
local t = require "host.test"
local host = require "host"

t.test("a task runs while another one sleeps, and parallel returns when all ended", function()
  local order = {}
  host.parallel{
    function()
      order[#order + 1] = "a1"
      host.sleep(0.05)
      order[#order + 1] = "a2"
    end,
    function() order[#order + 1] = "b1" end,
  }
  t.eq(order, { "a1", "b1", "a2" })
end)

t.test("sleeps of several tasks run at the same time", function()
  -- Each task notes when the other one's sleep ended: both sleeps were
  -- under way before either ended.
  local began, ended = {}, {}
  host.parallel({ 1, 2 }, function(i)
    began[i] = host.now()
    host.sleep(0.1)
    ended[i] = host.now()
  end)
  t.ok(began[2] < ended[1] and began[1] < ended[2], "the two sleeps overlap")
end)

t.test("with a function, each item and its index are its arguments", function()
  local seen = {}
  host.parallel({ "x", "y" }, function(item, i) seen[#seen + 1] = item .. i end)
  t.eq(seen, { "x1", "y2" })
  host.parallel({}, function() error("never called") end)
  host.parallel{}
end)

t.test("one task's error ends that task only; the first failing task's error is raised", function()
  local finished = false
  local ok, err = pcall(host.parallel, {
    function() host.sleep(0.02); error("second", 0) end,
    function() host.sleep(0.04); finished = true end,
    function() error({ code = 7 }) end,
  })
  t.eq(ok, false)
  t.eq(finished, true)
  t.eq(err, "second")
  ok, err = pcall(host.parallel, { function() error({ code = 7 }) end })
  t.eq(ok, false)
  t.eq(err.code, 7)
end)

t.test("tasks cannot be nested, and every item must be a function", function()
  t.raises(function() host.parallel{ function() host.parallel{} end } end, "do not nest")
  t.raises(function() host.parallel{ function() end, 3 } end, "item 2 is a number, expected a function")
  t.raises(function() host.parallel("x") end, "table expected")
  t.raises(function() host.parallel({}, 3) end, "function expected")
  -- The scheduler is free again after each of those.
  local ran = false
  host.parallel{ function() ran = true end }
  t.eq(ran, true)
end)

t.test("a bare coroutine.yield in a task is an error of that task", function()
  t.raises(function() host.parallel{ function() coroutine.yield(1) end } end, "yielded to no one")
end)

t.test("a coroutine of the script's own keeps working inside a task", function()
  local got
  host.parallel{
    function()
      local gen = coroutine.wrap(function()
        host.sleep(0.001) -- cannot give way to other tasks here: it blocks
        coroutine.yield("one")
        coroutine.yield("two")
      end)
      got = { gen(), gen() }
    end,
  }
  t.eq(got, { "one", "two" })
end)

t.test("pcall inside a task can still wait", function()
  local order = {}
  host.parallel{
    function()
      local ok = pcall(function() host.sleep(0.02); order[#order + 1] = "slept"; error("x") end)
      order[#order + 1] = ok and "ok" or "caught"
    end,
    function() order[#order + 1] = "other" end,
  }
  t.eq(order, { "other", "slept", "caught" })
end)

t.test("the memory cap stops the task that exceeds it, not the others", function()
  local finished = false
  local ok, err = pcall(host.parallel, {
    function() return #string.rep("x", 1024 * 1024 * 1024) end,
    function() host.sleep(0.01); finished = true end,
  })
  t.eq(ok, false)
  t.match(tostring(err), "not enough memory")
  t.eq(finished, true)
end)
