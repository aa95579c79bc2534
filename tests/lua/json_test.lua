-- host.json: the loss-free guarantees of DESIGN section 4 and the JSON issue.
local t = require "host.test"
local json = require "host.json"

local function roundtrip(text)
  local v, err = json.decode(text)
  t.ok(v ~= nil, err)
  local out, eerr = json.encode(v)
  t.ok(out, eerr)
  return out, v
end

local function decode_error(text, pattern)
  local v, err = json.decode(text)
  t.eq(v, nil, "decoding " .. t.show(text))
  t.match(err, pattern)
  return err
end

local function encode_error(value, pattern)
  local s, err = json.encode(value)
  t.eq(s, nil, "encoding gave " .. tostring(s))
  t.match(err, pattern)
  return err
end

t.describe("arrays and objects", function()
  t.it("keep [] and {} apart, alone and nested", function()
    t.eq(roundtrip("[]"), "[]")
    t.eq(roundtrip("{}"), "{}")
    t.eq(roundtrip('{"a":[]}'), '{"a":[]}')
    t.eq(roundtrip('{"a":{}}'), '{"a":{}}')
    t.eq(roundtrip("[[],{},[[]],[{}]]"), "[[],{},[[]],[{}]]")
    t.eq(roundtrip('{"a":{"b":{"c":[]}}}'), '{"a":{"b":{"c":[]}}}')
  end)

  t.it("mark decoded arrays, empty or not, and only arrays", function()
    t.ok(json.is_array(json.decode("[]")))
    t.ok(json.is_array(json.decode("[1,2]")))
    t.ok(json.is_array(json.decode('{"a":[]}').a))
    t.eq(json.is_array(json.decode("{}")), false)
    t.eq(json.is_array(json.decode('{"a":1}')), false)
  end)

  t.it("keep the marker when the array changes", function()
    local v = json.decode('{"tags":[]}')
    t.eq(json.encode(v), '{"tags":[]}')
    v.tags[#v.tags + 1] = 7
    t.eq(json.encode(v), '{"tags":[7]}')
    table.remove(v.tags)
    t.eq(json.encode(v), '{"tags":[]}')
  end)

  t.it("array() marks a table built in Lua, or a new one", function()
    t.eq(json.encode(json.array()), "[]")
    t.eq(json.encode(json.array({})), "[]")
    local tags = {}
    t.ok(rawequal(json.array(tags), tags), "array() returns its argument")
    t.eq(json.encode({ tags = tags }), '{"tags":[]}')
    t.eq(json.encode(json.array({ 1, 2, 3 })), "[1,2,3]")
  end)

  t.it("object() forces {} and re-marks a decoded array", function()
    t.eq(json.encode(json.object()), "{}")
    t.eq(json.encode(json.object(json.decode("[]"))), "{}")
    t.eq(json.encode(json.array(json.object({}))), "[]")
  end)

  t.it("encode an unmarked empty table as {}", function()
    t.eq(json.encode({}), "{}")
    t.eq(json.encode({ a = {} }), '{"a":{}}')
  end)

  t.it("encode unmarked sequences as arrays and string keys as objects", function()
    t.eq(json.encode({ 1, "two", true }), '[1,"two",true]')
    t.eq(json.encode({ a = 1 }), '{"a":1}')
    t.eq(json.encode({ fields = { { name = "host" }, { value = 8080 } } }),
      '{"fields":[{"name":"host"},{"value":8080}]}')
  end)

  t.it("is_array tells what encodes as an array", function()
    t.eq(json.is_array({}), false)
    t.eq(json.is_array({ 1, 2 }), true)
    t.eq(json.is_array({ 1, nil, 3 }), false)
    t.eq(json.is_array({ a = 1 }), false)
    t.eq(json.is_array(json.array()), true)
    t.eq(json.is_array(json.object({ 1 })), false)
    t.eq(json.is_array("[]"), false)
    t.eq(json.is_array(nil), false)
  end)

  t.it("refuse to mark a table that has a metatable of its own", function()
    t.raises(function() json.array(setmetatable({}, {})) end, "metatable of its own")
    t.raises(function() json.object(setmetatable({}, {})) end, "metatable of its own")
    t.raises(function() json.array("x") end, "table expected")
  end)

  t.it("protect the shared marker", function()
    t.eq(getmetatable(json.array()), "json.array")
    t.eq(getmetatable(json.object()), "json.object")
    t.raises(function() setmetatable(json.array(), {}) end, "protected metatable")
  end)
end)

t.describe("encode errors name the path", function()
  t.it("for a sparse array", function()
    local err = encode_error({ fields = { {}, {}, { name = "x", value = { 1, nil, 3 } } } },
      "sparse array")
    t.match(err, "at fields%[3%]%.value$")
  end)

  t.it("for mixed keys", function()
    local err = encode_error({ fields = { { value = { 1, 2, x = 3 } } } }, "mixes string and integer keys")
    t.match(err, "at fields%[1%]%.value$")
    encode_error({ a = 1, [1] = 2 }, "at top level$")
  end)

  t.it("for string keys in a marked array and integer keys in a marked object", function()
    local arr = json.decode("[1,2]")
    arr.extra = true
    encode_error({ list = arr }, 'not an array: string key "extra" at list$')
    encode_error({ obj = json.object({ 1 }) }, "not an object: integer key 1 at obj$")
  end)

  t.it("for keys that are neither strings nor integers", function()
    encode_error({ [true] = 1 }, "key of type boolean")
    encode_error({ [1.5] = 1 }, "key 1.5 is not an integer")
    encode_error({ [0] = 1 }, "integer key 0")
    encode_error({ [-1] = 1 }, "integer key %-1")
  end)

  t.it("for values JSON has no form for", function()
    encode_error({ a = { b = print } }, "cannot encode a function at a%.b$")
    encode_error({ ["content-type"] = coroutine.create(print) }, 'cannot encode a thread at %["content%-type"%]$')
    encode_error(0 / 0, "cannot encode NaN at top level")
    encode_error({ x = { 1, math.huge } }, "cannot encode infinity at x%[2%]$")
    encode_error({ -math.huge }, "cannot encode infinity at %[1%]$")
  end)

  t.it("for cycles and excessive depth", function()
    local loop = {}
    loop.self = loop
    encode_error(loop, "nesting deeper than 1000")
    local deep = {}
    for _ = 1, 1001 do deep = { deep } end
    encode_error(deep, "nesting deeper than 1000")
  end)

  t.it("for strings that are not UTF-8", function()
    encode_error({ name = "caf\xe9" }, "invalid UTF%-8 in string at name$")
    encode_error({ ["\xff"] = 1 }, "invalid UTF%-8 in object key")
  end)
end)

t.describe("null", function()
  t.it("decodes to json.null in objects and arrays", function()
    local v = json.decode('{"a":null,"b":[null,1,null]}')
    t.ok(v.a == json.null)
    t.ok(v.b[1] == json.null and v.b[3] == json.null)
    t.eq(#v.b, 3)
  end)

  t.it("encodes back, in objects and arrays", function()
    t.eq(roundtrip("null"), "null")
    t.eq(roundtrip('{"a":null}'), '{"a":null}')
    t.eq(roundtrip("[null,null]"), "[null,null]")
    t.eq(json.encode({ json.null, 1 }), "[null,1]")
  end)
end)

t.describe("numbers", function()
  t.it("keep integers as integers over the full 64-bit range", function()
    for _, n in ipairs({ "0", "-1", "1", "9007199254740993", "-9007199254740993",
      "9223372036854775807", "-9223372036854775808" }) do
      local out, v = roundtrip(n)
      t.eq(math.type(v), "integer", n)
      t.eq(out, n)
    end
    t.eq(json.decode("9007199254740993"), 9007199254740993)
    t.eq(json.decode("9223372036854775807"), math.maxinteger)
    t.eq(json.decode("-9223372036854775808"), math.mininteger)
    t.eq(json.encode(math.maxinteger), "9223372036854775807")
    t.eq(json.encode(math.mininteger), "-9223372036854775808")
    t.eq(json.encode((1 << 53) + 1), "9007199254740993")
  end)

  t.it("read integers beyond 64 bits as floats", function()
    local v = json.decode("9223372036854775808")
    t.eq(math.type(v), "float")
    t.eq(v, 2.0 ^ 63)
    t.eq(json.decode("-9223372036854775809"), -(2.0 ^ 63))
  end)

  t.it("write integral floats within 2^53 without a decimal point", function()
    t.eq(json.encode(8080.0), "8080")
    t.eq(json.encode({ port = 8080.0 }), '{"port":8080}')
    t.eq(json.encode(-3.0), "-3")
    t.eq(json.encode(2.0 ^ 53), "9007199254740992")
    t.eq(json.encode(-(2.0 ^ 53)), "-9007199254740992")
    t.eq(json.decode(json.encode(8080.0)), 8080)
  end)

  t.it("write other floats exactly", function()
    for _, x in ipairs({ 0.1, 1e300, -1e300, 1 / 3, 2.0 ^ 63, 5e-324,
      1.7976931348623157e308, 123.456, -2.5e-10 }) do
      local out = json.encode(x)
      local back = json.decode(out)
      t.eq(math.type(back), "float", out)
      t.ok(back == x, out .. " reads back as " .. string.format("%.17g", back))
    end
    -- Beyond 2^53 an integral float may read back as the same integer.
    t.eq(json.encode(2.0 ^ 53 + 2), "9007199254740994")
    t.eq(json.encode(0.1), "0.1")
    t.eq(json.encode(1e300), "1e+300")
    t.eq(json.decode("0.1"), 0.1)
    t.eq(json.decode("1e300"), 1e300)
    t.eq(json.decode("1E-2"), 0.01)
  end)

  t.it("keep the sign of -0.0", function()
    local out, v = roundtrip("-0.0")
    t.eq(out, "-0")
    t.eq(math.type(v), "float")
    t.eq(1 / v, -math.huge)
    t.eq(1 / json.decode("-0"), -math.huge)
    t.eq(json.encode(-0.0), "-0")
    t.eq(json.encode(0.0), "0")
  end)

  t.it("reject what is not a JSON number", function()
    for _, s in ipairs({ "01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "NaN", "Infinity",
      "-Infinity", "inf", "1.5e", "--1" }) do
      decode_error(s, "at byte offset %d+$")
    end
    decode_error("1e400", "number out of range at byte offset 0")
  end)
end)

t.describe("strings", function()
  t.it("decode escapes and \\u escapes with surrogate pairs", function()
    t.eq(json.decode([["a\"b\\c\/d\b\f\n\r\t"]]), "a\"b\\c/d\b\f\n\r\t")
    t.eq(json.decode([["\u00e9\u20ac"]]), "é€")
    t.eq(json.decode([["\ud83d\ude00"]]), "😀")
    t.eq(json.decode([["\uD834\uDD1E"]]), "\u{1D11E}")
    t.eq(json.decode([["\u0000"]]), "\0")
  end)

  t.it("round-trip unicode as UTF-8", function()
    t.eq(roundtrip('"é€😀 日本"'), '"é€😀 日本"')
    t.eq(json.encode("\u{10FFFF}"), '"\u{10FFFF}"')
    t.eq(json.encode("a/b"), '"a/b"', "slashes are not escaped")
    t.eq(json.encode("\0\1\31\127\"\\"), [["\u0000\u0001\u001f\u007f\"\\"]])
  end)

  t.it("reject lone or reversed surrogates and bad escapes", function()
    decode_error([["\ud83d"]], "invalid unicode escape code")
    decode_error([["\ude00"]], "invalid unicode escape code")
    decode_error([["\ude00\ud83d"]], "invalid unicode escape code")
    decode_error([["\ud83d\u0041"]], "invalid unicode escape code")
    decode_error([["\u12"]], "invalid unicode escape code")
    decode_error([["\x41"]], "invalid escape code")
  end)

  t.it("reject invalid UTF-8 with its byte offset", function()
    decode_error('"ab\xff"', "invalid UTF%-8 in string at byte offset 3$")
    decode_error('"\xc3"', "at byte offset 1$")
    decode_error('"\xc0\xaf"', "invalid UTF%-8", "overlong")
    decode_error('"\xed\xa0\x80"', "invalid UTF%-8", "encoded surrogate")
    decode_error('"\xf4\x90\x80\x80"', "invalid UTF%-8", "above U+10FFFF")
    decode_error('"a\\n\xff"', "invalid UTF%-8 in string at byte offset 4$")
    decode_error('["\xe2\x82"]', "invalid UTF%-8")
  end)

  t.it("reject raw control characters and unterminated strings", function()
    decode_error('"a\nb"', "control character in string at byte offset 2$")
    decode_error('"a\0b"', "control character in string at byte offset 2$")
    decode_error('"abc', "unexpected end of string at byte offset 4$")
    decode_error('"a\\', "at byte offset")
  end)
end)

t.describe("decode errors", function()
  t.it("give nil and a message with the byte offset", function()
    local v, err = json.decode('{"a":1,}')
    t.eq(v, nil)
    t.eq(err, "invalid JSON: expected object key string but found '}' at byte offset 7")
    decode_error("", "expected value but found end of input at byte offset 0")
    decode_error("   ", "at byte offset 3")
    decode_error("[1 2]", "expected ',' or ']' but found number at byte offset 3")
    decode_error('{"a" 1}', "expected ':' but found number at byte offset 5")
    decode_error("[1,2", "found end of input at byte offset 4")
    decode_error("nul", "invalid token at byte offset 0")
    decode_error("\xef\xbb\xbf{}", "invalid token at byte offset 0")
  end)

  t.it("reject trailing garbage, NUL bytes included", function()
    decode_error("{} x", "invalid token at byte offset 3")
    decode_error("{}{}", "expected end of input but found '{' at byte offset 2")
    decode_error("[1]]", "at byte offset 3")
    decode_error("1 2", "at byte offset 2")
    decode_error("{}\0", "NUL byte%) at byte offset 2")
    t.eq(json.encode(json.decode(" \t\r\n[ 1 , 2 ] \n")), "[1,2]")
  end)

  t.it("limit the depth to 1000", function()
    local ok_doc = string.rep("[", 1000) .. string.rep("]", 1000)
    t.eq(roundtrip(ok_doc), ok_doc)
    decode_error(string.rep("[", 1001) .. string.rep("]", 1001), "nesting deeper than 1000 at byte offset 1000")
    decode_error(string.rep('{"a":', 1001) .. "1" .. string.rep("}", 1001), "nesting deeper than 1000")
    decode_error(string.rep("[", 100000), "nesting deeper than 1000")
  end)

  t.it("keep the last of duplicate keys", function()
    t.eq(json.decode('{"a":1,"a":2}').a, 2)
    t.eq(json.decode('{"a":1,"b":{"x":[]},"b":{"y":[]}}'), { a = 1, b = { y = json.array() } })
  end)

  t.it("decode scalars at the top level", function()
    t.eq(json.decode("true"), true)
    t.eq(json.decode("false"), false)
    t.eq(json.decode('"s"'), "s")
    t.eq(json.decode("42"), 42)
  end)
end)

t.describe("pretty", function()
  t.it("indents with sorted keys", function()
    local v = json.decode('{"b":[1,{"z":null,"a":[]}],"a":{},"c":"x","B":true}')
    t.eq(json.encode(v, { pretty = true }), table.concat({
      "{",
      '  "B": true,',
      '  "a": {},',
      '  "b": [',
      "    1,",
      "    {",
      '      "a": [],',
      '      "z": null',
      "    }",
      "  ],",
      '  "c": "x"',
      "}",
    }, "\n"))
  end)

  t.it("is stable and reads back the same", function()
    local v = {}
    for i = 1, 50 do v["k" .. i] = i end
    local a = json.encode(v, { pretty = true })
    t.eq(json.encode(json.decode(a), { pretty = true }), a)
    t.eq(json.encode(json.decode(json.encode(v)), { pretty = true }), a)
  end)

  t.it("is off by default and with pretty = false", function()
    t.eq(json.encode({ a = { 1 } }), '{"a":[1]}')
    t.eq(json.encode({ a = { 1 } }, { pretty = false }), '{"a":[1]}')
    t.eq(json.encode({ a = { 1 } }, {}), '{"a":[1]}')
  end)

  t.it("still reports errors with the path", function()
    encode_error({ b = { c = { 1, nil, 3 } } }, "sparse array.* at b%.c$")
  end)
end)

t.describe("programmer mistakes raise", function()
  t.it("for wrong argument types", function()
    t.raises(function() json.decode() end, "string expected")
    t.raises(function() json.decode(42) end, "string expected")
    t.raises(function() json.decode({}) end, "string expected")
    t.raises(function() json.encode() end, "value expected")
  end)

  t.it("for unknown or mistyped options", function()
    t.raises(function() json.encode({}, { prety = true }) end, "unknown option 'prety'")
    t.raises(function() json.encode({}, { pretty = 1 }) end, "boolean 'pretty' expected")
    t.raises(function() json.encode({}, "pretty") end, "table expected")
  end)
end)

t.test("a finalizer may use host.json during another call", function()
  local doc = json.encode((function()
    local items = {}
    for i = 1, 5000 do items[i] = { name = "item" .. i, tags = json.array({ i }) } end
    return items
  end)())
  local inside, nested, results = false, 0, {}
  local function garbage()
    for _ = 1, 500 do
      setmetatable({}, { __gc = function()
        if inside then nested = nested + 1 end
        results[#results + 1] = json.encode(json.decode('{"gc":[1,{"x":[]}]}'), { pretty = true })
      end })
    end
  end
  for _ = 1, 20 do
    garbage()
    inside = true
    local v = json.decode(doc)
    local again = json.encode(v, { pretty = true })
    inside = false
    t.eq(#v, 5000)
    t.eq(v[5000].tags[1], 5000)
    t.ok(#again > #doc)
  end
  collectgarbage()
  t.ok(nested > 0, "no finalizer ran inside a call")
  for _, r in ipairs(results) do t.eq(r, '{\n  "gc": [\n    1,\n    {\n      "x": []\n    }\n  ]\n}') end
end)

t.test("large documents, and small ones after them", function()
  local items = {}
  for i = 1, 20000 do items[i] = { id = i, name = string.rep("n", 100) .. "\\" .. i, tags = json.array() } end
  local text = json.encode(items)
  t.ok(#text > 2000000, "size " .. #text)
  local back = json.decode(text)
  t.eq(#back, 20000)
  t.eq(back[20000].name, string.rep("n", 100) .. "\\20000")
  t.eq(json.encode(back[1].tags), "[]")
  t.eq(json.encode(json.decode('{"a":["\\u00e9"]}')), '{"a":["é"]}')
end)
