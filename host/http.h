/* host.http: one request primitive on libcurl (see http.c). */
#ifndef STARRHOST_HTTP_H
#define STARRHOST_HTTP_H

#include <stdbool.h>

#include <lua.h>

int luaopen_host_http(lua_State *L);

/* Closes the kept-alive connections of every origin and the recording file.
 * The engine calls it once at exit; harmless twice, and host.http works again
 * afterwards (it reopens what it needs). */
void http_shutdown(void);

/* Whether a transfer is on libcurl's multi handle (sched.c). */
bool http_in_flight(void);
/* Runs the transfers on the multi handle, waiting at most MAX_MS for one of
 * them to make progress; finishes those that ended (their waits are done). */
void http_poll(long max_ms);

#endif
