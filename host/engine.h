/* The Lua state: sandbox, memory cap, module search, protected calls. */
#ifndef STARRHOST_ENGINE_H
#define STARRHOST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#define ENGINE_DEFAULT_MEMORY_LIMIT (256u * 1024u * 1024u)

struct engine {
    lua_State *L;
    size_t used;
    size_t limit;
};

/* Creates the sandboxed state with the host modules preloaded. Returns false
 * (after logging why) when it cannot. */
bool engine_open(struct engine *e, size_t memory_limit);
void engine_close(struct engine *e);

/* Finds main.lua on the script path, runs it protected and returns the exit
 * code it returned, or the code for the error that stopped it. */
int engine_run_main(struct engine *e);

/* Runs the *_test.lua files found under PATHS (files or directories), each in
 * a fresh state; only the tests whose full name contains MATCH when it is not
 * NULL. Prints a closing "N passed, N failed" line. Returns 0 when every test
 * passed, 1 otherwise, 2 when nothing could be run. */
int engine_run_tests(size_t memory_limit, const char *const *paths, size_t path_count,
                     const char *match);

/* `starrhost check`: compiles (does not run) every *.lua file on the script
 * path and the --config file, reporting each syntax error with file:line;
 * then, when all compile, runs main.lua with host.options.command "check".
 * Returns 0 or 2. */
int engine_check(struct engine *e);

/* Logs a Lua error (message at error level, traceback at debug level). The
 * error string is at the top of the stack and is popped. */
void engine_report_error(lua_State *L, const char *context);

#endif
