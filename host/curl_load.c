#include "curl_load.h"

#include <dlfcn.h>
#include <stdio.h>

struct curl_fns curl_fn;
static bool curl_loaded;

/* Looks up NAME; a missing symbol means a libcurl older than the headers. */
static bool curl_sym(void *lib, const char *name, void *slot, char *err, size_t err_len)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        snprintf(err, err_len, "%s has no %s (libcurl too old?)", CURL_LOAD_SONAME, name);
        return false;
    }
    /* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
    *(void **)slot = sym;
    return true;
}

bool curl_load(char *err, size_t err_len)
{
    if (curl_loaded)
        return true;
    /* Never unloaded: libcurl and OpenSSL keep process-wide state until exit. */
    void *lib = dlopen(CURL_LOAD_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(err, err_len, "cannot load %s: %s (install libcurl4)", CURL_LOAD_SONAME,
                 why ? why : "unknown error");
        return false;
    }
    const struct {
        const char *name;
        void *slot;
    } syms[] = {
        {"curl_global_init", &curl_fn.global_init},
        {"curl_global_cleanup", &curl_fn.global_cleanup},
        {"curl_easy_init", &curl_fn.easy_init},
        {"curl_easy_cleanup", &curl_fn.easy_cleanup},
        {"curl_easy_reset", &curl_fn.easy_reset},
        {"curl_easy_setopt", &curl_fn.easy_setopt},
        {"curl_easy_getinfo", &curl_fn.easy_getinfo},
        {"curl_easy_strerror", &curl_fn.easy_strerror},
        {"curl_free", &curl_fn.free},
        {"curl_slist_append", &curl_fn.slist_append},
        {"curl_slist_free_all", &curl_fn.slist_free_all},
        {"curl_url", &curl_fn.url},
        {"curl_url_cleanup", &curl_fn.url_cleanup},
        {"curl_url_get", &curl_fn.url_get},
        {"curl_url_set", &curl_fn.url_set},
        {"curl_multi_init", &curl_fn.multi_init},
        {"curl_multi_cleanup", &curl_fn.multi_cleanup},
        {"curl_multi_setopt", &curl_fn.multi_setopt},
        {"curl_multi_add_handle", &curl_fn.multi_add_handle},
        {"curl_multi_remove_handle", &curl_fn.multi_remove_handle},
        {"curl_multi_perform", &curl_fn.multi_perform},
        {"curl_multi_poll", &curl_fn.multi_poll},
        {"curl_multi_info_read", &curl_fn.multi_info_read},
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        if (!curl_sym(lib, syms[i].name, syms[i].slot, err, err_len))
            return false;
    }
    curl_loaded = true;
    return true;
}
