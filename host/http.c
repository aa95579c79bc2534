/* host.http: one request primitive on libcurl.
 *
 * http.request{method = "GET", url, headers = {}, body, timeout = 30,
 *              connect_timeout = 5, max_bytes = 64 MiB, ca_file, tls_verify = true,
 *              max_redirects = 5, read_only = false}
 *   -> {status, headers, body, url} | nil, err
 * http.get(url [, opts])  http.delete(url [, opts])
 * http.post(url, body [, opts])  http.put(url, body [, opts])
 * http.user_agent
 *
 * Response header names are lower-cased, repeats joined with ", "; url is the
 * final URL after redirects. err = {kind, message} with __tostring; kind is
 * connect, dns, timeout, tls, too_large or protocol. Unknown options, wrong
 * types and malformed URLs or headers raise.
 *
 * Every transfer runs on one libcurl multi handle. Outside a host.parallel
 * task a request blocks until its exchange, redirects included, has ended;
 * inside one it yields (sched.h) and the other tasks' transfers run
 * meanwhile. Each hop is started and finished here in C, so a redirect or
 * the next request queued for the same origin starts without Lua. Everything
 * C allocates for a request hangs off a request userdata with __gc, which
 * also takes a transfer still in flight off the multi handle, so a Lua error
 * at any point (a bad option, out of memory while building the result, an
 * abandoned task) frees it. Curl handles live in a per-origin pool owned by
 * the host and never reach Lua: one easy handle per origin, used by one
 * transfer at a time (the others wait in its queue, in order), so each app
 * keeps one kept-alive connection; each is reset after every transfer so it
 * keeps no pointer into freed request memory.
 *
 * During plan and run --dry-run only GET and HEAD go out, unless a request says
 * read_only = true (a provider /test changes nothing): a script bug cannot
 * turn a plan into a write. read_only requests do not count as writes.
 *
 * Redirects are followed here rather than by libcurl, so that secret-bearing
 * headers can be dropped when a redirect leaves the origin.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "buf.h"
#include "curl_load.h"
#include "deadline.h"
#include "host.h"
#include "log.h"
#include "lutil.h"
#include "sched.h"

#define HTTP_USER_AGENT "starrhost/" STARRHOST_VERSION
#define HTTP_DEFAULT_TIMEOUT 30.0
#define HTTP_DEFAULT_CONNECT_TIMEOUT 5.0
#define HTTP_DEFAULT_MAX_BYTES ((lua_Integer)64 * 1024 * 1024)
#define HTTP_DEFAULT_MAX_REDIRECTS 5
#define HTTP_MAX_ORIGINS 32
#define HTTP_ORIGIN_LEN 512
#define HTTP_CTX_MT "starrhost.http.request"
#define HTTP_ERROR_MT "starrhost.http.error"

/* ---- The per-origin pool: one easy handle, hence one transfer and one
 * connection at a time, per scheme://host:port ---- */

struct http_ctx;

struct http_origin {
    char key[HTTP_ORIGIN_LEN];
    CURL *easy;
    bool warned_insecure;
    struct http_ctx *active;             /* the transfer on easy, NULL when idle */
    struct http_ctx *queue, *queue_tail; /* waiting for easy, first come first served */
    unsigned long used;                  /* when last taken, for eviction */
};

static struct http_origin http_origins[HTTP_MAX_ORIGINS];
static size_t http_origin_count;
static unsigned long http_origin_clock;
static CURLM *http_multi;
static size_t http_attached; /* transfers on the multi handle */
static bool http_curl_ready;
static int http_record_fd = -1;

void http_shutdown(void)
{
    for (size_t i = 0; i < http_origin_count; i++) {
        if (http_multi)
            curl_fn.multi_remove_handle(http_multi, http_origins[i].easy);
        curl_fn.easy_cleanup(http_origins[i].easy);
    }
    if (http_multi)
        curl_fn.multi_cleanup(http_multi);
    http_multi = NULL;
    http_attached = 0;
    memset(http_origins, 0, sizeof http_origins);
    http_origin_count = 0;
    if (http_record_fd >= 0)
        close(http_record_fd);
    http_record_fd = -1;
    if (http_curl_ready)
        curl_fn.global_cleanup();
    http_curl_ready = false;
}

bool http_in_flight(void)
{
    return http_attached > 0;
}

/* The slot of origin KEY; NULL when out of memory, or (*BUSY set) when every
 * slot has a transfer. */
static struct http_origin *http_origin_get(const char *key, bool *busy)
{
    *busy = false;
    for (size_t i = 0; i < http_origin_count; i++) {
        if (strcmp(http_origins[i].key, key) == 0) {
            http_origins[i].used = ++http_origin_clock;
            return &http_origins[i];
        }
    }
    struct http_origin *o = NULL;
    if (http_origin_count < HTTP_MAX_ORIGINS) {
        o = &http_origins[http_origin_count];
    } else {
        /* A run talks to a handful of apps; beyond that the least recently
         * used idle origin gives way. */
        for (size_t i = 0; i < HTTP_MAX_ORIGINS; i++) {
            struct http_origin *c = &http_origins[i];
            if (!c->active && !c->queue && (!o || c->used < o->used))
                o = c;
        }
        if (!o) {
            *busy = true;
            return NULL;
        }
    }
    CURL *easy = curl_fn.easy_init();
    if (!easy)
        return NULL;
    if (o == &http_origins[http_origin_count])
        http_origin_count++;
    else
        curl_fn.easy_cleanup(o->easy);
    memset(o, 0, sizeof *o);
    snprintf(o->key, sizeof o->key, "%s", key);
    o->easy = easy;
    o->used = ++http_origin_clock;
    return o;
}

/* Writes "scheme://host:port" of URL, lower-cased, into KEY. Returns false
 * when URL is not an absolute http(s) URL libcurl can parse. */
