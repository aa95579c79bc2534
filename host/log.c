/* host.log and the one sink every line of output goes through. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "buf.h"
#include "host.h"
#include "lutil.h"

struct secret_entry {
    char *value;
    size_t len;
};

static enum log_level log_min = LOG_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static struct secret_entry *secrets; /* longest first */
static size_t secret_count, secret_cap;
static bool secret_first_byte[256];       /* some secret starts with this byte */
static char log_main_app[LOG_APP_MAX];    /* log.app()'s label outside host.parallel's tasks */
static char *log_app_slot = log_main_app; /* the running task's label */

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

bool log_format_is_json(void)
{
    return log_fmt == LOG_FORMAT_JSON;
}

const char *log_current_app(void)
{
    return log_app_slot[0] ? log_app_slot : NULL;
}

char *log_use_app_slot(char *slot)
{
    char *prev = log_app_slot;
    log_app_slot = slot ? slot : log_main_app;
    return prev == log_main_app ? NULL : prev;
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

/* ---- The secret registry ---- */

static void secret_add(const char *value, size_t len)
{
    for (size_t i = 0; i < secret_count; i++) {
        if (secrets[i].len == len && memcmp(secrets[i].value, value, len) == 0)
            return;
    }
    if (secret_count == secret_cap) {
        size_t cap = secret_cap ? secret_cap * 2 : 16;
        struct secret_entry *grown = realloc(secrets, cap * sizeof *grown);
        if (!grown)
            return;
        secrets = grown;
        secret_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return;
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
    secret_first_byte[(unsigned char)value[0]] = true;
}

size_t log_secret_max_len(void)
{
    return secret_count ? secrets[0].len : 0;
}

/* host.json's spelling of one byte inside a string (lua-cjson's table with
 * this project's patch: '/' and non-ASCII as they are, \b \t \n \f \r, other
 * control characters and DEL as \u00xx). Every JSON writer of the host uses
 * it, so one registered spelling covers them all. Returns the escape or NULL
 * for "as is". */
static const char *json_escape_of(unsigned char c, char tmp[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\t':
        return "\\t";
    case '\n':
        return "\\n";
    case '\f':
        return "\\f";
    case '\r':
        return "\\r";
    default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
    return NULL;
}

static void spell_json(struct buf *out, const char *v, size_t len, bool slash)
{
    for (size_t i = 0; i < len; i++) {
        char tmp[8];
        const char *esc = json_escape_of((unsigned char)v[i], tmp);
        if (slash && v[i] == '/')
            esc = "\\/";
        if (esc)
            buf_puts(out, esc);
        else
            buf_put(out, &v[i], 1);
    }
}

static void spell_percent(struct buf *out, const char *v, size_t len, const char *hex)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_put(out, &v[i], 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_put(out, esc, 3);
        }
    }
}

/* A secret travels in the spellings this program's own encoders give it:
 * as is; JSON-escaped by host.json (request bodies) and once more (a body
 * inside a JSON string); with "/" escaped, as other JSON encoders do;
 * percent-encoded with upper- or lower-case hex (query strings). Each one
 * is registered. */
void log_register_secret(const char *value, size_t len)
{
    if (len == 0)
        return;
    secret_add(value, len);
    struct buf once = {0}, spelled = {0};
    spell_json(&once, value, len, false);
    if (once.data) {
        secret_add(once.data, once.len);
        spell_json(&spelled, once.data, once.len, false);
        if (spelled.data)
            secret_add(spelled.data, spelled.len);
        buf_free(&spelled);
    }
    if (memchr(value, '/', len)) {
        spell_json(&spelled, value, len, true);
        if (spelled.data)
            secret_add(spelled.data, spelled.len);
        buf_free(&spelled);
    }
    spell_percent(&spelled, value, len, "0123456789ABCDEF");
    if (spelled.data)
        secret_add(spelled.data, spelled.len);
    buf_free(&spelled);
    spell_percent(&spelled, value, len, "0123456789abcdef");
    if (spelled.data)
        secret_add(spelled.data, spelled.len);
    buf_free(&spelled);
    buf_free(&once);
}

void log_forget_secrets(void)
{
    for (size_t i = 0; i < secret_count; i++)
        buf_wipe_free(secrets[i].value, secrets[i].len);
    free(secrets);
    secrets = NULL;
    secret_count = secret_cap = 0;
    memset(secret_first_byte, 0, sizeof secret_first_byte);
}

/* ---- Redact, then escape: the one way text enters an output line ---- */

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if none. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool log_is_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_length(u + i, n - i);
        if (!len)
            return false;
        i += len;
    }
    return true;
}

/* The escaped form of the character at S for MODE into TMP; *LEN gets the
 * bytes of S it covers. Returns NULL when the bytes go out as they are. */
