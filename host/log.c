/* host.log and the one sink every line of output goes through. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"
#include "lutil.h"

struct secret_entry {
    char *value;
    size_t len;
};

static enum log_level log_min = LOG_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static struct secret_entry *secrets;
static size_t secret_count, secret_cap;
static const char *log_app; /* current app context, owned by the Lua registry */

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_configure(enum log_level min_level, enum log_format format)
{
    log_min = min_level;
    log_fmt = format;
}

bool log_enabled(enum log_level level)
{
    return level >= log_min;
}

enum log_level log_min_level(void)
{
    return log_min;
}

bool log_parse_level(const char *name, enum log_level *out)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

bool log_parse_format(const char *name, enum log_format *out)
{
    if (strcmp(name, "text") == 0)
        *out = LOG_FORMAT_TEXT;
    else if (strcmp(name, "json") == 0)
        *out = LOG_FORMAT_JSON;
    else
        return false;
    return true;
}

static bool secret_add(const char *value, size_t len)
{
    for (size_t i = 0; i < secret_count; i++) {
        if (secrets[i].len == len && memcmp(secrets[i].value, value, len) == 0)
            return true;
    }
    if (secret_count == secret_cap) {
        size_t cap = secret_cap ? secret_cap * 2 : 8;
        struct secret_entry *grown = realloc(secrets, cap * sizeof *grown);
        if (!grown)
            return false;
        secrets = grown;
        secret_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return false;
    memcpy(copy, value, len);
    copy[len] = '\0';
    /* Longest first, so a secret that contains another is replaced whole. */
    size_t at = secret_count;
    while (at > 0 && secrets[at - 1].len < len) {
        secrets[at] = secrets[at - 1];
        at--;
    }
    secrets[at] = (struct secret_entry){copy, len};
    secret_count++;
    return true;
}

/* A secret also travels JSON-escaped (request bodies, recordings) and
 * percent-encoded (query strings); each spelling is registered. */
static size_t spell_json(const char *v, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\' || c == '/') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)sprintf(out + n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    return n;
}

static size_t spell_percent(const char *v, size_t len, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    return n;
}

void log_register_secret(const char *value, size_t len)
{
    if (len == 0)
        return;
    secret_add(value, len);
    char *buf = malloc(len * 6 + 1);
    if (!buf)
        return;
    size_t n = spell_json(value, len, buf);
    if (n != len || memcmp(buf, value, len) != 0)
        secret_add(buf, n);
    n = spell_percent(value, len, buf);
    if (n != len || memcmp(buf, value, len) != 0)
        secret_add(buf, n);
    /* "/" may or may not be escaped by a JSON encoder. */
    if (memchr(value, '/', len)) {
        size_t m = 0;
        for (size_t i = 0; i < len; i++) {
            if (value[i] == '"' || value[i] == '\\')
                buf[m++] = '\\';
            buf[m++] = value[i];
        }
        secret_add(buf, m);
    }
    free(buf);
}

void log_forget_secrets(void)
{
    for (size_t i = 0; i < secret_count; i++) {
        memset(secrets[i].value, 0, secrets[i].len);
        free(secrets[i].value);
    }
    free(secrets);
    secrets = NULL;
    secret_count = secret_cap = 0;
}

char *log_redact(const char *text, size_t len, size_t *out_len)
{
    /* Output never grows by more than 3 bytes per input byte ("***" for a
     * one-byte secret). */
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t hit = 0;
        for (size_t s = 0; s < secret_count; s++) {
            const struct secret_entry *e = &secrets[s];
            if (e->len <= len - i && text[i] == e->value[0] &&
                memcmp(text + i, e->value, e->len) == 0) {
                hit = e->len;
                break;
            }
        }
        if (hit) {
            memcpy(out + n, "***", 3);
            n += 3;
            i += hit;
        } else {
            out[n++] = text[i++];
        }
    }
    out[n] = '\0';
    if (out_len)
        *out_len = n;
    return out;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w <= 0)
            return;
        buf += w;
        len -= (size_t)w;
    }
}

/* Appends S as a JSON string body (no quotes) to the growing buffer. */
struct strbuf {
    char *data;
    size_t len, cap;
};

