/* host.http: one request primitive on libcurl (see http.c). */
#ifndef STARRHOST_HTTP_H
#define STARRHOST_HTTP_H

#include <lua.h>

int luaopen_host_http(lua_State *L);

/* Closes the kept-alive connections of every origin and the recording file.
 * The engine calls it once at exit; harmless twice, and host.http works again
 * afterwards (it reopens what it needs). */
void http_shutdown(void);

#endif
