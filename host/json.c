/* host.json: loss-free JSON on lua-cjson.
 *
 * The grammar and the serialiser are lua-cjson 2.1.0 with this project's
 * patches (vendor/lua-cjson/patches); this file is the Lua API:
 *   decode(s)            -> value | nil, "invalid JSON: ... at byte offset N"
 *   encode(v [, opts])   -> string | nil, "json.encode: ... at fields[3].value"
 *   null, array(t), object(t), is_array(v)
 * Arrays are marked with a shared metatable: every decoded array carries it,
 * json.array() sets it, and the encoder writes a marked table as an array
 * even when empty. json.object() marks a table that must be an object.
 * Wrong argument types and unknown options raise; bad documents and values
 * JSON can't hold return nil, err.
 */
#include "host.h"

#include <string.h>

#include <lauxlib.h>

#include "lua_cjson.h"

/* Upvalues of every function */
#define JSON_ENGINE lua_upvalueindex(1)
#define JSON_ARRAY_MT lua_upvalueindex(2)
#define JSON_OBJECT_MT lua_upvalueindex(3)

/* Runs an engine call protected: [-nargs, +1|2, e]. Errors about the input
 * come back as nil, prefix .. message; anything else (out of memory) is
 * raised again. */
static int json_run(lua_State *L, lua_CFunction fn, int nargs, const char *prefix)
{
    int engine = lua_gettop(L) - nargs + 1;
    int status, input_error;

    if (cjson_engine_begin(L, JSON_ENGINE)) {
        lua_pushvalue(L, JSON_ENGINE);
    } else {
        /* A finalizer called us during another call: use a fresh engine */
        cjson_engine_new(L);
        cjson_engine_begin(L, -1);
    }
    lua_pushcfunction(L, fn);
    lua_pushvalue(L, -2);
    lua_rotate(L, engine, 3); /* engine, fn, engine, args... */
    status = lua_pcall(L, nargs + 1, 1, 0);
    input_error = cjson_engine_finish(L, engine);
    lua_remove(L, engine);
    if (status == LUA_OK)
        return 1;
    if (status != LUA_ERRRUN || !input_error)
        return lua_error(L);
    lua_pushnil(L);
    lua_pushstring(L, prefix);
    lua_rotate(L, -3, 2);
    lua_concat(L, 2);
    return 2;
}

static int json_decode(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TSTRING);
    lua_settop(L, 1);
    lua_pushvalue(L, JSON_ARRAY_MT);
    return json_run(L, cjson_engine_decode, 2, "invalid JSON: ");
}

static int json_encode(lua_State *L)
{
    lua_Integer flags = 0;

    luaL_checkany(L, 1);
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 2) != 0) {
            lua_pop(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "pretty") != 0)
                return luaL_argerror(
                    L, 2, lua_pushfstring(L, "unknown option '%s'", luaL_tolstring(L, -1, NULL)));
        }
        if (lua_getfield(L, 2, "pretty") != LUA_TNIL) {
            luaL_argexpected(L, lua_isboolean(L, -1), 2, "boolean 'pretty'");
            if (lua_toboolean(L, -1))
                flags |= CJSON_PRETTY;
        }
    }
    lua_settop(L, 1);
    lua_pushvalue(L, JSON_ARRAY_MT);
    lua_pushvalue(L, JSON_OBJECT_MT);
    lua_pushinteger(L, flags);
    return json_run(L, cjson_engine_encode, 4, "json.encode: ");
}

/* Marks the table at 1 (a new one if none) with the metatable at mt. A
 * table with a metatable of its own is refused: replacing it would break
 * whatever it does. */
static int json_mark(lua_State *L, int mt)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (lua_getmetatable(L, 1)) {
        if (!lua_rawequal(L, -1, JSON_ARRAY_MT) && !lua_rawequal(L, -1, JSON_OBJECT_MT))
            return luaL_argerror(L, 1, "table has a metatable of its own");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, mt);
    lua_setmetatable(L, 1);
    return 1;
}

static int json_array(lua_State *L)
{
    return json_mark(L, JSON_ARRAY_MT);
}

static int json_object(lua_State *L)
{
    return json_mark(L, JSON_OBJECT_MT);
}

/* Whether v encodes as a JSON array: marked as one, or not marked and a
 * non-empty sequence 1..n with no other keys. */
static int json_is_array(lua_State *L)
{
    lua_Integer n = 0, max = 0, k;
    int is_array = 1;

    luaL_checkany(L, 1);
    if (lua_type(L, 1) != LUA_TTABLE) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_settop(L, 1);
    if (lua_getmetatable(L, 1)) {
        if (lua_rawequal(L, -1, JSON_ARRAY_MT) || lua_rawequal(L, -1, JSON_OBJECT_MT)) {
            lua_pushboolean(L, lua_rawequal(L, -1, JSON_ARRAY_MT));
            return 1;
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || (k = lua_tointeger(L, -1)) < 1) {
            is_array = 0;
            lua_pop(L, 1);
            break;
        }
        n++;
        if (k > max)
            max = k;
    }
    lua_pushboolean(L, is_array && n > 0 && n == max);
    return 1;
}

/* [-0, +1, m] A marker metatable: protected, so that getmetatable() can't
 * hand the shared table to a script to change. */
static void json_new_marker(lua_State *L, const char *name)
{
    lua_createtable(L, 0, 2);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__metatable");
}

int luaopen_host_json(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"decode", json_decode}, {"encode", json_encode},     {"array", json_array},
        {"object", json_object}, {"is_array", json_is_array}, {NULL, NULL},
    };

    luaL_newlibtable(L, funcs);
    cjson_engine_new(L);
    json_new_marker(L, "json.array");
    json_new_marker(L, "json.object");
    luaL_setfuncs(L, funcs, 3);
    /* The NULL light userdata, as lua-cjson has it */
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    return 1;
}