static bool http_origin_key(const char *url, char *key, size_t key_len, bool *is_https)
{
    CURLU *u = curl_fn.url();
    if (!u)
        return false;
    char *scheme = NULL, *host = NULL, *port = NULL;
    bool ok = curl_fn.url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_fn.url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_fn.url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
              curl_fn.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
    if (ok) {
        for (char *p = scheme; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        for (char *p = host; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        ok = (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) && *host &&
             (size_t)snprintf(key, key_len, "%s://%s:%s", scheme, host, port) < key_len;
        if (is_https)
            *is_https = ok && strcmp(scheme, "https") == 0;
    }
    curl_fn.free(scheme);
    curl_fn.free(host);
    curl_fn.free(port);
    curl_fn.url_cleanup(u);
    return ok;
}

/* ---- Redaction ---- */

/* Returns a malloc'd copy of URL with the value of every `apikey` query
 * parameter (any case) and any userinfo password replaced by ***, then every
 * registered secret. NULL when out of memory. */
static char *http_redact_url(const char *url)
{
    struct buf b = {0};
    const char *p = url;
    const char *scheme_end = strstr(url, "://");
    if (scheme_end) {
        const char *auth = scheme_end + 3;
        size_t auth_len = strcspn(auth, "/?#");
        const char *at = memchr(auth, '@', auth_len);
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            buf_put(&b, url, (size_t)(colon + 1 - url));
            buf_puts(&b, "***");
            p = at;
        }
    }
    const char *q = strchr(p, '?');
    if (!q) {
        buf_puts(&b, p);
    } else {
        buf_put(&b, p, (size_t)(q + 1 - p));
        const char *s = q + 1;
        while (*s && *s != '#') {
            size_t n = strcspn(s, "&#");
            const char *eq = memchr(s, '=', n);
            if (eq && eq - s == 6 && strncasecmp(s, "apikey", 6) == 0) {
                buf_put(&b, s, 7);
                buf_puts(&b, "***");
            } else {
                buf_put(&b, s, n);
            }
            s += n;
            if (*s == '&') {
                buf_put(&b, "&", 1);
                s++;
            }
        }
        buf_puts(&b, s);
    }
    if (b.failed || !b.data) {
        buf_free(&b);
        return NULL;
    }
    char *out = log_redact(b.data, b.len, NULL);
    buf_free(&b);
    return out;
}

static bool http_contains_secret(const char *s, size_t len)
{
    size_t out_len;
    char *r = log_redact(s, len, &out_len);
    bool differs = !r || out_len != len || memcmp(r, s, len) != 0;
    free(r);
    return differs;
}

/* Header names whose values are credentials whatever they hold. */
static bool http_secret_header_name(const char *name, size_t len)
{
    static const char *const names[] = {"x-api-key", "authorization", "proxy-authorization",
                                        "cookie", "set-cookie"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0)
            return true;
    }
    return false;
}

/* ---- One request: its options and every C resource it holds ---- */

enum http_kind {
    HTTP_OK = 0,
    HTTP_ERR_CONNECT,
    HTTP_ERR_DNS,
    HTTP_ERR_TIMEOUT,
    HTTP_ERR_TLS,
    HTTP_ERR_TOO_LARGE,
    HTTP_ERR_PROTOCOL,
};
static const char *const http_kind_names[] = {"ok",  "connect",   "dns",     "timeout",
                                              "tls", "too_large", "protocol"};
static const char *const http_kind_text[] = {"ok",
                                             "cannot connect",
                                             "cannot resolve the host name",
                                             "timed out",
                                             "TLS failure",
                                             "response too large",
                                             "protocol error"};

struct http_req_header {
    char *line;      /* "Name: value" as sent */
    size_t name_len; /* length of Name */
    bool secret;     /* dropped across origins and from recordings */
};

struct http_ctx {
    /* Options; strings point into Lua values anchored on the C call's stack. */
    char method[8];
    const char *url;
    char first_origin[HTTP_ORIGIN_LEN]; /* scheme://host:port of url */
    const char *body;
    size_t body_len;
    bool has_body;
    long timeout_ms, connect_timeout_ms;
    long hop_timeout_ms; /* what is left of timeout_ms for this hop */
    curl_off_t max_bytes;
    const char *ca_file;
    bool tls_verify;
    bool read_only;   /* the request changes nothing on the server */
    bool safe_method; /* GET or HEAD: follows any redirect, never a write */
    int max_redirects;
    bool user_agent_set, expect_set, content_type_set;
    bool has_secret_header, warned_cross;

    /* Owned C resources, freed by http_ctx_release (also from __gc). */
    struct http_req_header *headers;
    size_t header_count;
    struct curl_slist *slist_same;  /* every header, plus our defaults */
    struct curl_slist *slist_cross; /* without secret-bearing ones */
    char *cur_url;                  /* URL of the current hop */
    struct buf body_buf;            /* response body of the current hop */
    struct buf head_buf;            /* "name\0value\0" pairs of the current hop */
    size_t resp_header_count;
    char *error_msg;

    CURL *easy; /* the pooled handle of the current hop, for the callbacks */

    /* The transfer (see http_begin). */
    struct sched_wait wait;       /* done once the exchange, every hop, has ended */
    char where[256];              /* file:line of the script's call */
    char app[LOG_APP_MAX];        /* its log label, for lines written between hops */
    double start_ms;              /* when the exchange began */
    struct http_origin *origin;   /* of the current hop */
    struct http_ctx *next_queued; /* in origin->queue */
    bool attached;                /* on the multi handle */
    bool queued;                  /* in origin->queue */
    bool may_have_written;
    bool oom; /* out of memory on the way: raises */

    /* Outcome. */
    bool too_large;
    enum http_kind kind;
    long status;
    int hops;
    double duration_ms;
    char errbuf[CURL_ERROR_SIZE];
};

/* Header lines (X-Api-Key: ...) and URLs (?apikey=...) may hold a key: every
 * copy is wiped before it is freed, libcurl's list copies included. */
static void http_slist_wipe_free(struct curl_slist *list)
{
    for (struct curl_slist *s = list; s; s = s->next)
        explicit_bzero(s->data, strlen(s->data));
    curl_fn.slist_free_all(list);
}

static void http_wipe_free_string(char *s)
{
    if (s)
        buf_wipe_free(s, strlen(s));
}

static void http_ctx_release(struct http_ctx *c)
{
    for (size_t i = 0; i < c->header_count; i++)
        http_wipe_free_string(c->headers[i].line);
    free(c->headers);
    c->headers = NULL;
    c->header_count = 0;
    http_slist_wipe_free(c->slist_same);
    http_slist_wipe_free(c->slist_cross);
    c->slist_same = c->slist_cross = NULL;
    http_wipe_free_string(c->cur_url);
    c->cur_url = NULL;
    buf_free(&c->body_buf);
    buf_free(&c->head_buf);
    free(c->error_msg);
    c->error_msg = NULL;
}

static void http_detach(struct http_ctx *c);

