/* starrhost host: shared declarations.
 *
 * Error contract for every Lua-callable function of the host:
 *  - a programmer mistake (wrong argument type, unknown option) raises a Lua error
 *    with luaL_argerror/luaL_error;
 *  - a failure of the world (connection refused, timeout, missing secret, bad JSON
 *    input) returns nil plus an error value (a string, or for host.http a table);
 *  - an HTTP 4xx/5xx is a response, not an error.
 * No Lua-callable function calls exit(); nothing runs outside lua_pcall.
 */
#ifndef STARRHOST_HOST_H
#define STARRHOST_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#ifndef STARRHOST_VERSION
#define STARRHOST_VERSION "0.1.0"
#endif

/* Exit codes (DESIGN section 3). */
enum host_exit {
    EXIT_CONVERGED = 0,
    EXIT_ITEM_FAILED = 1,
    EXIT_USAGE = 2,
    EXIT_UNREACHABLE = 3,
    EXIT_PENDING = 4,
};

/* Settings of this process, filled by main.c before any script runs. */
struct host_settings {
    const char *command;            /* "run", "plan", "check", "test" */
    bool dry_run;                   /* plan or run --dry-run: scripts must not write */
    const char *config_path;        /* --config or STARRHOST_CONFIG, NULL if none */
    const char *only;               /* --only, comma-separated app names, NULL if none */
    double timeout;                 /* --timeout in seconds, 0 if not given */
    const char *record_path;        /* --record FILE, NULL if none */
    const char *const *script_dirs; /* NULL-terminated search path, first wins */
};
extern struct host_settings host_settings;

/* Counts requests that may have changed an app (anything but GET/HEAD that got
 * a response or whose outcome is unknown); a Lua error after the first write
 * exits 1 instead of 2. */
extern unsigned long host_write_count;

int luaopen_host(lua_State *L);
int luaopen_host_json(lua_State *L);
int luaopen_host_log(lua_State *L);
int luaopen_host_secret(lua_State *L);
int luaopen_host_test(lua_State *L);

/* Registers with the log sink the value of every environment variable whose
 * name ends like a secret's (_API_KEY, _PASSWORD, _TOKEN, ...), so that a
 * script reading one directly (os.getenv, host.env) cannot print it
 * (secret.c). */
void secret_register_environment(void);

/* print() replacement that logs at info level (log.c). */
int log_lua_print(lua_State *L);
/* Clears the app label set by log.app() when a state closes (log.c). */
void log_reset_app(void);

#endif
