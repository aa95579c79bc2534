#include "engine.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lualib.h>

#include "deadline.h"
#include "host.h"
#include "http.h"
#include "log.h"
#include "lutil.h"

struct host_settings host_settings;
unsigned long host_write_count;

/* The table of contents of the host's Lua API. */
static const luaL_Reg host_modules[] = {
    /* clang-format off */
    {"host", luaopen_host},
    {"host.http", luaopen_host_http},
    {"host.json", luaopen_host_json},
    {"host.log", luaopen_host_log},
    {"host.secret", luaopen_host_secret},
    {"host.test", luaopen_host_test},
    {NULL, NULL},
    /* clang-format on */
};

static void *engine_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct engine *e = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        e->used -= old;
        return NULL;
    }
    if (nsize > old && e->used + (nsize - old) > e->limit)
        return NULL;
    void *grown = realloc(ptr, nsize);
    if (!grown)
        return NULL;
    e->used = e->used - old + nsize;
    return grown;
}

static int engine_panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    log_printf(LOG_ERROR, NULL, "unprotected Lua error: %s", msg ? msg : "(not a string)");
    return 0;
}

static bool valid_module_name(const char *name)
{
    if (!*name || strlen(name) > 200)
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* package.searchers[2]: NAME.lua from the first script directory that has it.
 * Script directories are flat, so a module name is a file name. */
static int engine_search_scripts(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (!valid_module_name(name)) {
        lua_pushfstring(L,
                        "no script module '%s' (script directories are flat: names are "
                        "file names without .lua)",
                        name);
        return 1;
    }
    luaL_Buffer tried;
    luaL_buffinit(L, &tried);
    for (int i = 0; host_settings.script_dirs && host_settings.script_dirs[i]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.lua", host_settings.script_dirs[i], name);
        if (!is_regular_file(path)) {
            luaL_addstring(&tried, "\n\tno file '");
            luaL_addstring(&tried, path);
            luaL_addstring(&tried, "'");
            continue;
        }
        if (!lutil_load_file(L, path))
            return luaL_error(L, "error loading module '%s': %s", name, lua_tostring(L, -1));
        lua_pushstring(L, path);
        return 2;
    }
    luaL_pushresult(&tried);
    return 1;
}

/* load() that accepts text only: bytecode could break the sandbox. */
static int engine_load_text(lua_State *L)
{
    int nargs = lua_gettop(L);
    lua_settop(L, nargs > 4 ? nargs : 4);
    lua_pushstring(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
}

static int engine_undeclared_get(lua_State *L)
{
    return luaL_error(L, "undeclared global '%s'", luaL_tolstring(L, 2, NULL));
}

static int engine_undeclared_set(lua_State *L)
{
    return luaL_error(L, "assignment to undeclared global '%s' (use local)",
                      luaL_tolstring(L, 2, NULL));
}

static void open_trimmed_os(lua_State *L)
{
    static const char *const keep[] = {"time", "date", "clock", "getenv", NULL};
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
    lua_createtable(L, 0, 4);
    for (int i = 0; keep[i]; i++) {
        lua_getfield(L, -2, keep[i]);
        lua_setfield(L, -2, keep[i]);
    }
    lua_setglobal(L, LUA_OSLIBNAME);
    lua_pop(L, 1);
}

static void setup_package(lua_State *L)
{
    luaL_requiref(L, LUA_LOADLIBNAME, luaopen_package, 1);
    /* Nothing from the environment or the working directory; no C modules. */
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "path");
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_pushnil(L);
    lua_setfield(L, -2, "loadlib");
    lua_pushnil(L);
    lua_setfield(L, -2, "searchpath");
    lua_getfield(L, -1, "searchers");
    lua_rawgeti(L, -1, 1); /* keep the preload searcher */
    lua_createtable(L, 2, 0);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, engine_search_scripts);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 1);
    lua_getfield(L, -1, "preload");
    for (const luaL_Reg *m = host_modules; m->name; m++) {
        lua_pushcfunction(L, m->func);
        lua_setfield(L, -2, m->name);
    }
    lua_pop(L, 2);
}

/* Runs inside lua_pcall so that a memory error while building the sandbox is
 * reported instead of panicking. */