static int http_ctx_gc(lua_State *L)
{
    struct http_ctx *c = luaL_checkudata(L, 1, HTTP_CTX_MT);
    http_detach(c);
    http_ctx_release(c);
    return 0;
}

/* ---- Reading the options (may raise: nothing is held but the userdata) ---- */

static const char *const http_option_names[] = {
    "method",    "url",     "headers",    "body",          "timeout",   "connect_timeout",
    "max_bytes", "ca_file", "tls_verify", "max_redirects", "read_only", NULL,
};

static void http_check_option_names(lua_State *L, int t)
{
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "host.http: option names must be strings");
        const char *k = lua_tostring(L, -1);
        bool known = false;
        for (size_t i = 0; http_option_names[i]; i++)
            known = known || strcmp(k, http_option_names[i]) == 0;
        if (!known)
            luaL_error(L, "host.http: unknown option '%s'", k);
    }
}

/* Pushes field K of table T and leaves it on the stack (anchoring strings). */
static int http_field(lua_State *L, int t, const char *k)
{
    return lua_getfield(L, t, k);
}

static long http_seconds_ms(lua_State *L, int t, const char *k, double def)
{
    double s = def;
    int type = http_field(L, t, k);
    if (type != LUA_TNIL) {
        if (type != LUA_TNUMBER)
            luaL_error(L, "host.http: option '%s' must be a number of seconds", k);
        s = lua_tonumber(L, -1);
        if (!(s > 0 && s <= 86400))
            luaL_error(L, "host.http: option '%s' must be between 0 and 86400 seconds", k);
    }
    lua_pop(L, 1);
    long ms = (long)ceil(s * 1000.0);
    return ms < 1 ? 1 : ms;
}

static bool http_token_char(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void http_add_header(lua_State *L, struct http_ctx *c, const char *name, size_t name_len,
                            const char *value, size_t value_len)
{
    if (name_len == 0)
        luaL_error(L, "host.http: empty header name");
    for (size_t i = 0; i < name_len; i++) {
        if (!http_token_char((unsigned char)name[i]))
            luaL_error(L, "host.http: invalid header name '%s'", name);
    }
    for (size_t i = 0; i < value_len; i++) {
        if (value[i] == '\r' || value[i] == '\n' || value[i] == '\0')
            luaL_error(L, "host.http: header '%s' has a line break or NUL in its value", name);
    }
    struct http_req_header *grown = realloc(c->headers, (c->header_count + 1) * sizeof *c->headers);
    if (!grown)
        luaL_error(L, "not enough memory");
    c->headers = grown;
    char *line = malloc(name_len + value_len + 3);
    if (!line)
        luaL_error(L, "not enough memory");
    memcpy(line, name, name_len);
    /* "Name;" is libcurl's spelling of a header with an empty value. */
    if (value_len == 0) {
        line[name_len] = ';';
        line[name_len + 1] = '\0';
    } else {
        memcpy(line + name_len, ": ", 2);
        memcpy(line + name_len + 2, value, value_len);
        line[name_len + 2 + value_len] = '\0';
    }
    bool secret = http_secret_header_name(name, name_len) || http_contains_secret(value, value_len);
    c->headers[c->header_count++] = (struct http_req_header){line, name_len, secret};
    c->has_secret_header = c->has_secret_header || secret;
    if (name_len == 10 && strncasecmp(name, "user-agent", 10) == 0)
        c->user_agent_set = true;
    else if (name_len == 6 && strncasecmp(name, "expect", 6) == 0)
        c->expect_set = true;
    else if (name_len == 12 && strncasecmp(name, "content-type", 12) == 0)
        c->content_type_set = true;
}

static void http_read_headers(lua_State *L, struct http_ctx *c, int t)
{
    int type = http_field(L, t, "headers");
    if (type == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (type != LUA_TTABLE)
        luaL_error(L, "host.http: option 'headers' must be a table");
    int h = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, h)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "host.http: header names must be strings");
        int vt = lua_type(L, -1);
        if (vt != LUA_TSTRING && vt != LUA_TNUMBER)
            luaL_error(L, "host.http: header '%s' must be a string or a number",
                       lua_tostring(L, -2));
        size_t name_len, value_len;
        const char *name = lua_tolstring(L, -2, &name_len);
        const char *value = luaL_tolstring(L, -1, &value_len); /* a copy: keeps the key */
        http_add_header(L, c, name, name_len, value, value_len);
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

/* The request userdata is at this index of http_request's stack. Its user
 * values hold the strings its pointers point into, so they live as long as
 * it does, also while a transfer of an abandoned task waits for __gc. */
#define HTTP_CTX_INDEX 2
enum { HTTP_UV_URL = 1, HTTP_UV_BODY, HTTP_UV_CA_FILE, HTTP_UV_COUNT = HTTP_UV_CA_FILE };

static void http_anchor(lua_State *L, int uv)
{
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, HTTP_CTX_INDEX, uv);
}