static void sb_put(struct strbuf *b, const char *s, size_t n)
{
    if (!b->data)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            free(b->data);
            b->data = NULL;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(struct strbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_json_string(struct strbuf *b, const char *s, size_t n)
{
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sb_put(b, esc, 2);
        } else if (c == '\n') {
            sb_put(b, "\\n", 2);
        } else if (c == '\t') {
            sb_put(b, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_put(b, esc, 6);
        } else {
            sb_put(b, (const char *)&s[i], 1);
        }
    }
    sb_put(b, "\"", 1);
}

static void format_time(char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void log_write(enum log_level level, const char *app, const char *where, const char *msg,
               size_t msg_len)
{
    if (!log_enabled(level))
        return;
    if (!app)
        app = log_app;
    size_t clean_len;
    char *clean = log_redact(msg, msg_len, &clean_len);
    if (!clean)
        return;
    char ts[40];
    format_time(ts, sizeof ts);
    struct strbuf b = {malloc(clean_len + 256), 0, clean_len + 256};
    if (log_fmt == LOG_FORMAT_JSON) {
        sb_puts(&b, "{\"ts\":\"");
        sb_puts(&b, ts);
        sb_puts(&b, "\",\"level\":\"");
        sb_puts(&b, level_names[level]);
        sb_puts(&b, "\"");
        if (app) {
            sb_puts(&b, ",\"app\":");
            sb_json_string(&b, app, strlen(app));
        }
        if (where) {
            sb_puts(&b, ",\"where\":");
            sb_json_string(&b, where, strlen(where));
        }
        sb_puts(&b, ",\"msg\":");
        sb_json_string(&b, clean, clean_len);
        sb_puts(&b, "}\n");
    } else {
        static const char *const tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
        sb_puts(&b, ts);
        sb_puts(&b, " ");
        sb_puts(&b, tags[level]);
        sb_puts(&b, " ");
        if (app) {
            sb_puts(&b, "[");
            sb_puts(&b, app);
            sb_puts(&b, "] ");
        }
        sb_put(&b, clean, clean_len);
        if (where && (level != LOG_INFO || log_min == LOG_DEBUG)) {
            sb_puts(&b, " (");
            sb_puts(&b, where);
            sb_puts(&b, ")");
        }
        sb_puts(&b, "\n");
    }
    if (b.data) {
        /* Redact the assembled line too: APP and WHERE come from scripts. */
        size_t final_len;
        char *final = log_redact(b.data, b.len, &final_len);
        if (final)
            write_all(STDERR_FILENO, final, final_len);
        free(final);
    }
    free(b.data);
    free(clean);
}

void log_printf(enum log_level level, const char *where, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    log_write(level, NULL, where, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void log_stdout(const char *text, size_t len)
{
    size_t clean_len;
    char *clean = log_redact(text, len, &clean_len);
    if (!clean)
        return;
    fflush(stdout);
    write_all(STDOUT_FILENO, clean, clean_len);
    free(clean);
}

/* Lua side: log.info(fmt, ...) formats with string.format and logs with the
 * caller's file:line. */
static int log_lua_at(lua_State *L, enum log_level level)
{
    if (!log_enabled(level))
        return 0;
    int nargs = lua_gettop(L);
    if (nargs > 1) {
        lua_getglobal(L, "string");
        lua_getfield(L, -1, "format");
        lua_remove(L, -2);
        lua_insert(L, 1);
        lua_call(L, nargs, 1);
    } else {
        luaL_tolstring(L, 1, NULL);
    }
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    char where[256];
    lutil_where(L, 1, where, sizeof where);
    log_write(level, NULL, where, msg, len);
    return 0;
}

static int log_lua_debug(lua_State *L)
{
    return log_lua_at(L, LOG_DEBUG);
}
static int log_lua_info(lua_State *L)
{
    return log_lua_at(L, LOG_INFO);
}
static int log_lua_warn(lua_State *L)
{
    return log_lua_at(L, LOG_WARN);
}
static int log_lua_error(lua_State *L)
{
    return log_lua_at(L, LOG_ERROR);
}

static int log_lua_enabled(lua_State *L)
{
    enum log_level level;
    if (!log_parse_level(luaL_checkstring(L, 1), &level))
        return luaL_argerror(L, 1, "expected debug, info, warn or error");
    lua_pushboolean(L, log_enabled(level));
    return 1;
}

/* log.app(name) labels the following lines with the app they concern; nil
 * clears it. The string is anchored in the registry so the pointer stays valid. */
static int log_lua_app(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        log_app = NULL;
        lua_pushnil(L);
    } else {
        log_app = luaL_checkstring(L, 1);
        lua_pushvalue(L, 1);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, "starrhost.log.app");
    return 0;
}

/* print(...) goes through the sink at info level, tab-separated like Lua's. */
int log_lua_print(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    char where[256];
    lutil_where(L, 1, where, sizeof where);
    log_write(LOG_INFO, NULL, where, msg, len);
    return 0;
}

void log_reset_app(void)
{
    log_app = NULL;
}

int luaopen_host_log(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"debug", log_lua_debug},
        {"info", log_lua_info},
        {"warn", log_lua_warn},
        {"error", log_lua_error},
        {"enabled", log_lua_enabled},
        {"app", log_lua_app},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_pushstring(L, level_names[log_min]);
    lua_setfield(L, -2, "level");
    return 1;
}
