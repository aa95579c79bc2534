#include "deadline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <lauxlib.h>

#include "host.h"
#include "log.h"

/* Instructions between two looks at the clock: a clock read is ~20 ns, ten
 * thousand instructions some 50 us, so the hook costs well under 1%. */
#define DEADLINE_HOOK_COUNT 10000
/* Pure Lua for this long when the deadline passes: a loop without requests
 * (exit 2) rather than a run that kept making them (exit 3). Scripts spend
 * milliseconds between two requests. */
#define DEADLINE_LOOP_SECONDS 0.5

static double deadline_at; /* CLOCK_MONOTONIC seconds; 0: no deadline */
static double deadline_len;
static int deadline_code;
static double deadline_last_wait; /* when the last request or sleep ended */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void deadline_start(double seconds)
{
    deadline_len = seconds;
    deadline_last_wait = now_seconds();
    deadline_at = deadline_last_wait + seconds;
    deadline_code = 0;
}

double deadline_seconds(void)
{
    return deadline_len;
}

double deadline_left(void)
{
    return deadline_at > 0 ? deadline_at - now_seconds() : HUGE_VAL;
}

long deadline_cap_ms(long ms)
{
    double left = deadline_left();
    if (left <= 0)
        return 0;
    double left_ms = ceil(left * 1000.0);
    return left_ms < (double)ms ? (long)left_ms : ms;
}

void deadline_expire(int code, const char *fmt, ...)
{
    if (deadline_code)
        return;
    deadline_code = code;
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    log_printf(LOG_ERROR, NULL,
               "deadline of %g s passed %s; stopping the run (--deadline or "
               "STARRHOST_DEADLINE sets it)",
               deadline_len, what);
}

void deadline_note_wait(void)
{
    deadline_last_wait = now_seconds();
}

int deadline_exit_code(void)
{
    return deadline_code;
}

int deadline_raise(lua_State *L)
{
    /* From now on every instruction raises (see the hook). */
    lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
    return luaL_error(L, "the run's deadline passed");
}

static void deadline_hook(lua_State *L, lua_Debug *ar)
{
    if (!deadline_code) {
        if (deadline_left() > 0)
            return;
        char where[512] = "?";
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            snprintf(where, sizeof where, "%s:%d", ar->short_src, ar->currentline);
        double idle = now_seconds() - deadline_last_wait;
        if (idle >= DEADLINE_LOOP_SECONDS)
            deadline_expire(EXIT_USAGE,
                            "while the script ran at %s for %.1f s without making a request "
                            "(a loop that never ends?)",
                            where, idle);
        else
            deadline_expire(EXIT_UNREACHABLE,
                            "while the scripts ran at %s, %.2f s after their last request or "
                            "sleep",
                            where, idle);
    }
    deadline_raise(L);
}

void deadline_install_hook(lua_State *L)
{
    if (deadline_at > 0)
        lua_sethook(L, deadline_hook, LUA_MASKCOUNT, DEADLINE_HOOK_COUNT);
}