static void http_read_options(lua_State *L, struct http_ctx *c, int t)
{
    http_check_option_names(L, t);

    if (http_field(L, t, "url") != LUA_TSTRING)
        luaL_error(L, "host.http: option 'url' must be a string");
    size_t url_len;
    c->url = lua_tolstring(L, -1, &url_len); /* stays on the stack */
    http_anchor(L, HTTP_UV_URL);
    if (strlen(c->url) != url_len ||
        !http_origin_key(c->url, c->first_origin, sizeof c->first_origin, NULL)) {
        /* Shown redacted and on one line; owned by C so a raise cannot leak it. */
        c->error_msg = http_redact_url(c->url);
        for (char *p = c->error_msg; p && *p; p++)
            *p = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
        luaL_error(L, "host.http: 'url' is not an absolute http:// or https:// URL: %s",
                   c->error_msg ? c->error_msg : "?");
    }

    int type = http_field(L, t, "method");
    const char *m = "GET";
    if (type != LUA_TNIL) {
        if (type != LUA_TSTRING)
            luaL_error(L, "host.http: option 'method' must be a string");
        m = lua_tostring(L, -1);
    }
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", NULL};
    bool known = false;
    for (size_t i = 0; methods[i] && !known; i++) {
        if (strcasecmp(m, methods[i]) == 0) {
            snprintf(c->method, sizeof c->method, "%s", methods[i]);
            known = true;
        }
    }
    if (!known)
        luaL_error(L, "host.http: unsupported method '%s'", m);
    c->safe_method = strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0;
    lua_pop(L, 1);

    type = http_field(L, t, "body");
    if (type != LUA_TNIL) {
        if (type != LUA_TSTRING)
            luaL_error(L, "host.http: option 'body' must be a string");
        c->body = lua_tolstring(L, -1, &c->body_len); /* stays on the stack */
        http_anchor(L, HTTP_UV_BODY);
        c->has_body = true;
        if (strcmp(c->method, "HEAD") == 0)
            luaL_error(L, "host.http: a HEAD request cannot have a body");
    }

    c->timeout_ms = http_seconds_ms(L, t, "timeout", HTTP_DEFAULT_TIMEOUT);
    c->connect_timeout_ms = http_seconds_ms(L, t, "connect_timeout", HTTP_DEFAULT_CONNECT_TIMEOUT);

    c->max_bytes = HTTP_DEFAULT_MAX_BYTES;
    type = http_field(L, t, "max_bytes");
    if (type != LUA_TNIL) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
            luaL_error(L, "host.http: option 'max_bytes' must be a non-negative integer");
        c->max_bytes = (curl_off_t)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);

    c->max_redirects = HTTP_DEFAULT_MAX_REDIRECTS;
    type = http_field(L, t, "max_redirects");
    if (type != LUA_TNIL) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > 20)
            luaL_error(L, "host.http: option 'max_redirects' must be an integer from 0 to 20");
        c->max_redirects = (int)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);

    type = http_field(L, t, "ca_file");
    if (type != LUA_TNIL) {
        if (type != LUA_TSTRING)
            luaL_error(L, "host.http: option 'ca_file' must be a string");
        c->ca_file = lua_tostring(L, -1); /* stays on the stack */
        http_anchor(L, HTTP_UV_CA_FILE);
    }

    c->tls_verify = true;
    type = http_field(L, t, "tls_verify");
    if (type != LUA_TNIL) {
        if (type != LUA_TBOOLEAN)
            luaL_error(L, "host.http: option 'tls_verify' must be a boolean");
        c->tls_verify = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);

    type = http_field(L, t, "read_only");
    if (type != LUA_TNIL) {
        if (type != LUA_TBOOLEAN)
            luaL_error(L, "host.http: option 'read_only' must be a boolean");
        c->read_only = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);

    http_read_headers(L, c, t);
}

/* Builds the two header lists: one for the request's own origin, one for
 * other origins a redirect may lead to. */
static bool http_build_slists(struct http_ctx *c)
{
    for (size_t i = 0; i < c->header_count; i++) {
        struct curl_slist *s = curl_fn.slist_append(c->slist_same, c->headers[i].line);
        if (!s)
            return false;
        c->slist_same = s;
        if (!c->headers[i].secret) {
            s = curl_fn.slist_append(c->slist_cross, c->headers[i].line);
            if (!s)
                return false;
            c->slist_cross = s;
        }
    }
    /* No 100-continue round trip; and no form content type invented by libcurl
     * for a body the script did not label. */
    const char *defaults[2] = {c->expect_set ? NULL : "Expect:",
                               c->has_body && !c->content_type_set ? "Content-Type:" : NULL};
    for (size_t i = 0; i < 2; i++) {
        if (!defaults[i])
            continue;
        struct curl_slist *s = curl_fn.slist_append(c->slist_same, defaults[i]);
        if (!s)
            return false;
        c->slist_same = s;
        s = curl_fn.slist_append(c->slist_cross, defaults[i]);
        if (!s)
            return false;
        c->slist_cross = s;
    }
    return true;
}

/* ---- libcurl callbacks (C only: no Lua in here) ---- */

static size_t http_on_body(char *ptr, size_t size, size_t n, void *ud)
{
    struct http_ctx *c = ud;
    size_t len = size * n;
    if ((curl_off_t)(c->body_buf.len + len) > c->max_bytes) {
        c->too_large = true;
        return 0;
    }
    if (c->body_buf.cap == 0 && c->easy) {
        /* One allocation when the length is announced (within max_bytes). */
        curl_off_t announced = -1;
        curl_fn.easy_getinfo(c->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
        if (announced > 0 && announced <= c->max_bytes)
            buf_reserve(&c->body_buf, (size_t)announced);
    }
    buf_put(&c->body_buf, ptr, len);
    return c->body_buf.failed ? 0 : len;
}

static size_t http_on_header(char *ptr, size_t size, size_t n, void *ud)
{
    struct http_ctx *c = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
        /* A new response (after 1xx or a proxy's CONNECT): start over. */
        c->head_buf.len = 0;
        c->resp_header_count = 0;
        return len;
    }
    while (len > 0 && (ptr[len - 1] == '\n' || ptr[len - 1] == '\r'))
        len--;
    const char *colon = memchr(ptr, ':', len);
    if (!colon || colon == ptr || ptr[0] == ' ' || ptr[0] == '\t')
        return size * n; /* blank line, or an obsolete folded line: ignored */
    size_t name_len = (size_t)(colon - ptr);
    const char *v = colon + 1;
    size_t v_len = len - name_len - 1;
    while (v_len > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        v_len--;
    }
    while (v_len > 0 && (v[v_len - 1] == ' ' || v[v_len - 1] == '\t'))
        v_len--;
    if (!buf_reserve(&c->head_buf, name_len + v_len + 2))
        return 0;
    /* NUL separates the stored strings; one inside a header becomes a space. */
    for (size_t i = 0; i < name_len; i++)
        c->head_buf.data[c->head_buf.len++] = ptr[i] ? (char)tolower((unsigned char)ptr[i]) : ' ';
    c->head_buf.data[c->head_buf.len++] = '\0';
    for (size_t i = 0; i < v_len; i++)
        c->head_buf.data[c->head_buf.len++] = v[i] ? v[i] : ' ';
    c->head_buf.data[c->head_buf.len++] = '\0';
    c->resp_header_count++;
    return size * n;
}

/* ---- The transfer ---- */

