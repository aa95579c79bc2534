/* libFuzzer target for host.json: whatever decode accepts must encode, and
 * decode -> encode -> decode must give the same value (compared through the
 * sorted pretty form). Whatever it rejects must come with a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lua_State *fuzz_state;

static void fuzz_fail(const char *what)
{
    fprintf(stderr, "json_fuzz: %s\n", what);
    abort();
}

/* [-1, +1] Calls module.name(arg [, {pretty = true}]); a nil result aborts
 * unless may_fail, in which case it is left as nil. */
static void fuzz_call(lua_State *L, const char *name, int pretty, int may_fail)
{
    lua_getfield(L, 1, name);
    lua_insert(L, -2);
    if (pretty) {
        lua_createtable(L, 0, 1);
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "pretty");
    }
    if (lua_pcall(L, pretty ? 2 : 1, 2, 0) != LUA_OK)
        fuzz_fail(lua_tostring(L, -1));
    if (lua_isnil(L, -2)) {
        if (!may_fail)
            fuzz_fail(lua_tostring(L, -1));
        if (!lua_isstring(L, -1) || lua_rawlen(L, -1) == 0)
            fuzz_fail("an error without a message");
    }
    lua_pop(L, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_State *L = fuzz_state;

    if (!L) {
        L = fuzz_state = luaL_newstate();
        luaL_requiref(L, "host.json", luaopen_host_json, 0);
    }
    lua_settop(L, 1);

    lua_pushlstring(L, (const char *)data, size);
    fuzz_call(L, "decode", 0, 1);
    if (lua_isnil(L, -1))
        return 0;
    lua_pushvalue(L, -1);
    fuzz_call(L, "encode", 1, 0); /* value, pretty1 */
    lua_pushvalue(L, -2);
    fuzz_call(L, "encode", 0, 0); /* value, pretty1, compact */
    fuzz_call(L, "decode", 0, 0); /* value, pretty1, value2 */
    fuzz_call(L, "encode", 1, 0); /* value, pretty1, pretty2 */
    if (!lua_rawequal(L, -1, -2))
        fuzz_fail("decode(encode(decode(x))) differs from decode(x)");
    lua_pushvalue(L, -1);
    fuzz_call(L, "decode", 0, 0);
    fuzz_call(L, "encode", 1, 0); /* pretty output reads back the same */
    if (!lua_rawequal(L, -1, -2))
        fuzz_fail("the pretty form does not read back the same");
    return 0;
}