static int engine_setup(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},
        {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table},
        {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_COLIBNAME, luaopen_coroutine},
        {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    open_trimmed_os(L);
    setup_package(L);

    lua_pushglobaltable(L);
    lua_pushnil(L);
    lua_setfield(L, -2, "dofile");
    lua_pushnil(L);
    lua_setfield(L, -2, "loadfile");
    lua_getfield(L, -1, "load");
    lua_pushcclosure(L, engine_load_text, 1);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, log_lua_print);
    lua_setfield(L, -2, "print");

    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, engine_undeclared_get);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, engine_undeclared_set);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
    return 0;
}

bool engine_open(struct engine *e, size_t memory_limit)
{
    e->used = 0;
    e->limit = memory_limit;
    e->L = lua_newstate(engine_alloc, e);
    if (!e->L) {
        log_printf(LOG_ERROR, NULL, "cannot create the Lua state: out of memory");
        return false;
    }
    lua_atpanic(e->L, engine_panic);
    lua_pushcfunction(e->L, engine_setup);
    if (lutil_pcall(e->L, 0, 0) != LUA_OK) {
        engine_report_error(e->L, "cannot set up the Lua sandbox");
        engine_close(e);
        return false;
    }
    /* Collect when the heap has grown by half, not doubled: host.parallel's
     * tasks hold several apps' responses at once, and peak RSS stays where
     * it was with one app at a time. */
    lua_gc(e->L, LUA_GCINC, 150, 0, 0);
    deadline_install_hook(e->L);
    return true;
}

void engine_close(struct engine *e)
{
    if (e->L)
        lua_close(e->L);
    e->L = NULL;
    http_shutdown(); /* kept-alive connections and the recording end with the state */
    log_reset_app();
}

void engine_report_error(lua_State *L, const char *context)
{
    size_t len;
    const char *full = lua_tolstring(L, -1, &len);
    if (!full) {
        full = "(error object is not a string)";
        len = strlen(full);
    }
    const char *mark = strstr(full, LUTIL_TRACEBACK_MARK);
    size_t msg_len = mark ? (size_t)(mark - full) : len;
    char line[512];
    int n = snprintf(line, sizeof line, "%s: ", context);
    size_t head = n > 0 && (size_t)n < sizeof line ? (size_t)n : 0;
    /* A line shows LOG_LINE_MAX bytes: copy no more of a huge message than
     * that and what the redactor needs to see a secret at the cut whole. */
    size_t keep = LOG_LINE_MAX + log_secret_max_len() + 8;
    size_t copied = msg_len < keep ? msg_len : keep;
    char *text = malloc(head + copied + 1);
    if (text) {
        memcpy(text, line, head);
        memcpy(text + head, full, copied);
        text[head + copied] = '\0';
        log_write_cut(LOG_ERROR, NULL, NULL, text, head + copied, head + msg_len);
        free(text);
    }
    if (mark && log_enabled(LOG_DEBUG) && log_format_is_json()) {
        log_write(LOG_DEBUG, NULL, NULL, full, len);
    } else if (mark && log_enabled(LOG_DEBUG)) {
        /* Text logs escape line breaks: one line of the traceback each. */
        for (const char *p = full, *end = full + len; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t part = nl ? (size_t)(nl - p) : (size_t)(end - p);
            log_write(LOG_DEBUG, NULL, NULL, p, part);
            p += part + 1;
        }
    } else if (mark)
        log_printf(LOG_INFO, NULL, "run with --log-level debug for the traceback");
    lua_pop(L, 1);
}

static int exit_after_error(void)
{
    return host_write_count > 0 ? EXIT_ITEM_FAILED : EXIT_USAGE;
}