static const char *http_env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static void http_setup(CURL *e, struct http_ctx *c, bool cross_origin)
{
    curl_fn.easy_setopt(e, CURLOPT_URL, c->cur_url);
    curl_fn.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_fn.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_fn.easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_fn.easy_setopt(e, CURLOPT_USERAGENT, HTTP_USER_AGENT);
    curl_fn.easy_setopt(e, CURLOPT_HTTPHEADER, cross_origin ? c->slist_cross : c->slist_same);
    curl_fn.easy_setopt(e, CURLOPT_TIMEOUT_MS, c->hop_timeout_ms);
    curl_fn.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_fn.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, c->max_bytes);
    curl_fn.easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_fn.easy_setopt(e, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_fn.easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_fn.easy_setopt(e, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_fn.easy_setopt(e, CURLOPT_HEADERDATA, c);
    curl_fn.easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_fn.easy_setopt(e, CURLOPT_PRIVATE, (void *)c);
    curl_fn.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
    curl_fn.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
    /* libcurl leaves these variables to the curl tool; honour them here. */
    const char *ca = c->ca_file;
    if (!ca)
        ca = http_env_nonempty("CURL_CA_BUNDLE");
    if (!ca)
        ca = http_env_nonempty("SSL_CERT_FILE");
    if (ca)
        curl_fn.easy_setopt(e, CURLOPT_CAINFO, ca);
    const char *ca_dir = http_env_nonempty("SSL_CERT_DIR");
    if (ca_dir && !c->ca_file)
        curl_fn.easy_setopt(e, CURLOPT_CAPATH, ca_dir);

    const char *m = c->method;
    if (strcmp(m, "HEAD") == 0) {
        curl_fn.easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (strcmp(m, "GET") == 0 && !c->has_body) {
        curl_fn.easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(m, "POST") != 0)
            curl_fn.easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
        /* POST, PUT and PATCH always carry a length, "" when no body. */
        if (c->has_body || strcmp(m, "DELETE") != 0) {
            curl_fn.easy_setopt(e, CURLOPT_POSTFIELDS, c->has_body ? c->body : "");
            curl_fn.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                                (curl_off_t)(c->has_body ? c->body_len : 0));
        }
    }
}

static enum http_kind http_classify(CURLcode rc, const struct http_ctx *c)
{
    switch (rc) {
    case CURLE_OK:
        return HTTP_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return HTTP_ERR_DNS;
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return HTTP_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return HTTP_ERR_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        return HTTP_ERR_TLS;
    case CURLE_FILESIZE_EXCEEDED:
        return HTTP_ERR_TOO_LARGE;
    case CURLE_WRITE_ERROR:
        return c->too_large ? HTTP_ERR_TOO_LARGE : HTTP_ERR_PROTOCOL;
    default:
        return HTTP_ERR_PROTOCOL;
    }
}

static void http_set_error(struct http_ctx *c, enum http_kind kind, const char *detail)
{
    c->kind = kind;
    char *url = http_redact_url(c->cur_url);
    struct buf b = {0};
    buf_printf(&b, "%s ", c->method);
    buf_puts(&b, url ? url : "(url)");
    buf_puts(&b, ": ");
    buf_puts(&b, detail);
    free(url);
    free(c->error_msg);
    c->error_msg = b.data ? log_redact(b.data, b.len, NULL) : NULL;
    buf_free(&b);
}

static bool http_is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* GET and HEAD follow every redirect; other methods only 307/308, which keep
 * the method and body (a 301/302/303 to a write comes back as the response).
 * max_redirects = 0 returns every redirect as the response. */
static bool http_should_follow(const struct http_ctx *c, long status)
{
    if (!http_is_redirect(status) || c->max_redirects == 0)
        return false;
    if (c->safe_method)
        return true;
    return status == 307 || status == 308;
}

static double http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void http_trace(const struct http_ctx *c, CURL *e, CURLcode rc, const char *where)
{
    if (!log_enabled(LOG_DEBUG))
        return;
    long status = 0, connects = 0;
    curl_off_t sent = 0, total_us = 0;
    curl_fn.easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_fn.easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
    curl_fn.easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
    curl_fn.easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &sent);
    char *url = http_redact_url(c->cur_url);
    char outcome[64];
    if (rc == CURLE_OK)
        snprintf(outcome, sizeof outcome, "%ld", status);
    else
        snprintf(outcome, sizeof outcome, "failed (%s)", http_kind_names[http_classify(rc, c)]);
    log_printf(LOG_DEBUG, where,
               "http %s %s -> %s in %.1f ms, %lld bytes sent, %zu bytes received%s", c->method,
               url ? url : "(url)", outcome, (double)total_us / 1000.0, (long long)sent,
               c->body_buf.len,
               rc != CURLE_OK ? ""
               : connects     ? ", new connection"
                              : ", reused connection");
    free(url);
}

/* The deadline passed during this request: says which one (exit 3); the
 * line carries the app's label. */
static void http_deadline(const struct http_ctx *c, const char *where)
{
    char *url = http_redact_url(c->cur_url);
    deadline_expire(EXIT_UNREACHABLE, "during %s %s (at %s)", c->method, url ? url : "(url)",
                    where);
    free(url);
}

/* ---- The transfer: hops started and finished in C, no Lua ---- */

static void http_hop_start(struct http_ctx *c);

/* The exchange has ended, with a response or an error. */
static void http_finish(struct http_ctx *c)
{
    if (c->kind != HTTP_OK && !c->error_msg)
        c->oom = true;
    if (!c->oom && c->may_have_written && !c->read_only && !c->safe_method)
        host_write_count++;
    c->duration_ms = http_now_ms() - c->start_ms;
    c->wait.done = true;
}

/* Puts the current hop of C on its origin's handle and the multi handle. */
static void http_attach(struct http_ctx *c)
{
    struct http_origin *o = c->origin;
    o->active = c;
    c->body_buf.len = 0;
    c->head_buf.len = 0;
    c->resp_header_count = 0;
    c->too_large = false;
    c->errbuf[0] = '\0';
    curl_fn.easy_reset(o->easy);
    c->easy = o->easy;
    http_setup(o->easy, c, strcmp(o->key, c->first_origin) != 0);
    CURLMcode mc = curl_fn.multi_add_handle(http_multi, o->easy);
    if (mc != CURLM_OK) {
        o->active = NULL;
        c->easy = NULL;
        curl_fn.easy_reset(o->easy);
        if (mc == CURLM_OUT_OF_MEMORY)
            c->oom = true;
        else
            http_set_error(c, HTTP_ERR_PROTOCOL, "cannot start the transfer");
        http_finish(c);
        return;
    }
    c->attached = true;
    http_attached++;
}

/* C no longer uses its origin's handle: the next transfer queued for that
 * origin starts. */
