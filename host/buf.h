/* A growing byte buffer on the C heap that never leaves a copy behind: it
 * wipes (explicit_bzero) what it held when it grows and when it is freed, so
 * a buffer that held a secret (a request header, a body with a key) leaves
 * nothing in freed memory. After an allocation failure it stays failed and
 * ignores further writes; callers check `failed` once at the end. */
#ifndef STARRHOST_BUF_H
#define STARRHOST_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated when not NULL */
    size_t len, cap;
    bool failed;
};

/* Room for EXTRA more bytes (and the NUL). False once failed. */
bool buf_reserve(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Wipes and frees; the buffer is empty and usable again. */
void buf_free(struct buf *b);
/* Wipes and frees any block of LEN bytes (NULL is fine). */
void buf_wipe_free(void *p, size_t len);

#endif