int engine_run_main(struct engine *e)
{
    lua_State *L = e->L;
    char path[4096] = "";
    for (int i = 0; host_settings.script_dirs && host_settings.script_dirs[i]; i++) {
        snprintf(path, sizeof path, "%s/main.lua", host_settings.script_dirs[i]);
        if (is_regular_file(path))
            break;
        path[0] = '\0';
    }
    if (!path[0]) {
        log_printf(LOG_ERROR, NULL,
                   "no main.lua on the script path; pass --scripts DIR or set STARRHOST_SCRIPTS");
        return EXIT_USAGE;
    }
    if (!lutil_load_file(L, path)) {
        engine_report_error(L, "cannot load the scripts");
        lua_pop(L, 1);
        return EXIT_USAGE;
    }
    int rc = lutil_pcall(L, 0, 1);
    if (deadline_exit_code()) {
        /* Already said what the run was doing; what the scripts made of the
         * error that unwound them adds nothing. */
        lua_pop(L, 1);
        return deadline_exit_code();
    }
    if (rc != LUA_OK) {
        engine_report_error(L, "script error");
        return exit_after_error();
    }
    int code = EXIT_CONVERGED;
    if (lua_isinteger(L, -1)) {
        lua_Integer v = lua_tointeger(L, -1);
        if (v < 0 || v > 4) {
            log_printf(LOG_ERROR, NULL, "%s returned exit code %lld; expected 0 to 4", path,
                       (long long)v);
            code = EXIT_USAGE;
        } else {
            code = (int)v;
        }
    } else if (!lua_isnil(L, -1)) {
        log_printf(LOG_ERROR, NULL, "%s returned a %s; expected an exit code 0 to 4", path,
                   luaL_typename(L, -1));
        code = EXIT_USAGE;
    }
    lua_pop(L, 1);
    return code;
}

/* Test discovery: every *_test.lua under the given paths, sorted. */
struct path_list {
    char **items;
    size_t count, cap;
};

static bool path_list_add(struct path_list *list, const char *path)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        char **grown = realloc(list->items, cap * sizeof *grown);
        if (!grown)
            return false;
        list->items = grown;
        list->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy)
        return false;
    list->items[list->count++] = copy;
    return true;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool collect_tests(struct path_list *list, const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        log_printf(LOG_ERROR, NULL, "test path %s does not exist", path);
        return false;
    }
    if (S_ISREG(st.st_mode))
        return path_list_add(list, path);
    if (!S_ISDIR(st.st_mode) || depth > 16)
        return true;
    DIR *dir = opendir(path);
    if (!dir) {
        log_printf(LOG_ERROR, NULL, "cannot read directory %s", path);
        return false;
    }
    bool ok = true;
    struct dirent *ent;
    while (ok && (ent = readdir(dir)) != NULL) {
        if (ent->d_name[0] == '.')
            continue; /* also skips a ConfigMap's ..data farm */
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, ent->d_name);
        struct stat cst;
        if (stat(child, &cst) != 0)
            continue;
        if (S_ISDIR(cst.st_mode))
            ok = collect_tests(list, child, depth + 1);
        else if (S_ISREG(cst.st_mode) && has_suffix(ent->d_name, "_test.lua"))
            ok = path_list_add(list, child);
    }
    closedir(dir);
    return ok;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs one test file in a fresh state; adds to the counts. */
struct test_counts {
    long passed, failed, skipped;
};

static void run_test_file(size_t memory_limit, const char *path, const char *match,
                          struct test_counts *counts)
{
    struct engine e;
    if (!engine_open(&e, memory_limit)) {
        counts->failed++;
        return;
    }
    lua_State *L = e.L;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "host.test");
    if (lutil_pcall(L, 1, 1) != LUA_OK) {
        engine_report_error(L, "cannot load host.test");
        counts->failed++;
        engine_close(&e);
        return;
    }
    lua_getfield(L, -1, "run_file");
    lua_pushstring(L, path);
    lua_pushstring(L, match); /* nil when NULL: every test */
    if (lutil_pcall(L, 2, 3) != LUA_OK) {
        engine_report_error(L, path);
        counts->failed++;
    } else {
        counts->passed += (long)lua_tointeger(L, -3);
        counts->failed += (long)lua_tointeger(L, -2);
        counts->skipped += (long)lua_tointeger(L, -1);
    }
    engine_close(&e);
}

int engine_run_tests(size_t memory_limit, const char *const *paths, size_t path_count,
                     const char *match)
{
    struct path_list list = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < path_count; i++)
        ok = collect_tests(&list, paths[i], 0);
    int code = 2;
    if (ok && list.count == 0) {
        log_printf(LOG_ERROR, NULL, "no *_test.lua files found");
    } else if (ok) {
        qsort(list.items, list.count, sizeof *list.items, compare_paths);
        struct test_counts counts = {0, 0, 0};
        for (size_t i = 0; i < list.count; i++)
            run_test_file(memory_limit, list.items[i], match, &counts);
        char line[128];
        int n = snprintf(line, sizeof line, "%ld passed, %ld failed, %ld skipped\n", counts.passed,
                         counts.failed, counts.skipped);
        log_stdout(line, (size_t)n);
        code = counts.failed ? 1 : 0;
        if (match && counts.passed + counts.failed + counts.skipped == 0) {
            log_printf(LOG_ERROR, NULL, "no test name contains \"%s\"", match);
            code = 2;
        }
    }
    for (size_t i = 0; i < list.count; i++)
        free(list.items[i]);
    free(list.items);
    return code;
}

