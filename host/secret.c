/* host.secret: API keys and passwords from mounted files or the environment.
 * Every value handed to Lua is registered with the log sink first, so it is
 * redacted in everything the host writes. Errors name paths and variables,
 * never content. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"
#include "log.h"
#include "lutil.h"

#define SECRET_MAX_FILE (64u * 1024u)
#define SECRETS_DIR_DEFAULT "/run/secrets/starrhost"

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Strips one trailing newline (\n or \r\n): files written by editors and
 * `kubectl create secret --from-file` often end with one. */
static size_t strip_newline(const char *v, size_t len)
{
    if (len > 0 && v[len - 1] == '\n') {
        len--;
        if (len > 0 && v[len - 1] == '\r')
            len--;
    }
    return len;
}

static int push_secret(lua_State *L, const char *value, size_t len, const char *what)
{
    if (len == 0)
        return lutil_fail(L, "%s is empty", what);
    log_register_secret(value, len);
    lua_pushlstring(L, value, len);
    return 1;
}

/* Reads a secret file into a box first, so no Lua error can leak it. Pushes
 * the value, or nil, err. */
static int push_secret_file(lua_State *L, const char *path, const char *what)
{
    struct lutil_box *box = lutil_newbox(L);
    int box_at = lua_gettop(L);
    char err[512];
    if (!lutil_read_file(path, SECRET_MAX_FILE, &box->data, &box->len, err, sizeof err))
        return lutil_fail(L, "%s: %s", what, err);
    size_t len = strip_newline(box->data, box->len);
    if (len == 0) {
        lutil_box_release(box);
        return lutil_fail(L, "%s: file %s is empty", what, path);
    }
    log_register_secret(box->data, len);
    lua_pushlstring(L, box->data, len);
    lutil_box_release(box);
    lua_remove(L, box_at);
    return 1;
}

static void env_name_of(const char *name, char *out, size_t out_len)
{
    size_t i = 0;
    for (; name[i] && i + 1 < out_len; i++)
        out[i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
    out[i] = '\0';
}

static bool valid_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++) {
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '_'))
            return false;
    }
    return true;
}

/* secret.get(name): NAME_FILE, else NAME, else <secrets dir>/name. */
static int secret_get(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (strlen(name) > 128 || !valid_name(name))
        return luaL_argerror(L, 1, "secret names are lower-case letters, digits, '-' and '_'");
    char var[160], file_var[170], what[200];
    env_name_of(name, var, sizeof var);
    snprintf(file_var, sizeof file_var, "%s_FILE", var);
    const char *file = env_nonempty(file_var);
    const char *value = env_nonempty(var);
    if (file && value)
        return lutil_fail(L, "secret %s: both %s and %s are set; set only one", name, var,
                          file_var);
    if (file) {
        snprintf(what, sizeof what, "secret %s (%s)", name, file_var);
        return push_secret_file(L, file, what);
    }
    if (value) {
        snprintf(what, sizeof what, "secret %s (%s)", name, var);
        return push_secret(L, value, strlen(value), what);
    }
    const char *dir = env_nonempty("STARRHOST_SECRETS_DIR");
    if (!dir)
        dir = SECRETS_DIR_DEFAULT;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return lutil_fail(L, "secret %s not found: set %s or %s, or mount it as %s", name, file_var,
                          var, path);
    fclose(probe);
    snprintf(what, sizeof what, "secret %s", name);
    return push_secret_file(L, path, what);
}

static int secret_file(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    return push_secret_file(L, path, "secret file");
}

/* The <ApiKey> of a Sonarr/Radarr/Prowlarr config.xml: <Config><ApiKey>..</ApiKey>..</Config>.
 * A deliberately small reader: the file is flat, written by the app itself. */
static int secret_from_config_xml(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct lutil_box *box = lutil_newbox(L);
    int box_at = lua_gettop(L);
    char err[512];
    if (!lutil_read_file(path, SECRET_MAX_FILE, &box->data, &box->len, err, sizeof err))
        return lutil_fail(L, "config.xml: %s", err);
    const char *buf = box->data;
    if (strlen(buf) != box->len) {
        lutil_box_release(box);
        return lutil_fail(L, "config.xml %s: not a text file", path);
    }
    const char *why = NULL;
    const char *root = strstr(buf, "<Config>");
    const char *root_end = root ? strstr(root, "</Config>") : NULL;
    const char *open = root ? strstr(root, "<ApiKey>") : NULL;
    const char *start = open ? open + strlen("<ApiKey>") : NULL;
    const char *end = start ? strstr(start, "</ApiKey>") : NULL;
    if (!root || !root_end)
        why = "no <Config> element";
    else if (!open || open > root_end)
        why = "no <ApiKey> element in <Config>";
    else if (!end || end > root_end)
        why = "<ApiKey> is not closed";
    while (!why && start < end && isspace((unsigned char)*start))
        start++;
    while (!why && end > start && isspace((unsigned char)end[-1]))
        end--;
    if (!why && start == end)
        why = "<ApiKey> is empty";
    for (const char *p = start; !why && p < end; p++) {
        if (!isalnum((unsigned char)*p))
            why = "<ApiKey> holds characters an API key never has";
    }
    if (why) {
        lutil_box_release(box);
        return lutil_fail(L, "config.xml %s: %s", path, why);
    }
    size_t key_len = (size_t)(end - start);
    log_register_secret(start, key_len);
    lua_pushlstring(L, start, key_len);
    lutil_box_release(box);
    lua_remove(L, box_at);
    return 1;
}

/* Names that hold a secret by convention: the variables secret.get reads for
 * the usual secret names (<APP>_API_KEY, QBITTORRENT_PASSWORD, ...) and
 * those of other tools. Their _FILE twins name files and are not read here:
 * secret.get registers a file's content when it reads it. */
static bool secret_shaped_name(const char *name, size_t len)
{
    static const char *const suffixes[] = {"_API_KEY", "_APIKEY", "_KEY",    "_PASSWORD", "_PASSWD",
                                           "_PASS",    "_TOKEN",  "_SECRET", "_PASSKEY",  NULL};
    for (size_t i = 0; suffixes[i]; i++) {
        size_t n = strlen(suffixes[i]);
        if (len > n && strncasecmp(name + len - n, suffixes[i], n) == 0)
            return true;
    }
    return false;
}

void secret_register_environment(void)
{
    extern char **environ;
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        /* A value of 1-3 bytes ("1", "yes") would redact every line. */
        if (eq && secret_shaped_name(*e, (size_t)(eq - *e)) && strlen(eq + 1) >= 4)
            log_register_secret(eq + 1, strlen(eq + 1));
    }
}

int luaopen_host_secret(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"get", secret_get},
        {"file", secret_file},
        {"from_config_xml", secret_from_config_xml},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    return 1;
}
