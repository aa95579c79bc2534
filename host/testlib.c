/* host.test: the Lua test library, compiled into the binary from
 * host/lua/test.lua and host/lua/fake_http.lua so `starrhost test` needs no
 * installed files.
 *
 * It exists only under `starrhost test`: it can read files (recordings,
 * fixtures), which the sandbox of run, plan and check never can. */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"
#include "lutil.h"

/* The assembler embeds the files as they are; the build runs from the project root. */
__asm__(".section .rodata\n"
        ".global starrhost_test_lua\n"
        "starrhost_test_lua:\n"
        ".incbin \"host/lua/test.lua\"\n"
        ".global starrhost_test_lua_end\n"
        "starrhost_test_lua_end:\n"
        ".global starrhost_fake_http_lua\n"
        "starrhost_fake_http_lua:\n"
        ".incbin \"host/lua/fake_http.lua\"\n"
        ".global starrhost_fake_http_lua_end\n"
        "starrhost_fake_http_lua_end:\n"
        ".previous\n");
extern const char starrhost_test_lua[];
extern const char starrhost_test_lua_end[];
extern const char starrhost_fake_http_lua[];
extern const char starrhost_fake_http_lua_end[];

/* read_file(path) -> string | nil, err: the whole file, read-only. */
static int testlib_read_file(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct lutil_box *box = lutil_newbox(L);
    char err[512];
    if (!lutil_read_file(path, LUTIL_MAX_FILE, &box->data, &box->len, err, sizeof err))
        return lutil_fail(L, "%s", err);
    lua_pushlstring(L, box->data, box->len);
    lutil_box_release(box);
    return 1;
}

/* Loads an embedded chunk and calls it with the helpers table at index HELPERS.
 * [-0, +1, e] */
static void testlib_load(lua_State *L, const char *start, const char *end, const char *name,
                         int helpers)
{
    if (luaL_loadbufferx(L, start, (size_t)(end - start), name, "t") != LUA_OK)
        lua_error(L);
    lua_pushvalue(L, helpers);
    lua_call(L, 1, 1);
}

int luaopen_host_test(lua_State *L)
{
    if (!host_settings.command || strcmp(host_settings.command, "test") != 0)
        return luaL_error(L, "host.test is available under `starrhost test` only");
    lua_createtable(L, 0, 3);
    int helpers = lua_gettop(L);
    lua_pushcfunction(L, lutil_traceback);
    lua_setfield(L, helpers, "traceback");
    lua_pushcfunction(L, testlib_read_file);
    lua_setfield(L, helpers, "read_file");
    testlib_load(L, starrhost_fake_http_lua, starrhost_fake_http_lua_end, "@host/lua/fake_http.lua",
                 helpers);
    lua_setfield(L, helpers, "fake_http");
    testlib_load(L, starrhost_test_lua, starrhost_test_lua_end, "@host/lua/test.lua", helpers);
    return 1;
}
