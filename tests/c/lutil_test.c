#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "lutil.h"

int main(void)
{
    char dir[] = "/tmp/lutil_testXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    fwrite("hello\0world", 1, 11, f);
    fclose(f);

    char *buf;
    size_t len;
    char err[256];
    CHECK(lutil_read_file(path, 1024, &buf, &len, err, sizeof err));
    CHECK(len == 11 && memcmp(buf, "hello\0world", 11) == 0 && buf[11] == '\0');
    free(buf);

    /* Over the cap: an error naming the path, no buffer. */
    CHECK(!lutil_read_file(path, 4, &buf, &len, err, sizeof err));
    CHECK(buf == NULL && strstr(err, path) && strstr(err, "larger than"));

    /* Missing file and a directory are errors that name the path. */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing", dir);
    CHECK(!lutil_read_file(missing, 1024, &buf, &len, err, sizeof err));
    CHECK(strstr(err, missing) != NULL);
    CHECK(!lutil_read_file(dir, 1024, &buf, &len, err, sizeof err));
    CHECK(strstr(err, "not a regular file") != NULL);

    /* An empty file reads as an empty, terminated buffer. */
    f = fopen(path, "wb");
    fclose(f);
    CHECK(lutil_read_file(path, 1024, &buf, &len, err, sizeof err));
    CHECK(len == 0 && buf[0] == '\0');
    free(buf);

    unlink(path);
    rmdir(dir);
    return check_summary("lutil");
}
