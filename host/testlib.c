/* host.test: the Lua test library, compiled into the binary from
 * host/lua/test.lua so `starrhost test` needs no installed files. */
#include <lauxlib.h>
#include <lua.h>

#include "host.h"
#include "lutil.h"

/* The assembler embeds the file as it is; the build runs from the project root. */
__asm__(".section .rodata\n"
        ".global starrhost_test_lua\n"
        "starrhost_test_lua:\n"
        ".incbin \"host/lua/test.lua\"\n"
        ".global starrhost_test_lua_end\n"
        "starrhost_test_lua_end:\n"
        ".previous\n");
extern const char starrhost_test_lua[];
extern const char starrhost_test_lua_end[];

int luaopen_host_test(lua_State *L)
{
    size_t len = (size_t)(starrhost_test_lua_end - starrhost_test_lua);
    if (luaL_loadbufferx(L, starrhost_test_lua, len, "@host/lua/test.lua", "t") != LUA_OK)
        return lua_error(L);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, lutil_traceback);
    lua_setfield(L, -2, "traceback");
    lua_call(L, 1, 1);
    return 1;
}
