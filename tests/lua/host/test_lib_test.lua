-- The test library tested with itself: a failed comparison names the path,
-- shows both sides and points at the caller's line.
local t = require "host.test"

t.describe("eq", function()
  t.it("passes on deeply equal tables", function()
    t.eq({ a = { 1, 2, { b = "x" } } }, { a = { 1, 2, { b = "x" } } })
  end)

  t.it("reports the path, both sides and the caller's line", function()
    local msg = t.raises(function()
      t.eq({ fields = { { value = 1 }, { value = 2 } } }, { fields = { { value = 1 }, { value = 3 } } })
    end)
    t.match(msg, "test_lib_test%.lua:%d+: ")
    t.match(msg, "value%.fields%[2%]%.value: expected 3, got 2", "path")
    t.match(msg, "expected: {fields = %[{value = 1}, {value = 3}%]}", "expected side")
    t.match(msg, "actual:   {fields = %[{value = 1}, {value = 2}%]}", "actual side")
  end)

  t.it("tells integers from floats", function()
    local msg = t.raises(function() t.eq(8080.0, 8080) end)
    t.match(msg, "expected 8080 %(integer%), got 8080%.0 %(float%)")
  end)

  t.it("reports keys present on one side only", function()
    t.match(t.raises(function() t.eq({ a = 1, b = 2 }, { a = 1 }) end), "value%.b: unexpected value 2")
    t.match(t.raises(function() t.eq({ a = 1 }, { a = 1, b = 2 }) end), "value%.b: expected number 2, got nil")
  end)

  t.it("prefixes the caller's message", function()
    t.match(t.raises(function() t.eq(1, 2, "port") end), "port: value: expected")
  end)
end)

t.describe("other assertions", function()
  t.it("ok, is_nil, match, ne", function()
    t.ok(true)
    t.is_nil(nil)
    t.match("abc", "^a")
    t.no_match("abc", "^b")
    t.ne({ 1 }, { 2 })
    t.match(t.raises(function() t.ok(false, "custom") end), "custom")
    t.match(t.raises(function() t.is_nil(1) end), "expected nil, got 1")
    t.match(t.raises(function() t.ne(1, 1) end), "other than 1")
    t.match(t.raises(function() t.match("abc", "z") end), 'expected "abc" to match "z"')
  end)

  t.it("raises checks the pattern and returns the message", function()
    t.eq(t.raises(function() error("boom", 0) end, "^boom$"), "boom")
    t.match(t.raises(function() t.raises(function() end) end), "expected an error")
    t.match(t.raises(function() t.raises(function() error("x", 0) end, "y") end), 'matching "y"')
  end)
end)

t.test("show writes values as a reader expects", function()
  t.eq(t.show({ 1, "a", { k = true } }), '[1, "a", {k = true}]')
  t.eq(t.show(2.5), "2.5")
  t.eq(t.show(3.0), "3.0")
end)
