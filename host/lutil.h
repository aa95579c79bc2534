/* Small Lua and file helpers shared by the host's C files.
 * Stack effects use the Lua manual's notation [-o, +p, x]. */
#ifndef STARRHOST_LUTIL_H
#define STARRHOST_LUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

/* Largest file the host reads whole (scripts, configs, secrets). */
#define LUTIL_MAX_FILE (16u * 1024u * 1024u)

/* Reads PATH into a malloc'd, NUL-terminated buffer. On failure returns false
 * and writes a message naming PATH (never its content) into ERR. [-0, +0, -] */
bool lutil_read_file(const char *path, size_t max, char **out, size_t *out_len, char *err,
                     size_t err_len);

/* Writes "file:line" of the Lua function LEVEL levels up (or of the first
 * Lua function above it, past C functions) into BUF; "?" when unknown.
 * [-0, +0, -] */
void lutil_where(lua_State *L, int level, char *buf, size_t buf_len);

/* Message handler for lua_pcall: turns the error into a string and appends a
 * traceback after LUTIL_TRACEBACK_MARK. [-1, +1, m] */
int lutil_traceback(lua_State *L);
#define LUTIL_TRACEBACK_MARK "\nstack traceback:"

/* lua_pcall with lutil_traceback as message handler. [-(nargs+1), +(nresults|1), -] */
int lutil_pcall(lua_State *L, int nargs, int nresults);

/* Loads a text-only Lua file as a chunk named "@PATH". On failure pushes nil
 * and a message and returns false; on success pushes the function.
 * [-0, +1|2, m] */
bool lutil_load_file(lua_State *L, const char *path);

/* A malloc'd buffer owned by a userdata, so a Lua error between acquiring and
 * releasing it cannot leak it: __gc (and __close) wipe and free it. */
struct lutil_box {
    char *data;
    size_t len;
};
/* Pushes a new, empty box. [-0, +1, m] */
struct lutil_box *lutil_newbox(lua_State *L);
/* Wipes and frees the box's buffer now; harmless twice. [-0, +0, -] */
void lutil_box_release(struct lutil_box *box);

/* Pushes nil and a formatted message; returns 2 for `return lutil_fail(...)`.
 * [-0, +2, m] */
int lutil_fail(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
