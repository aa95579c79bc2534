/* The one logging sink. Every line the host writes (logs, errors, tracebacks,
 * plan output, recordings) passes through log_redact so that registered
 * secrets never leave the process. */
#ifndef STARRHOST_LOG_H
#define STARRHOST_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };

void log_configure(enum log_level min_level, enum log_format format);
bool log_enabled(enum log_level level);
enum log_level log_min_level(void);
bool log_parse_level(const char *name, enum log_level *out);
bool log_parse_format(const char *name, enum log_format *out);

/* Writes one line at LEVEL; WHERE is "file:line" or NULL; APP is the app the
 * line concerns or NULL. Redacts the message. */
void log_write(enum log_level level, const char *app, const char *where, const char *msg,
               size_t msg_len);
void log_printf(enum log_level level, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes text to stdout (plan output, test reports), redacted. */
void log_stdout(const char *text, size_t len);

/* Secret registry. A registered value is replaced by "***" everywhere. */
void log_register_secret(const char *value, size_t len);
/* Returns a malloc'd, NUL-terminated copy of TEXT with every registered secret
 * replaced by "***"; *OUT_LEN gets its length when OUT_LEN is not NULL. Returns
 * NULL only when out of memory. */
char *log_redact(const char *text, size_t len, size_t *out_len);
void log_forget_secrets(void);

#endif
