/* libcurl, loaded on the first HTTP request rather than at start-up: its
 * dependency chain (some 30 shared objects) costs more than the whole host
 * otherwise, and check, test and version never make a request. */
#ifndef STARRHOST_CURL_LOAD_H
#define STARRHOST_CURL_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#define CURL_LOAD_SONAME "libcurl.so.4"

struct curl_fns {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    void (*easy_reset)(CURL *handle);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    void (*free)(void *p);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *handle);
    CURLUcode (*url_get)(const CURLU *handle, CURLUPart what, char **part, unsigned int flags);
    CURLUcode (*url_set)(CURLU *handle, CURLUPart what, const char *part, unsigned int flags);
    /* The multi interface: every transfer runs on one multi handle (http.c). */
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *multi);
    CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_perform)(CURLM *multi, int *running);
    CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd *fds, unsigned int nfds,
                            int timeout_ms, int *numfds);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *left);
};

/* Filled by curl_load; valid once it has returned true. */
extern struct curl_fns curl_fn;

/* Loads libcurl once; on failure writes why into ERR and returns false. */
bool curl_load(char *err, size_t err_len);

#endif
