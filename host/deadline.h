/* The deadline of a whole run (DESIGN section 12): --deadline SECONDS or
 * STARRHOST_DEADLINE, default 900, counted from the start of the process,
 * readiness included. Requests and sleeps get at most the time left; a Lua
 * count hook stops a script that keeps running without them. When it passes,
 * the run stops: the first thing that notices says what the run was doing
 * and sets the exit code (3 during a request or a sleep, or between requests
 * of a run that kept making them; 2 for a script that ran for a while
 * without making any: a loop); every Lua instruction after that raises,
 * so no pcall in a script can keep the run going. */
#ifndef STARRHOST_DEADLINE_H
#define STARRHOST_DEADLINE_H

#include <stdbool.h>

#include <lua.h>

#define DEADLINE_DEFAULT 900.0

/* Starts the clock: SECONDS from now. Without a call there is no deadline. */
void deadline_start(double seconds);
/* The configured length in seconds (0 when not started). */
double deadline_seconds(void);
/* Seconds left (negative once passed); HUGE_VAL without a deadline. */
double deadline_left(void);
/* MS capped at the milliseconds left (at least 1 while time is left; 0 once
 * it has passed). */
long deadline_cap_ms(long ms);
/* Marks the run stopped by the deadline, with exit CODE and a message saying
 * what it was doing (logged now). Only the first call counts. */
void deadline_expire(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A request or a sleep has just ended (see the hook). */
void deadline_note_wait(void);
/* The exit code set by deadline_expire, 0 if it was not called. */
int deadline_exit_code(void);
/* Raises the Lua error that unwinds a stopped run; never returns. */
int deadline_raise(lua_State *L);
/* Installs the count hook on L. */
void deadline_install_hook(lua_State *L);

#endif