static void http_release_origin(struct http_ctx *c)
{
    struct http_origin *o = c->origin;
    if (!o || o->active != c)
        return;
    o->active = NULL;
    struct http_ctx *next = o->queue;
    if (next) {
        o->queue = next->next_queued;
        if (!o->queue)
            o->queue_tail = NULL;
        next->queued = false;
        next->next_queued = NULL;
        http_attach(next);
    }
}

/* Takes C off the multi handle or out of its origin's queue, wherever it
 * is (harmless when it is in neither). */
static void http_detach(struct http_ctx *c)
{
    if (c->attached) {
        curl_fn.multi_remove_handle(http_multi, c->easy);
        curl_fn.easy_reset(c->easy);
        c->attached = false;
        c->easy = NULL;
        http_attached--;
        http_release_origin(c);
    } else if (c->queued) {
        struct http_origin *o = c->origin;
        struct http_ctx **p = &o->queue, *prev = NULL;
        while (*p && *p != c) {
            prev = *p;
            p = &(*p)->next_queued;
        }
        if (*p)
            *p = c->next_queued;
        if (o->queue_tail == c)
            o->queue_tail = prev;
        c->queued = false;
        c->next_queued = NULL;
    }
}

/* The task waiting for C was abandoned (the deadline passed). */
static void http_cancel(struct sched_wait *w)
{
    struct http_ctx *c = (struct http_ctx *)(void *)((char *)w - offsetof(struct http_ctx, wait));
    http_detach(c);
    http_ctx_release(c);
    c->wait.done = true;
}

/* Starts hop c->hops of C (at c->cur_url): now, or after the transfers
 * queued before it on the same origin. */
static void http_hop_start(struct http_ctx *c)
{
    char origin[HTTP_ORIGIN_LEN];
    bool is_https;
    if (!http_origin_key(c->cur_url, origin, sizeof origin, &is_https)) {
        http_set_error(c, HTTP_ERR_PROTOCOL, "redirected to an unsupported URL");
        http_finish(c);
        return;
    }
    bool busy;
    struct http_origin *o = http_origin_get(origin, &busy);
    if (!o) {
        if (busy)
            http_set_error(c, HTTP_ERR_PROTOCOL, "more origins in use at once than the pool holds");
        else
            c->oom = true;
        http_finish(c);
        return;
    }
    if (!c->tls_verify && is_https && !o->warned_insecure) {
        o->warned_insecure = true;
        log_printf(LOG_WARN, c->where, "TLS certificate verification is off for %s", origin);
    }
    /* timeout bounds the whole request, redirects included. */
    long left_ms = c->timeout_ms - (long)(http_now_ms() - c->start_ms);
    if (left_ms <= 0) {
        http_set_error(c, HTTP_ERR_TIMEOUT, "timed out while following redirects");
        http_finish(c);
        return;
    }
    /* ... and never runs past the deadline of the whole run. */
    c->hop_timeout_ms = deadline_cap_ms(left_ms);
    if (c->hop_timeout_ms <= 0) {
        http_deadline(c, c->where);
        http_set_error(c, HTTP_ERR_TIMEOUT, "the run's deadline passed");
        http_finish(c);
        return;
    }
    bool cross = strcmp(origin, c->first_origin) != 0;
    if (cross && c->has_secret_header && !c->warned_cross) {
        /* Explains the 401 that usually follows. */
        c->warned_cross = true;
        log_printf(LOG_WARN, c->where, "redirected from %s to %s: credentials not forwarded",
                   c->first_origin, origin);
    }
    c->origin = o;
    if (o->active) {
        c->queued = true;
        if (o->queue_tail)
            o->queue_tail->next_queued = c;
        else
            o->queue = c;
        o->queue_tail = c;
        return;
    }
    http_attach(c);
}

/* The current hop of C ended with RC: the response is read, and the exchange
 * ends or follows a redirect. */
static void http_hop_done(struct http_ctx *c, CURLcode rc)
{
    CURL *e = c->easy;
    curl_fn.multi_remove_handle(http_multi, e);
    c->attached = false;
    c->easy = NULL;
    http_attached--;
    c->status = 0;
    curl_fn.easy_getinfo(e, CURLINFO_RESPONSE_CODE, &c->status);
    curl_off_t request_size = 0, pretransfer = 0;
    curl_fn.easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_size);
    curl_fn.easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    c->may_have_written =
        c->may_have_written || c->status > 0 || request_size > 0 || pretransfer > 0;
    http_trace(c, e, rc, c->where);
    char *next = NULL;
    if (rc == CURLE_OK && http_should_follow(c, c->status)) {
        char *loc = NULL;
        curl_fn.easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc);
        if (loc && !(next = strdup(loc)))
            c->oom = true;
    }
    if (c->body_buf.failed || c->head_buf.failed)
        c->oom = true;
    enum http_kind kind = http_classify(rc, c);
    /* A timeout at the deadline (not the connect timeout before it). */
    if (kind == HTTP_ERR_TIMEOUT && deadline_left() < 0.05)
        http_deadline(c, c->where);
    char detail[CURL_ERROR_SIZE + 128];
    if (kind == HTTP_ERR_TOO_LARGE) {
        snprintf(detail, sizeof detail, "response body larger than max_bytes (%lld bytes)",
                 (long long)c->max_bytes);
    } else if (kind != HTTP_OK) {
        snprintf(detail, sizeof detail, "%s (%s)", http_kind_text[kind],
                 c->errbuf[0] ? c->errbuf : curl_fn.easy_strerror(rc));
    }
    curl_fn.easy_reset(e);
    http_release_origin(c);
    if (c->oom) {
        free(next);
        http_finish(c);
        return;
    }
    if (kind != HTTP_OK) {
        http_set_error(c, kind, detail);
        http_finish(c);
        return;
    }
    if (!next) {
        http_finish(c);
        return;
    }
    if (c->hops >= c->max_redirects) {
        free(next);
        snprintf(detail, sizeof detail, "more than %d redirects", c->max_redirects);
        http_set_error(c, HTTP_ERR_PROTOCOL, detail);
        http_finish(c);
        return;
    }
    http_wipe_free_string(c->cur_url);
    c->cur_url = next;
    c->hops++;
    http_hop_start(c);
}

