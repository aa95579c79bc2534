/* Redaction is the one guarantee every output relies on: test it directly. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "log.h"

static void check_redact(const char *in, const char *expected)
{
    char *out = log_redact(in, strlen(in), NULL);
    CHECK_STR(out, expected);
    free(out);
}

int main(void)
{
    check_redact("nothing registered", "nothing registered");

    log_register_secret("abc123", 6);
    check_redact("key=abc123&x=abc123", "key=***&x=***");
    check_redact("abc12", "abc12");
    check_redact("", "");

    /* The longer secret wins where one contains the other. */
    log_register_secret("abc123XYZ", 9);
    check_redact("[abc123XYZ]", "[***]");

    /* JSON-escaped and percent-encoded spellings are redacted too. */
    log_register_secret("p\"a/s s", 7);
    check_redact("{\"password\":\"p\\\"a\\/s s\"}", "{\"password\":\"***\"}");
    check_redact("{\"password\":\"p\\\"a/s s\"}", "{\"password\":\"***\"}");
    check_redact("?password=p%22a%2Fs%20s", "?password=***");

    /* Binary-safe: a NUL byte before the secret does not stop the scan. */
    char in[] = {'a', '\0', 'a', 'b', 'c', '1', '2', '3'};
    size_t out_len;
    char *out = log_redact(in, sizeof in, &out_len);
    CHECK(out_len == 5 && memcmp(out, "a\0***", 5) == 0);
    free(out);

    /* Empty values are ignored rather than matching everywhere. */
    log_register_secret("", 0);
    check_redact("plain", "plain");

    /* A one-byte secret cannot overflow the output (3 bytes per input byte). */
    log_register_secret("x", 1);
    check_redact("xxxx", "************");

    enum log_level level;
    CHECK(log_parse_level("debug", &level) && level == LOG_DEBUG);
    CHECK(!log_parse_level("verbose", &level));
    enum log_format format;
    CHECK(log_parse_format("json", &format) && format == LOG_FORMAT_JSON);
    CHECK(!log_parse_format("yaml", &format));

    log_forget_secrets();
    check_redact("abc123", "abc123");

    /* host.json's spellings: \t for TAB (not \u0009), \u007f for DEL, '/' as
     * is and escaped, twice escaped, percent-encoding in either case. */
    log_register_secret("t\tb\\d\x7f/%", 8);
    check_redact("[t\\tb\\\\d\\u007f/%]", "[***]");
    check_redact("[t\\tb\\\\d\\u007f\\/%]", "[***]");
    check_redact("[t\\\\tb\\\\\\\\d\\\\u007f/%]", "[***]");
    check_redact("[t%09b%5Cd%7F%2F%25]", "[***]");
    check_redact("[t%09b%5cd%7f%2f%25]", "[***]");

    /* Redacted first, escaped afterwards: the escaped secret is never seen. */
    struct buf b = {0};
    log_put_json_string(&b, "x t\tb\\d\x7f/% \"\n", 13);
    CHECK_STR(b.data, "\"x *** \\\"\\n\"");
    buf_free(&b);
    log_put_redacted(&b, "a\nb\r\x1b[2J\tc\xff\xc2\x9b", 13, LOG_ESCAPE_TEXT, SIZE_MAX, false);
    CHECK_STR(b.data, "a\\nb\\r\\x1b[2J\tc\\xff\\u009b");
    buf_free(&b);

    /* A secret that is not UTF-8 may begin inside a character of the text. */
    log_register_secret("\xa9xyz", 4);
    log_put_redacted(&b, "caf\xc3\xa9xyz!", 9, LOG_ESCAPE_TEXT, SIZE_MAX, false);
    CHECK_STR(b.data, "caf\\xc3***!");
    buf_free(&b);

    /* A capped head never ends in a piece of a secret. */
    log_register_secret("SECRETVALUE", 11);
    const char *text = "0123456789SECRETVALUE";
    size_t used = log_put_redacted(&b, text, strlen(text), LOG_ESCAPE_NONE, 14, false);
    CHECK_STR(b.data, "0123456789***");
    CHECK(used == strlen(text));
    buf_free(&b);
    used = log_put_redacted(&b, text, 15, LOG_ESCAPE_NONE, SIZE_MAX, true);
    CHECK(strstr(b.data ? b.data : "", "SECR") == NULL && used <= 10);
    buf_free(&b);
    log_forget_secrets();
    return check_summary("log");
}
