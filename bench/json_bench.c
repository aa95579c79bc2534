/* Benchmark driver for host.json: one Lua state with the standard libraries,
 * host.json preloaded and Debian's unpatched lua-cjson loadable as "cjson"
 * (this binary links the shared liblua5.4 that cjson.so expects), so both
 * run in the same process. Runs bench/json_bench.lua with its arguments. */
#include <stdio.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "host.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT [ARG]...\n", argv[0]);
        return 2;
    }
    lua_State *L = luaL_newstate();
    if (!L)
        return 1;
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_host_json);
    lua_setfield(L, -2, "host.json");
    lua_pop(L, 1);
    lua_createtable(L, argc, 0);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");
    int rc = 0;
    if (luaL_loadfile(L, argv[1]) != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        rc = 1;
    } else {
        for (int i = 2; i < argc; i++)
            lua_pushstring(L, argv[i]);
        if (lua_pcall(L, argc - 2, 0, 0) != LUA_OK) {
            fprintf(stderr, "%s\n", lua_tostring(L, -1));
            rc = 1;
        }
    }
    lua_close(L);
    return rc;
}
