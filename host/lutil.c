#include "lutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "buf.h"

bool lutil_read_file(const char *path, size_t max, char **out, size_t *out_len, char *err,
                     size_t err_len)
{
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "cannot read %s: not a regular file", path);
        fclose(f);
        return false;
    }
    if ((size_t)st.st_size > max) {
        snprintf(err, err_len, "cannot read %s: larger than %zu bytes", path, max);
        fclose(f);
        return false;
    }
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(err, err_len, "cannot read %s: out of memory", path);
        fclose(f);
        return false;
    }
    /* Read to EOF rather than trusting st_size: procfs and pipes lie. */
    size_t len = 0;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max) {
                snprintf(err, err_len, "cannot read %s: larger than %zu bytes", path, max);
                buf_wipe_free(buf, cap);
                fclose(f);
                return false;
            }
            /* Not realloc: the file may be a secret, and a moved block
             * would be freed unwiped. */
            char *grown = malloc(cap * 2);
            if (!grown) {
                snprintf(err, err_len, "cannot read %s: out of memory", path);
                buf_wipe_free(buf, cap);
                fclose(f);
                return false;
            }
            memcpy(grown, buf, len);
            buf_wipe_free(buf, cap);
            buf = grown;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(errno));
        buf_wipe_free(buf, cap);
        fclose(f);
        return false;
    }
    fclose(f);
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return true;
}

void lutil_where(lua_State *L, int level, char *buf, size_t buf_len)
{
    lua_Debug ar;
    /* Past C functions in between (pcall(log.info, ...)) to the Lua caller. */
    for (; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(buf, buf_len, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
    }
    snprintf(buf, buf_len, "?");
}

int lutil_traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int lutil_pcall(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, lutil_traceback);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return rc;
}

bool lutil_load_file(lua_State *L, const char *path)
{
    char *buf;
    size_t len;
    char err[512];
    if (!lutil_read_file(path, LUTIL_MAX_FILE, &buf, &len, err, sizeof err)) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return false;
    }
    /* Skip a leading #! line the way lua.c does, keeping line numbers. */
    const char *code = buf;
    if (len > 0 && buf[0] == '#') {
        size_t i = 0;
        while (i < len && buf[i] != '\n')
            i++;
        code = buf + i;
        len -= i;
    }
    /* No Lua allocation may throw while BUF is held: luaL_loadbufferx is protected. */
    char chunkname[4096];
    snprintf(chunkname, sizeof chunkname, "@%s", path);
    int rc = luaL_loadbufferx(L, code, len, chunkname, "t");
    free(buf);
    if (rc != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return false;
    }
    return true;
}

int lutil_fail(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushnil(L);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return 2;
}

void lutil_box_release(struct lutil_box *box)
{
    buf_wipe_free(box->data, box->len);
    box->data = NULL;
    box->len = 0;
}

static int box_gc(lua_State *L)
{
    lutil_box_release(luaL_checkudata(L, 1, "starrhost.box"));
    return 0;
}

struct lutil_box *lutil_newbox(lua_State *L)
{
    struct lutil_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    box->data = NULL;
    box->len = 0;
    if (luaL_newmetatable(L, "starrhost.box")) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    return box;
}
