/* host.parallel(list [, fn]): runs each function of LIST (or fn(item, i) for
 * each item of LIST) as a task, a coroutine of its own, and returns when
 * every one has ended. Only one task runs at a time; a task gives way while
 * it waits for a transfer or a sleep (sched.h), and the loop here resumes the
 * tasks whose wait is over, in list order, and otherwise waits for libcurl's
 * sockets or the next wake-up. An error in one task ends that task only;
 * once all have ended, host.parallel raises the error of the first task (in
 * list order) that failed. When the run's deadline passes, the tasks still
 * waiting are abandoned (their transfers removed and freed) and the deadline
 * error is raised at once. host.parallel does not nest: tasks are a flat list.
 *
 * Each task has its own log label (log.app), so a line names the instance of
 * the task that wrote it; a task starts with the label of its caller. */
#include "sched.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "deadline.h"
#include "http.h"
#include "log.h"

#define SCHED_MT "starrhost.parallel"

enum sched_state { TASK_READY, TASK_WAIT, TASK_SLEEP, TASK_DONE };

struct sched_task {
    lua_State *T;
    enum sched_state state;
    struct sched_wait *wait;
    double wake_at;
    int nargs; /* of the first resume: the function's arguments */
    bool failed;
    char app[LOG_APP_MAX];
};

struct sched {
    size_t count;
    bool closed;
    struct sched_task tasks[];
};

static struct sched *sched_running;      /* the host.parallel call in progress */
static struct sched_task *sched_current; /* the task being resumed */

double sched_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool sched_can_yield(lua_State *L)
{
    return sched_current && sched_current->T == L && lua_isyieldable(L);
}

int sched_wait(lua_State *L, struct sched_wait *w, lua_KContext ctx, lua_KFunction k)
{
    sched_current->state = TASK_WAIT;
    sched_current->wait = w;
    return lua_yieldk(L, 0, ctx, k);
}

int sched_sleep(lua_State *L, double when, lua_KContext ctx, lua_KFunction k)
{
    sched_current->state = TASK_SLEEP;
    sched_current->wake_at = when;
    return lua_yieldk(L, 0, ctx, k);
}

/* Abandons every task that has not ended: what their waits hold is freed
 * now, not when the collector gets to it. Harmless twice. */
static void sched_abandon(struct sched *s)
{
    for (size_t i = 0; i < s->count; i++) {
        struct sched_task *t = &s->tasks[i];
        if (t->state == TASK_WAIT && !t->wait->done && t->wait->cancel)
            t->wait->cancel(t->wait);
        t->state = TASK_DONE;
    }
}

/* __close and __gc: also when host.parallel is left by an error. */
static int sched_close(lua_State *L)
{
    struct sched *s = luaL_checkudata(L, 1, SCHED_MT);
    if (!s->closed) {
        s->closed = true;
        sched_abandon(s);
    }
    if (sched_running == s) {
        sched_running = NULL;
        sched_current = NULL;
    }
    return 0;
}

/* Resumes task I once. The stack of L holds at ERRORS the table of the
 * tasks' errors. */
static void sched_resume(lua_State *L, struct sched *s, size_t i, int errors)
{
    struct sched_task *t = &s->tasks[i];
    t->state = TASK_READY; /* a host wait sets it again before yielding */
    t->wait = NULL;
    sched_current = t;
    char *outer = log_use_app_slot(t->app);
    int nres = 0;
    int st = lua_resume(t->T, L, t->nargs, &nres);
    t->nargs = 0;
    log_use_app_slot(outer);
    sched_current = NULL;
    if (st == LUA_YIELD && t->state != TASK_READY) {
        lua_pop(t->T, nres);
        return;
    }
    if (st == LUA_OK) {
        t->state = TASK_DONE;
        lua_settop(t->T, 0);
        return;
    }
    t->state = TASK_DONE;
    t->failed = true;
    if (st == LUA_YIELD) {
        lua_pushstring(L, "host.parallel: a task yielded to no one (coroutine.yield outside a "
                          "coroutine of the script's own)");
    } else {
        /* The task's frames are still there: its traceback, for debug level. */
        const char *msg = lua_tostring(t->T, -1);
        if (log_enabled(LOG_DEBUG)) {
            luaL_traceback(L, t->T, msg ? msg : "(error object is not a string)", 0);
            size_t len;
            const char *trace = lua_tolstring(L, -1, &len);
            log_write(LOG_DEBUG, t->app[0] ? t->app : NULL, NULL, trace, len);
            lua_pop(L, 1);
        }
        lua_xmove(t->T, L, 1);
    }
    lua_rawseti(L, errors, (lua_Integer)i + 1);
}

