/* Redaction is the one guarantee every output relies on: test it directly. */
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
    return check_summary("log");
}
