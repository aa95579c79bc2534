/* Every C copy of a secret is wiped before it is freed (issue 13, item 5).
 * Linked with -Wl,--wrap=free: each block the host's own code frees is
 * searched for the test secret first. (libcurl's and Lua's frees are not
 * wrapped; Lua strings cannot be wiped at all.) */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "buf.h"
#include "check.h"
#include "engine.h"
#include "log.h"
#include "lutil.h"

#define SECRET "S3cr3t-w1pe-ME-0123456789"

void __real_free(void *p);
void __wrap_free(void *p);

static int watching;
static int unwiped;

void __wrap_free(void *p)
{
    if (p && watching && memmem(p, malloc_usable_size(p), SECRET, strlen(SECRET)))
        unwiped++;
    __real_free(p);
}

/* Counts the blocks freed holding the secret while F runs. */
static int unwiped_during(void (*f)(void))
{
    unwiped = 0;
    watching = 1;
    f();
    watching = 0;
    return unwiped;
}

static void grow_and_free_buffer(void)
{
    struct buf b = {0};
    buf_puts(&b, "X-Api-Key: " SECRET);
    for (int i = 0; i < 2000; i++) /* moves the block several times */
        buf_puts(&b, "padding padding padding ");
    buf_free(&b);
}

static char secret_path[] = "/tmp/starrhost-wipe-XXXXXX";

static void read_secret_file(void)
{
    char *data;
    size_t len;
    char err[256];
    CHECK(lutil_read_file(secret_path, 1 << 20, &data, &len, err, sizeof err));
    CHECK(len == strlen(SECRET) + 1);
    buf_wipe_free(data, len);
}

static void register_and_forget(void)
{
    log_register_secret(SECRET "/\"%", strlen(SECRET) + 3);
    log_forget_secrets();
}

static lua_State *state;

static int lua_watch(lua_State *L)
{
    watching = lua_toboolean(L, 1);
    return 0;
}

/* host.http with the key in a header and in the URL, to a port that
 * refuses: the request's header lines and URL copies are freed in C. */
static void request_with_key(void)
{
    watching = 0;
    lua_pushglobaltable(state); /* the sandbox refuses new globals */
    lua_pushcfunction(state, lua_watch);
    lua_setfield(state, LUA_REGISTRYINDEX, "wipe_test.watch");
    lua_pushliteral(state, "watch");
    lua_getfield(state, LUA_REGISTRYINDEX, "wipe_test.watch");
    lua_rawset(state, -3);
    lua_pop(state, 1);
    const char *chunk = "local http = require 'host.http'\n"
                        "local key = '" SECRET "'\n"
                        "local url = 'http://127.0.0.1:1/api?apikey=' .. key\n"
                        "local opts = { headers = { ['X-Api-Key'] = key }, timeout = 5 }\n"
                        "collectgarbage('stop')\n"
                        "watch(true)\n"
                        "local res, err = http.get(url, opts)\n"
                        "watch(false)\n"
                        "assert(not res and err.kind == 'connect', tostring(err))\n";
    CHECK(luaL_loadstring(state, chunk) == LUA_OK);
    int rc = lutil_pcall(state, 0, 0);
    if (rc != LUA_OK)
        fprintf(stderr, "%s\n", lua_tostring(state, -1));
    CHECK(rc == LUA_OK);
}

int main(void)
{
    CHECK(unwiped_during(grow_and_free_buffer) == 0);

    int fd = mkstemp(secret_path);
    CHECK(fd >= 0 && write(fd, SECRET "\n", strlen(SECRET) + 1) == (ssize_t)strlen(SECRET) + 1);
    close(fd);
    CHECK(unwiped_during(read_secret_file) == 0);
    unlink(secret_path);

    CHECK(unwiped_during(register_and_forget) == 0);

    struct engine e;
    CHECK(engine_open(&e, 64u << 20));
    state = e.L;
    log_register_secret(SECRET, strlen(SECRET));
    unwiped = 0;
    request_with_key();
    CHECK(unwiped == 0);
    engine_close(&e);
    log_forget_secrets();
    return check_summary("wipe");
}
