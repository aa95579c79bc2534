/* host.parallel: runs Lua functions as tasks, one coroutine each, and
 * resumes whichever task's wait is over (sched.c).
 *
 * A task waits inside a host function (host.http's transfer, host.sleep):
 * the function calls sched_wait or sched_sleep, which yield with a
 * continuation, so scripts call it exactly as outside a task. Outside a task
 * (or where the task cannot yield: a coroutine of the script's own, a C
 * call in between) those functions block as before. */
#ifndef STARRHOST_SCHED_H
#define STARRHOST_SCHED_H

#include <stdbool.h>

#include <lua.h>

/* What a suspended task waits for. Owned by the waiting function's C state;
 * DONE is set by whoever ends the wait. CANCEL, when not NULL, is called if
 * the task is abandoned before DONE (the run's deadline passed) and frees
 * what the wait holds (a transfer in flight). */
struct sched_wait {
    bool done;
    void (*cancel)(struct sched_wait *w);
};

/* True when L is the task host.parallel is running now and it can yield. */
bool sched_can_yield(lua_State *L);
/* Suspends task L until W->done; then K runs with CTX. Only when
 * sched_can_yield(L). */
int sched_wait(lua_State *L, struct sched_wait *w, lua_KContext ctx, lua_KFunction k);
/* Suspends task L until the monotonic clock reads WHEN (seconds). */
int sched_sleep(lua_State *L, double when, lua_KContext ctx, lua_KFunction k);
/* The monotonic clock in seconds. */
double sched_now(void);

/* host.parallel(list [, fn]) (registered by hostlib.c). */
int sched_lua_parallel(lua_State *L);

#endif