/* Finishes the hops libcurl reports done. Returns how many. */
static size_t http_dispatch(void)
{
    size_t n = 0;
    CURLMsg *m;
    int left;
    while ((m = curl_fn.multi_info_read(http_multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        /* Copied first: removing the handle ends the message's life. */
        CURL *e = m->easy_handle;
        CURLcode rc = m->data.result;
        char *p = NULL;
        curl_fn.easy_getinfo(e, CURLINFO_PRIVATE, &p);
        if (p) {
            /* Lines about the hop name the app of the task that asked. */
            struct http_ctx *c = (struct http_ctx *)(void *)p;
            char *outer = log_use_app_slot(c->app);
            http_hop_done(c, rc);
            log_use_app_slot(outer);
            n++;
        }
    }
    return n;
}

void http_poll(long max_ms)
{
    if (!http_multi)
        return;
    int running = 0;
    curl_fn.multi_perform(http_multi, &running);
    if (http_dispatch() > 0 || !http_attached)
        return;
    /* libcurl shortens the wait to its own next timeout. */
    int ms = max_ms > 60000 ? 60000 : max_ms < 0 ? 0 : (int)max_ms;
    curl_fn.multi_poll(http_multi, NULL, 0, ms, NULL);
    curl_fn.multi_perform(http_multi, &running);
    http_dispatch();
}

/* Begins the exchange: its first hop starts (or queues, or fails at once).
 * False only when out of memory before anything started. */
static bool http_begin(struct http_ctx *c)
{
    c->start_ms = http_now_ms();
    c->wait.cancel = http_cancel;
    if (!http_build_slists(c))
        return false;
    if (!(c->cur_url = strdup(c->url)))
        return false;
    c->hops = 0;
    http_hop_start(c);
    return true;
}

/* ---- Recording: one JSON line per request, through the log's writer ---- */

static void http_json_base64(struct buf *b, const unsigned char *s, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    buf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char out[4] = {tbl[(v >> 18) & 63], tbl[(v >> 12) & 63],
                       i + 1 < n ? tbl[(v >> 6) & 63] : '=', i + 2 < n ? tbl[v & 63] : '='};
        buf_put(b, out, 4);
    }
    buf_put(b, "\"", 1);
}

/* "name":"text", or "name_base64":"..." when the bytes are not UTF-8, so
 * that a replay gets the exact bytes back. Redacted before either encoding:
 * an escaped or base64 spelling would hide a secret from the redactor. */
static void http_json_body(struct buf *b, const char *name, const char *s, size_t n)
{
    bool text = log_is_utf8(s, n);
    buf_printf(b, ",\"%s%s\":", name, text ? "" : "_base64");
    if (text) {
        log_put_json_string(b, s, n);
        return;
    }
    size_t clean_len;
    char *clean = log_redact(s, n, &clean_len);
    if (!clean) {
        b->failed = true;
        return;
    }
    http_json_base64(b, (const unsigned char *)clean, clean_len);
    buf_wipe_free(clean, clean_len);
}

static void http_record(struct http_ctx *c)
{
    struct buf b = {0};
    char *url = http_redact_url(c->url);
    buf_puts(&b, "{\"ts\":\"");
    log_put_timestamp(&b);
    buf_puts(&b, "\"");
    buf_puts(&b, ",\"method\":");
    log_put_json_string(&b, c->method, strlen(c->method));
    buf_puts(&b, ",\"url\":");
    log_put_json_string(&b, url ? url : "", url ? strlen(url) : 0);
    free(url);
    if (c->hops > 0) {
        url = http_redact_url(c->cur_url);
        buf_puts(&b, ",\"final_url\":");
        log_put_json_string(&b, url ? url : "", url ? strlen(url) : 0);
        free(url);
    }
    buf_puts(&b, ",\"request_headers\":{");
    bool first = true;
    for (size_t i = 0; i < c->header_count; i++) {
        const struct http_req_header *h = &c->headers[i];
        if (h->secret)
            continue;
        const char *v = h->line + h->name_len;
        v += *v == ';' ? 1 : 2;
        buf_puts(&b, first ? "" : ",");
        first = false;
        log_put_json_string(&b, h->line, h->name_len);
        buf_puts(&b, ":");
        log_put_json_string(&b, v, strlen(v));
    }
    buf_puts(&b, "}");
    if (c->has_body)
        http_json_body(&b, "request_body", c->body, c->body_len);
    if (c->kind == HTTP_OK) {
        buf_printf(&b, ",\"status\":%ld,\"response_headers\":{", c->status);
        /* Repeated names are joined as in the Lua result. */
        const char *p = c->head_buf.data;
        first = true;
        for (size_t i = 0; i < c->resp_header_count; i++) {
            const char *name = p;
            const char *value = name + strlen(name) + 1;
            p = value + strlen(value) + 1;
            bool seen = false;
            const char *q = c->head_buf.data;
            for (size_t k = 0; k < i && !seen; k++) {
                seen = strcmp(q, name) == 0;
                q += strlen(q) + 1;
                q += strlen(q) + 1;
            }
            if (seen)
                continue;
            buf_puts(&b, first ? "" : ",");
            first = false;
            log_put_json_string(&b, name, strlen(name));
            buf_puts(&b, ":");
            if (http_secret_header_name(name, strlen(name))) {
                log_put_json_string(&b, "***", 3);
                continue;
            }
            struct buf joined = {0};
            const char *r = name;
            for (size_t k = i; k < c->resp_header_count; k++) {
                const char *rv = r + strlen(r) + 1;
                if (strcmp(r, name) == 0) {
                    if (joined.len)
                        buf_put(&joined, ", ", 2);
                    buf_puts(&joined, rv);
                }
                r = rv + strlen(rv) + 1;
            }
            log_put_json_string(&b, joined.data ? joined.data : "", joined.len);
            b.failed = b.failed || joined.failed;
            buf_free(&joined);
        }
        buf_puts(&b, "}");
        http_json_body(&b, "response_body", c->body_buf.data ? c->body_buf.data : "",
                       c->body_buf.len);
    } else {
        buf_puts(&b, ",\"error\":{\"kind\":");
        log_put_json_string(&b, http_kind_names[c->kind], strlen(http_kind_names[c->kind]));
        buf_puts(&b, ",\"message\":");
        log_put_json_string(&b, c->error_msg, strlen(c->error_msg));
        buf_puts(&b, "}");
    }
    buf_printf(&b, ",\"duration_ms\":%.3f}\n", c->duration_ms);
    if (b.failed)
        log_printf(LOG_WARN, NULL, "http: recording skipped one exchange (out of memory)");
    else if (!log_write_line(http_record_fd, &b))
        log_printf(LOG_WARN, NULL, "http: cannot write the recording: %s", strerror(errno));
    buf_free(&b);
}

/* ---- Lua results ---- */

static void http_push_error(lua_State *L, const struct http_ctx *c)
{
    lua_pushnil(L);
    lua_createtable(L, 0, 2);
    lua_pushstring(L, http_kind_names[c->kind]);
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, c->error_msg);
    lua_setfield(L, -2, "message");
    luaL_setmetatable(L, HTTP_ERROR_MT);
}

