/* The "host" module: version, run options, time, environment, and loading a
 * user's Lua file (the --config file) with an environment of the caller's. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>

#include "deadline.h"
#include "host.h"
#include "log.h"
#include "lutil.h"
#include "sched.h"

/* After a sleep (blocking, or a task's when it is resumed): CUT says the
 * sleep was cut at the deadline, which stops the run there (exit 3). */
static int host_sleep_k(lua_State *L, int status, lua_KContext cut)
{
    (void)status;
    deadline_note_wait();
    if (cut || deadline_exit_code()) {
        char where[256];
        lutil_where(L, 1, where, sizeof where);
        deadline_expire(EXIT_UNREACHABLE, "while the scripts waited (host.sleep at %s)", where);
        return deadline_raise(L);
    }
    return 0;
}

/* host.sleep(s): never past the deadline. Inside a host.parallel task the
 * other tasks run meanwhile. */
static int host_sleep(lua_State *L)
{
    lua_Number s = luaL_checknumber(L, 1);
    luaL_argcheck(L, s >= 0 && s <= 86400, 1, "expected 0 to 86400 seconds");
    double left = deadline_left();
    bool cut = s >= left;
    if (cut)
        s = left > 0 ? left : 0;
    if (sched_can_yield(L))
        return sched_sleep(L, sched_now() + s, cut, host_sleep_k);
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return host_sleep_k(L, LUA_OK, cut);
}

/* host.time_left(): seconds until the run's deadline (math.huge without one). */
static int host_time_left(lua_State *L)
{
    lua_pushnumber(L, deadline_left());
    return 1;
}

static int host_now(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
    return 1;
}

static int host_env(lua_State *L)
{
    const char *v = getenv(luaL_checkstring(L, 1));
    if (v)
        lua_pushstring(L, v);
    else
        lua_pushnil(L);
    return 1;
}

/* host.loadfile(path [, env]) -> function | nil, err. Text only; chunk name
 * "@path" so errors read path:line. */
static int host_loadfile(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    bool has_env = !lua_isnoneornil(L, 2);
    if (has_env)
        luaL_checktype(L, 2, LUA_TTABLE);
    if (!lutil_load_file(L, path))
        return 2;
    if (has_env) {
        lua_pushvalue(L, 2);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

/* host.write(s): to stdout through the redacting sink (plan output, reports). */
static int host_write(lua_State *L)
{
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_checklstring(L, i, &len);
        log_stdout(s, len);
    }
    return 0;
}

static void push_options(lua_State *L)
{
    const struct host_settings *s = &host_settings;
    lua_createtable(L, 0, 8);
    lua_pushstring(L, s->command ? s->command : "run");
    lua_setfield(L, -2, "command");
    lua_pushboolean(L, s->dry_run);
    lua_setfield(L, -2, "dry_run");
    if (s->config_path) {
        lua_pushstring(L, s->config_path);
        lua_setfield(L, -2, "config");
    }
    if (s->timeout > 0) {
        lua_pushnumber(L, s->timeout);
        lua_setfield(L, -2, "timeout");
    }
    if (deadline_seconds() > 0) {
        lua_pushnumber(L, deadline_seconds());
        lua_setfield(L, -2, "deadline");
    }
    if (s->record_path) {
        lua_pushstring(L, s->record_path);
        lua_setfield(L, -2, "record");
    }
    if (s->only) {
        lua_newtable(L);
        int n = 0;
        const char *p = s->only;
        while (*p) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            if (len > 0) {
                lua_pushlstring(L, p, len);
                lua_rawseti(L, -2, ++n);
            }
            p += len + (comma ? 1 : 0);
        }
        lua_setfield(L, -2, "only");
    }
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    lua_pushstring(L, levels[log_min_level()]);
    lua_setfield(L, -2, "log_level");
    lua_newtable(L);
    for (int i = 0; s->script_dirs && s->script_dirs[i]; i++) {
        lua_pushstring(L, s->script_dirs[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "scripts");
}

int luaopen_host(lua_State *L)
{
    /* traceback: the message handler of the host's own pcalls, for the
     * scripts' xpcall (the sandbox has no debug library). */
    static const luaL_Reg funcs[] = {
        {"sleep", host_sleep},
        {"now", host_now},
        {"env", host_env},
        {"loadfile", host_loadfile},
        {"write", host_write},
        {"time_left", host_time_left},
        {"traceback", lutil_traceback},
        {"parallel", sched_lua_parallel},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_pushstring(L, STARRHOST_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushboolean(L, host_settings.dry_run);
    lua_setfield(L, -2, "dry_run");
    push_options(L);
    lua_setfield(L, -2, "options");
    return 1;
}