/* check: nothing may reach the network; the scripts validate offline. */
static int engine_no_network(lua_State *L)
{
    return luaL_error(L, "host.http: no network during `starrhost check`");
}

static int engine_open_no_http(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"request", engine_no_network}, {"get", engine_no_network},    {"post", engine_no_network},
        {"put", engine_no_network},     {"delete", engine_no_network}, {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    return 1;
}

/* Compiles PATH; logs its syntax error. Returns false when it does not compile. */
static bool check_compile(lua_State *L, const char *path)
{
    bool ok = lutil_load_file(L, path);
    if (!ok)
        log_printf(LOG_ERROR, NULL, "syntax error: %s", lua_tostring(L, -1));
    lua_pop(L, ok ? 1 : 2);
    return ok;
}

/* An override under a name no later directory has replaces nothing: most
 * often a typo, so the patch would silently not apply. Warns about it. */
static void check_replaces(int index, const char *path)
{
    const char *name = strrchr(path, '/') + 1;
    if (host_settings.script_dirs[index + 1] == NULL)
        return;
    for (int i = index + 1; host_settings.script_dirs[i]; i++) {
        char later[4096];
        snprintf(later, sizeof later, "%s/%s", host_settings.script_dirs[i], name);
        if (is_regular_file(later))
            return;
    }
    log_printf(LOG_WARN, NULL,
               "%s replaces no file of a later script directory: it is loaded only if a script "
               "requires it by that name",
               path);
}

/* The *.lua files of DIR that no earlier script directory shadows. */
static bool check_list_dir(struct path_list *list, int index)
{
    const char *dir = host_settings.script_dirs[index];
    DIR *d = opendir(dir);
    if (!d) {
        log_printf(LOG_ERROR, NULL, "cannot read script directory %s", dir);
        return false;
    }
    bool ok = true;
    struct dirent *ent;
    while (ok && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.' || !has_suffix(ent->d_name, ".lua"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        bool shadowed = false;
        for (int i = 0; i < index && !shadowed; i++) {
            char earlier[4096];
            snprintf(earlier, sizeof earlier, "%s/%s", host_settings.script_dirs[i], ent->d_name);
            shadowed = is_regular_file(earlier);
        }
        if (!shadowed && is_regular_file(path))
            ok = path_list_add(list, path);
    }
    closedir(d);
    return ok;
}

int engine_check(struct engine *e)
{
    lua_State *L = e->L;
    long errors = 0;
    size_t files = 0;
    for (int i = 0; host_settings.script_dirs && host_settings.script_dirs[i]; i++) {
        struct path_list list = {0};
        if (!check_list_dir(&list, i))
            errors++;
        qsort(list.items, list.count, sizeof *list.items, compare_paths);
        for (size_t k = 0; k < list.count; k++) {
            check_replaces(i, list.items[k]);
            errors += !check_compile(L, list.items[k]);
            free(list.items[k]);
        }
        files += list.count;
        free(list.items);
    }
    if (host_settings.config_path) {
        errors += !check_compile(L, host_settings.config_path);
        files++;
    }
    if (errors) {
        log_printf(LOG_ERROR, NULL, "%ld of %zu file(s) did not compile; nothing else was checked",
                   errors, files);
        return EXIT_USAGE;
    }
    log_printf(LOG_INFO, NULL, "%zu file(s) compile", files);

    lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, engine_open_no_http);
    lua_setfield(L, -2, "host.http");
    lua_pop(L, 1);
    int code = engine_run_main(e);
    if (code != EXIT_CONVERGED && code != EXIT_USAGE)
        log_printf(LOG_ERROR, NULL, "main.lua ended with exit code %d during check", code);
    return code == EXIT_CONVERGED ? EXIT_CONVERGED : EXIT_USAGE;
}