static const char *escape_at(const unsigned char *s, size_t n, enum log_escape mode, char tmp[16],
                             size_t *len)
{
    *len = 1;
    if (mode == LOG_ESCAPE_NONE)
        return NULL;
    size_t u = utf8_length(s, n);
    if (u == 0) {
        /* Not UTF-8: one byte, shown by value. */
        snprintf(tmp, 16, mode == LOG_ESCAPE_JSON ? "\\u%04x" : "\\x%02x", s[0]);
        return tmp;
    }
    *len = u;
    if (u == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
        /* U+0080..U+009F: C1 controls, which some terminals obey. */
        snprintf(tmp, 16, "\\u%04x", s[1]);
        return tmp;
    }
    if (u > 1)
        return NULL;
    unsigned char c = s[0];
    if (mode == LOG_ESCAPE_JSON)
        return json_escape_of(c, tmp);
    /* Text: a line break, carriage return or terminal escape from a server's
     * message must not start a line of its own or drive the terminal. */
    if (c == '\t' || (mode == LOG_ESCAPE_STDOUT && c == '\n'))
        return NULL;
    if (c == '\n')
        return "\\n";
    if (c == '\r')
        return "\\r";
    if (c < 0x20 || c == 0x7f) {
        snprintf(tmp, 16, "\\x%02x", c);
        return tmp;
    }
    return NULL;
}

/* Length of the registered secret that starts at T[I], 0 if none. */
static size_t secret_at(const unsigned char *t, size_t len, size_t i)
{
    if (!secret_first_byte[t[i]])
        return 0;
    for (size_t s = 0; s < secret_count; s++) {
        const struct secret_entry *e = &secrets[s];
        if (e->len <= len - i && memcmp(t + i, e->value, e->len) == 0)
            return e->len;
    }
    return 0;
}

size_t log_put_redacted(struct buf *b, const char *text, size_t len, enum log_escape mode,
                        size_t max, bool partial)
{
    const unsigned char *t = (const unsigned char *)text;
    /* A prefix of a longer text may end inside a secret (or a character):
     * stop where the longest one could still begin. */
    size_t end = len;
    if (partial) {
        size_t hold = log_secret_max_len() > 4 ? log_secret_max_len() : 4;
        end = len > hold ? len - hold : 0;
    }
    size_t start = b->len, i = 0;
    while (i < end && !b->failed) {
        size_t hit = secret_at(t, len, i);
        char tmp[16];
        size_t covered = hit;
        const char *out = hit ? "***" : escape_at(t + i, len - i, mode, tmp, &covered);
        for (size_t k = 1; !hit && k < covered; k++) {
            if (secret_at(t, len, i + k)) {
                /* A secret (not UTF-8 itself) starts inside this character:
                 * the byte goes out alone, by value, and the next step
                 * sees the secret. */
                snprintf(tmp, sizeof tmp, mode == LOG_ESCAPE_JSON ? "\\u%04x" : "\\x%02x", t[i]);
                out = mode == LOG_ESCAPE_NONE ? NULL : tmp;
                covered = 1;
            }
        }
        size_t out_len = out ? strlen(out) : covered;
        if (b->len - start + out_len > max)
            break;
        buf_put(b, out ? out : (const char *)t + i, out_len);
        i += covered;
    }
    return i;
}

char *log_redact(const char *text, size_t len, size_t *out_len)
{
    struct buf b = {0};
    buf_reserve(&b, len);
    log_put_redacted(&b, text, len, LOG_ESCAPE_NONE, SIZE_MAX, false);
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    if (out_len)
        *out_len = b.len;
    return b.data;
}

void log_put_json_string(struct buf *b, const char *s, size_t n)
{
    buf_put(b, "\"", 1);
    log_put_redacted(b, s, n, LOG_ESCAPE_JSON, SIZE_MAX, false);
    buf_put(b, "\"", 1);
}

void log_put_timestamp(struct buf *b)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char text[40];
    size_t n = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(text + n, sizeof text - n, ".%03ldZ", ts.tv_nsec / 1000000);
    buf_puts(b, text);
}

