/* The one logging sink. Every line the host writes (logs, errors, tracebacks,
 * plan output, recordings) passes through log_redact so that registered
 * secrets never leave the process. */
#ifndef STARRHOST_LOG_H
#define STARRHOST_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The longest message one log line shows; the rest is counted in a closing
 * "... (N bytes cut)". Escapes may make the written line longer. */
#define LOG_LINE_MAX (64u * 1024u)

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };

void log_configure(enum log_level min_level, enum log_format format);
bool log_enabled(enum log_level level);
enum log_level log_min_level(void);
bool log_format_is_json(void);
bool log_parse_level(const char *name, enum log_level *out);
bool log_parse_format(const char *name, enum log_format *out);

/* Writes one line at LEVEL; WHERE is "file:line" or NULL; APP is the app the
 * line concerns or NULL. Redacts the message. */
void log_write(enum log_level level, const char *app, const char *where, const char *msg,
               size_t msg_len);
/* The same for a message that is the first MSG_LEN bytes of TOTAL_LEN. */
void log_write_cut(enum log_level level, const char *app, const char *where, const char *msg,
                   size_t msg_len, size_t total_len);
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
/* Length of the longest registered spelling (0 if none). */
size_t log_secret_max_len(void);
/* The app label set by log.app() in the running task (or the main flow), or
 * NULL. */
const char *log_current_app(void);
/* Labels are kept per task (host.parallel): SLOT, LOG_APP_MAX bytes, holds
 * the label of the task about to run; NULL selects the main flow's. Returns
 * the slot in use before (NULL for the main flow's). */
#define LOG_APP_MAX 257
char *log_use_app_slot(char *slot);

/* Writing lines. Text enters a line only through log_put_redacted, which
 * replaces every registered secret in the raw text first and escapes what
 * is left afterwards, so no escaping can hide a secret from the redactor.
 * JSON is host.json's spelling (\" \\ \b \t \n \f \r, other controls and DEL
 * as \u00xx, bytes that are not UTF-8 as \u00XX); TEXT writes line breaks,
 * carriage returns and other control characters as \n \r \xNN (TAB kept),
 * so a server's message can neither forge a line nor drive a terminal;
 * STDOUT is TEXT keeping line breaks (plan output). */
enum log_escape { LOG_ESCAPE_NONE, LOG_ESCAPE_JSON, LOG_ESCAPE_TEXT, LOG_ESCAPE_STDOUT };
/* Appends TEXT to B, redacted and escaped, at most MAX bytes of output.
 * PARTIAL: TEXT is the head of a longer text, so its last bytes, where a
 * secret could begin, are held back. Returns how many bytes of TEXT went
 * out (the rest was cut). */
size_t log_put_redacted(struct buf *b, const char *text, size_t len, enum log_escape mode,
                        size_t max, bool partial);
/* Whether S is valid UTF-8. */
bool log_is_utf8(const char *s, size_t n);
/* A quoted JSON string, redacted first. */
void log_put_json_string(struct buf *b, const char *s, size_t n);
/* The one timestamp format: 2026-01-31T12:00:00.000Z (UTC). */
void log_put_timestamp(struct buf *b);
/* Writes the assembled line to FD with one write (redacted once more, in
 * case escaping spelled a secret). False when B failed or the write did. */
bool log_write_line(int fd, const struct buf *b);

#endif