static void http_push_response(lua_State *L, const struct http_ctx *c)
{
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, c->status);
    lua_setfield(L, -2, "status");
    lua_pushstring(L, c->cur_url);
    lua_setfield(L, -2, "url");
    lua_pushlstring(L, c->body_buf.data ? c->body_buf.data : "", c->body_buf.len);
    lua_setfield(L, -2, "body");
    lua_createtable(L, 0, (int)c->resp_header_count);
    const char *p = c->head_buf.data;
    for (size_t i = 0; i < c->resp_header_count; i++) {
        const char *name = p;
        const char *value = name + strlen(name) + 1;
        p = value + strlen(value) + 1;
        if (lua_getfield(L, -1, name) == LUA_TSTRING) {
            lua_pushliteral(L, ", ");
            lua_pushstring(L, value);
            lua_concat(L, 3);
        } else {
            lua_pop(L, 1);
            lua_pushstring(L, value);
        }
        lua_setfield(L, -2, name);
    }
    lua_setfield(L, -2, "headers");
}

/* The end of a request, straight after its transfer (blocking) or when its
 * task is resumed. C is the request userdata, anchored on the stack. */
static int http_request_k(lua_State *L, int status, lua_KContext k)
{
    (void)status;
    struct http_ctx *c = (struct http_ctx *)k;
    deadline_note_wait();
    if (c->oom)
        return luaL_error(L, "not enough memory");
    if (http_record_fd >= 0)
        http_record(c);
    if (deadline_exit_code())
        return deadline_raise(L);

    if (c->kind != HTTP_OK)
        http_push_error(L, c);
    else
        http_push_response(L, c);
    int nres = c->kind != HTTP_OK ? 2 : 1;
    http_ctx_release(c);
    return nres;
}

static int http_request(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    /* Before the options: parsing the URL already uses libcurl. */
    char why[512];
    if (!curl_load(why, sizeof why))
        return luaL_error(L, "host.http: %s", why);
    struct http_ctx *c = lua_newuserdatauv(L, sizeof *c, HTTP_UV_COUNT); /* HTTP_CTX_INDEX */
    memset(c, 0, sizeof *c);
    luaL_setmetatable(L, HTTP_CTX_MT);
    http_read_options(L, c, 1);
    if (host_settings.dry_run && !c->safe_method && !c->read_only)
        return luaL_error(L,
                          "host.http: %s refused: a dry run (plan) sends only GET and HEAD "
                          "(set read_only = true on requests that change nothing)",
                          c->method);

    /* Opened before the transfer so that a bad --record path fails early. */
    if (host_settings.record_path && http_record_fd < 0) {
        http_record_fd =
            open(host_settings.record_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (http_record_fd < 0)
            return luaL_error(L, "host.http: cannot open recording %s: %s",
                              host_settings.record_path, strerror(errno));
    }
    if (!http_curl_ready) {
        if (curl_fn.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return luaL_error(L, "host.http: cannot initialise libcurl");
        http_curl_ready = true;
    }
    if (!http_multi) {
        if (!(http_multi = curl_fn.multi_init()))
            return luaL_error(L, "not enough memory");
        /* Keep every origin's connection alive between its transfers. */
        curl_fn.multi_setopt(http_multi, CURLMOPT_MAXCONNECTS, (long)HTTP_MAX_ORIGINS);
    }
    lutil_where(L, 1, c->where, sizeof c->where);
    const char *app = log_current_app();
    snprintf(c->app, sizeof c->app, "%s", app ? app : "");
    if (deadline_exit_code())
        return deadline_raise(L);

    if (!http_begin(c))
        return luaL_error(L, "not enough memory");
    if (!c->wait.done && sched_can_yield(L))
        return sched_wait(L, &c->wait, (lua_KContext)(intptr_t)c, http_request_k);
    while (!c->wait.done)
        http_poll(1000);
    return http_request_k(L, LUA_OK, (lua_KContext)(intptr_t)c);
}

/* http.get(url [, opts]), http.delete(url [, opts]),
 * http.post(url, body [, opts]), http.put(url, body [, opts]) */
static int http_shorthand(lua_State *L, const char *method, bool with_body)
{
    luaL_checkstring(L, 1);
    int opts = with_body ? 3 : 2;
    if (with_body && !lua_isnil(L, 2))
        luaL_checkstring(L, 2);
    if (!lua_isnoneornil(L, opts))
        luaL_checktype(L, opts, LUA_TTABLE);
    lua_createtable(L, 0, 8);
    int t = lua_gettop(L);
    if (!lua_isnoneornil(L, opts)) {
        lua_pushnil(L);
        while (lua_next(L, opts)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, t);
        }
    }
    lua_pushstring(L, method);
    lua_setfield(L, t, "method");
    lua_pushvalue(L, 1);
    lua_setfield(L, t, "url");
    if (with_body) {
        lua_pushvalue(L, 2);
        lua_setfield(L, t, "body");
    }
    lua_replace(L, 1);
    lua_settop(L, 1);
    return http_request(L);
}

static int http_get(lua_State *L)
{
    return http_shorthand(L, "GET", false);
}
static int http_post(lua_State *L)
{
    return http_shorthand(L, "POST", true);
}
static int http_put(lua_State *L)
{
    return http_shorthand(L, "PUT", true);
}
static int http_delete(lua_State *L)
{
    return http_shorthand(L, "DELETE", false);
}

static int http_error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "message");
    if (!lua_isstring(L, -1)) {
        lua_pop(L, 1);
        lua_pushliteral(L, "http error");
    }
    return 1;
}

int luaopen_host_http(lua_State *L)
{
    if (luaL_newmetatable(L, HTTP_CTX_MT)) {
        lua_pushcfunction(L, http_ctx_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, HTTP_ERROR_MT)) {
        lua_pushcfunction(L, http_error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {
        {"request", http_request}, {"get", http_get},       {"post", http_post},
        {"put", http_put},         {"delete", http_delete}, {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_pushliteral(L, HTTP_USER_AGENT);
    lua_setfield(L, -2, "user_agent");
    return 1;
}