bool log_write_line(int fd, const struct buf *b)
{
    if (b->failed || !b->data)
        return false;
    /* Once more over the whole line: escaping could, in theory, spell a
     * secret that the raw text did not hold. */
    size_t len;
    char *line = log_redact(b->data, b->len, &len);
    bool ok = line != NULL;
    /* One write per line on an O_APPEND descriptor keeps lines whole. */
    for (size_t off = 0; ok && off < len;) {
        ssize_t w = write(fd, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    free(line);
    return ok;
}

void log_write_cut(enum log_level level, const char *app, const char *where, const char *msg,
                   size_t msg_len, size_t total_len)
{
    if (!log_enabled(level))
        return;
    if (!app)
        app = log_current_app();
    bool partial = total_len > msg_len;
    struct buf b = {0};
    size_t shown;
    if (log_fmt == LOG_FORMAT_JSON) {
        buf_puts(&b, "{\"ts\":\"");
        log_put_timestamp(&b);
        buf_puts(&b, "\",\"level\":\"");
        buf_puts(&b, level_names[level]);
        buf_puts(&b, "\"");
        if (app) {
            buf_puts(&b, ",\"app\":");
            log_put_json_string(&b, app, strlen(app));
        }
        if (where) {
            buf_puts(&b, ",\"where\":");
            log_put_json_string(&b, where, strlen(where));
        }
        buf_puts(&b, ",\"msg\":\"");
        shown = log_put_redacted(&b, msg, msg_len, LOG_ESCAPE_JSON, LOG_LINE_MAX, partial);
        if (shown < total_len)
            buf_printf(&b, "... (%zu bytes cut)", total_len - shown);
        buf_puts(&b, "\"}\n");
    } else {
        static const char *const tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
        log_put_timestamp(&b);
        buf_puts(&b, " ");
        buf_puts(&b, tags[level]);
        buf_puts(&b, " ");
        if (app) {
            buf_puts(&b, "[");
            log_put_redacted(&b, app, strlen(app), LOG_ESCAPE_TEXT, 256, false);
            buf_puts(&b, "] ");
        }
        shown = log_put_redacted(&b, msg, msg_len, LOG_ESCAPE_TEXT, LOG_LINE_MAX, partial);
        if (shown < total_len)
            buf_printf(&b, "... (%zu bytes cut)", total_len - shown);
        if (where && (level != LOG_INFO || log_min == LOG_DEBUG)) {
            buf_puts(&b, " (");
            log_put_redacted(&b, where, strlen(where), LOG_ESCAPE_TEXT, 512, false);
            buf_puts(&b, ")");
        }
        buf_puts(&b, "\n");
    }
    log_write_line(STDERR_FILENO, &b);
    buf_free(&b);
}

void log_write(enum log_level level, const char *app, const char *where, const char *msg,
               size_t msg_len)
{
    log_write_cut(level, app, where, msg, msg_len, msg_len);
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
    struct buf b = {0};
    log_put_redacted(&b, text, len, LOG_ESCAPE_STDOUT, SIZE_MAX, false);
    fflush(stdout);
    log_write_line(STDOUT_FILENO, &b);
    buf_free(&b);
}

/* A script's argument longer than a log line is replaced, before anything
 * builds the line, by its redacted head; *CUT counts what was left out. So
 * log.info("%s", huge) costs a line, not a copy of HUGE. [-0, +0, m] */
static void log_cap_arg(lua_State *L, int i, size_t *cut)
{
    size_t len;
    const char *s = lua_tolstring(L, i, &len);
    if (lua_type(L, i) != LUA_TSTRING || len <= LOG_LINE_MAX)
        return;
    struct buf b = {0};
    size_t shown = log_put_redacted(&b, s, len, LOG_ESCAPE_NONE, LOG_LINE_MAX, false);
    if (b.failed) {
        buf_free(&b);
        luaL_error(L, "not enough memory");
    }
    *cut += len - shown;
    lua_pushlstring(L, b.data, b.len);
    buf_free(&b);
    lua_replace(L, i);
}

/* Lua side: log.info(fmt, ...) formats with string.format and logs with the
 * caller's file:line. */
static int log_lua_at(lua_State *L, enum log_level level)
{
    if (!log_enabled(level))
        return 0;
    int nargs = lua_gettop(L);
    size_t cut = 0;
    if (nargs > 1) {
        for (int i = 2; i <= nargs; i++)
            log_cap_arg(L, i, &cut);
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
    log_write_cut(level, NULL, where, msg, len, len + cut);
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

/* log.app(name) labels the following lines of the running task (or of the
 * main flow) with the app they concern; nil clears it. A copy: the label
 * outlives no string, and a longer one is cut as a line would show it. */
static int log_lua_app(lua_State *L)
{
    const char *name = lua_isnoneornil(L, 1) ? "" : luaL_checkstring(L, 1);
    snprintf(log_app_slot, LOG_APP_MAX, "%s", name);
    return 0;
}

/* print(...) goes through the sink at info level, tab-separated like Lua's. */
int log_lua_print(lua_State *L)
{
    int n = lua_gettop(L);
    size_t cut = 0;
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        lua_replace(L, i);
        log_cap_arg(L, i, &cut);
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        lua_pushvalue(L, i);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    char where[256];
    lutil_where(L, 1, where, sizeof where);
    log_write_cut(LOG_INFO, NULL, where, msg, len, len + cut);
    return 0;
}

void log_reset_app(void)
{
    log_main_app[0] = '\0';
    log_app_slot = log_main_app;
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