/* Waits until a task can go on: a transfer ends, or the earliest sleeper's
 * time comes. */
static void sched_idle(const struct sched *s)
{
    double next = HUGE_VAL;
    for (size_t i = 0; i < s->count; i++) {
        if (s->tasks[i].state == TASK_SLEEP && s->tasks[i].wake_at < next)
            next = s->tasks[i].wake_at;
    }
    double left = next - sched_now();
    long ms = next == HUGE_VAL ? 1000 : left <= 0 ? 0 : (long)ceil(left * 1000.0);
    if (http_in_flight()) {
        http_poll(ms);
    } else if (ms > 0) {
        struct timespec ts = {(time_t)(ms / 1000), (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
}

int sched_lua_parallel(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    bool mapped = !lua_isnoneornil(L, 2);
    if (mapped)
        luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    if (sched_running)
        return luaL_error(L, "host.parallel: already running (tasks do not nest)");
    lua_Integer n = luaL_len(L, 1);
    if (n < 0 || n > 100000)
        return luaL_argerror(L, 1, "too many tasks");
    for (lua_Integer i = 1; !mapped && i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TFUNCTION)
            return luaL_error(L, "host.parallel: item %d is a %s, expected a function", (int)i,
                              luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    struct sched *s =
        lua_newuserdatauv(L, sizeof *s + (size_t)n * sizeof s->tasks[0], 1); /* index 3 */
    s->count = 0;
    s->closed = false;
    if (luaL_newmetatable(L, SCHED_MT)) {
        lua_pushcfunction(L, sched_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, sched_close);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, 3);
    lua_toclose(L, 3);
    lua_createtable(L, (int)n, 0); /* index 4: the threads, anchored */
    lua_pushvalue(L, 4);
    lua_setiuservalue(L, 3, 1);
    lua_newtable(L); /* index 5: the errors */
    const char *label = log_current_app();
    for (lua_Integer i = 1; i <= n; i++) {
        lua_State *T = lua_newthread(L);
        lua_rawseti(L, 4, i);
        if (mapped) {
            lua_pushvalue(L, 2);
            lua_rawgeti(L, 1, i);
            lua_pushinteger(L, i);
        } else {
            lua_rawgeti(L, 1, i);
        }
        /* Resumed with its arguments on its stack: the first resume calls it. */
        lua_xmove(L, T, mapped ? 3 : 1);
        struct sched_task *t = &s->tasks[s->count++];
        memset(t, 0, sizeof *t);
        t->T = T;
        t->state = TASK_READY;
        t->nargs = mapped ? 2 : 0;
        snprintf(t->app, sizeof t->app, "%s", label ? label : "");
    }

    sched_running = s;
    for (;;) {
        bool alive = false, ran = false;
        double now = sched_now();
        for (size_t i = 0; i < s->count; i++) {
            struct sched_task *t = &s->tasks[i];
            if (t->state == TASK_DONE)
                continue;
            bool ready = t->state == TASK_READY || (t->state == TASK_WAIT && t->wait->done) ||
                         (t->state == TASK_SLEEP && now >= t->wake_at);
            if (ready) {
                sched_resume(L, s, i, 5);
                ran = true;
                if (deadline_exit_code()) {
                    lua_closeslot(L, 3);
                    return deadline_raise(L);
                }
            }
            alive = alive || t->state != TASK_DONE;
        }
        if (!alive)
            break;
        if (!ran)
            sched_idle(s);
    }
    lua_closeslot(L, 3);
    for (size_t i = 0; i < s->count; i++) {
        if (s->tasks[i].failed) {
            lua_rawgeti(L, 5, (lua_Integer)i + 1);
            return lua_error(L);
        }
    }
    return 0;
}
