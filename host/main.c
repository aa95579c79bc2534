/* starrhost command line: parses options, builds the script path, runs the
 * engine. Contract: shared DESIGN section 3. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deadline.h"
#include "engine.h"
#include "host.h"
#include "log.h"

#define MAX_SCRIPT_DIRS 32

static const char usage_text[] =
    "usage: starrhost run   [--scripts DIR]... [--config FILE] [--only INSTANCE[,...]]\n"
    "                       [--dry-run] [--timeout SECONDS] [--deadline SECONDS]\n"
    "                       [--log-level debug|info|warn|error]\n"
    "                       [--log-format text|json] [--record FILE]\n"
    "       starrhost plan  [same options as run]      (read-only: prints the changes)\n"
    "       starrhost export [--scripts DIR]... [--config FILE] [--only INSTANCE[,...]]\n"
    "                       [--timeout SECONDS] [--deadline SECONDS] [--log-level ...]\n"
    "                       [--log-format ...]   (read-only: prints a config file)\n"
    "       starrhost check [--scripts DIR]... [--config FILE]   (no network)\n"
    "       starrhost test  [--scripts DIR]... [--match TEXT] [PATH]...   (runs *_test.lua files)\n"
    "       starrhost version\n"
    "Environment: STARRHOST_SCRIPTS (colon-separated), STARRHOST_CONFIG,\n"
    "STARRHOST_SECRETS_DIR, STARRHOST_MEMORY_LIMIT, STARRHOST_DEADLINE (default 900),\n"
    "<APP>_URL, <APP>_API_KEY_FILE, STARRHOST_INSTANCES (name=type,...).\n"
    "Exit codes: 0 converged, 1 an item failed, 2 usage/config/script error,\n"
    "3 an app unreachable, key rejected or the deadline passed, 4 plan: changes pending.\n";

struct cli {
    const char *command;
    const char *script_dirs[MAX_SCRIPT_DIRS + 1];
    size_t script_dir_count;
    const char *paths[256];
    const char *match; /* test --match */
    size_t path_count;
    enum log_level level;
    enum log_format format;
    char *env_scripts; /* owned copy of STARRHOST_SCRIPTS, split in place */
    double deadline;   /* --deadline, 0 if not given */
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "starrhost: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return EXIT_USAGE;
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int add_script_dir(struct cli *cli, const char *dir, const char *origin)
{
    if (cli->script_dir_count == MAX_SCRIPT_DIRS)
        return usage_error("too many script directories (at most 32): %s", dir);
    struct stat st;
    int err = stat(dir, &st) != 0 ? errno : 0;
    if (err || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "starrhost: %s %s: %s\n%s", origin, dir,
                err ? strerror(err) : "not a directory", usage_text);
        return EXIT_USAGE;
    }
    cli->script_dirs[cli->script_dir_count++] = dir;
    return 0;
}

static bool parse_seconds(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v > 0) || v > 86400)
        return false;
    *out = v;
    return true;
}

/* "256M", "1G", "65536": bytes, with optional K/M/G (binary) suffix. */
static bool parse_size(const char *text, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text)
        return false;
    unsigned long long mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024ull, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024ull * 1024ull, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1024ull * 1024ull * 1024ull, end++;
    if (*end == 'i' || *end == 'B')
        end++;
    if (*end || v == 0 || v > (1ull << 40) / mul)
        return false;
    *out = (size_t)(v * mul);
    return true;
}

/* Instance names (DESIGN section 9): lower-case letters, digits, '-' and '_';
 * the scripts check each name against the configured instances. */
static bool valid_only(const char *list)
{
    for (const char *p = list; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
              *p == ','))
            return false;
    }
    return *list != '\0';
}

/* Takes the value of OPT from "--opt=value" or the next argument. */
static const char *option_value(int argc, char **argv, int *i, const char *opt)
{
    size_t n = strlen(opt);
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static bool option_is(const char *arg, const char *opt)
{
    size_t n = strlen(opt);
    return strncmp(arg, opt, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_args(struct cli *cli, int argc, char **argv)
{
    bool is_export = strcmp(cli->command, "export") == 0;
    bool runs_scripts =
        strcmp(cli->command, "run") == 0 || strcmp(cli->command, "plan") == 0 || is_export;
    bool is_check = strcmp(cli->command, "check") == 0;
    bool is_test = strcmp(cli->command, "test") == 0;
    /* export reads only: as a dry run, host.http refuses every write. */
    host_settings.dry_run = strcmp(cli->command, "plan") == 0 || is_export;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
        if (is_test && arg[0] != '-') {
            if (cli->path_count == sizeof cli->paths / sizeof cli->paths[0])
                return usage_error("too many test paths: %s", arg);
            cli->paths[cli->path_count++] = arg;
            continue;
        }
#define NEEDS_VALUE(opt)                                                                           \
    do {                                                                                           \
        value = option_value(argc, argv, &i, opt);                                                 \
        if (!value)                                                                                \
            return usage_error("%s needs a value", opt);                                           \
    } while (0)
        if (option_is(arg, "--scripts")) {
            NEEDS_VALUE("--scripts");
            int rc = add_script_dir(cli, value, "--scripts");
            if (rc)
                return rc;
        } else if (option_is(arg, "--log-level")) {
            NEEDS_VALUE("--log-level");
            if (!log_parse_level(value, &cli->level))
                return usage_error("--log-level %s: expected debug, info, warn or error", value);
        } else if (option_is(arg, "--log-format")) {
            NEEDS_VALUE("--log-format");
            if (!log_parse_format(value, &cli->format))
                return usage_error("--log-format %s: expected text or json", value);
        } else if (is_test && option_is(arg, "--match")) {
            NEEDS_VALUE("--match");
            cli->match = value;
        } else if ((runs_scripts || is_check) && option_is(arg, "--config")) {
            NEEDS_VALUE("--config");
            host_settings.config_path = value;
        } else if (runs_scripts && !is_export && strcmp(arg, "--dry-run") == 0) {
            host_settings.dry_run = true;
        } else if (runs_scripts && option_is(arg, "--only")) {
            NEEDS_VALUE("--only");
            if (!valid_only(value))
                return usage_error("--only %s: expected instance names like sonarr,sonarr-4k",
                                   value);
            host_settings.only = value;
        } else if (runs_scripts && option_is(arg, "--timeout")) {
            NEEDS_VALUE("--timeout");
            if (!parse_seconds(value, &host_settings.timeout))
                return usage_error("--timeout %s: expected seconds, more than 0", value);
        } else if ((runs_scripts || is_check) && option_is(arg, "--deadline")) {
            NEEDS_VALUE("--deadline");
            if (!parse_seconds(value, &cli->deadline))
                return usage_error("--deadline %s: expected seconds, more than 0", value);
        } else if (runs_scripts && !is_export && option_is(arg, "--record")) {
            NEEDS_VALUE("--record");
            host_settings.record_path = value;
        } else {
            return usage_error("unknown option %s", arg);
        }
#undef NEEDS_VALUE
    }
    return 0;
}

static int build_script_path(struct cli *cli)
{
    const char *env = getenv("STARRHOST_SCRIPTS");
    if (env && *env) {
        cli->env_scripts = strdup(env);
        if (!cli->env_scripts)
            return usage_error("%s", "out of memory");
        char *save = NULL;
        for (char *dir = strtok_r(cli->env_scripts, ":", &save); dir;
             dir = strtok_r(NULL, ":", &save)) {
            int rc = add_script_dir(cli, dir, "STARRHOST_SCRIPTS");
            if (rc)
                return rc;
        }
    }
    /* The built-in directory comes last and may be absent (a build tree). */
    if (is_directory(STARRHOST_BUILTIN_SCRIPTS) && cli->script_dir_count < MAX_SCRIPT_DIRS)
        cli->script_dirs[cli->script_dir_count++] = STARRHOST_BUILTIN_SCRIPTS;
    cli->script_dirs[cli->script_dir_count] = NULL;
    host_settings.script_dirs = cli->script_dirs;
    return 0;
}

static int check_config_file(void)
{
    const char *path = host_settings.config_path;
    if (!path) {
        const char *env = getenv("STARRHOST_CONFIG");
        if (env && *env)
            host_settings.config_path = path = env;
    }
    if (path && access(path, R_OK) != 0) {
        fprintf(stderr, "starrhost: config file %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    return 0;
}

static int memory_limit(size_t *out)
{
    *out = ENGINE_DEFAULT_MEMORY_LIMIT;
    const char *env = getenv("STARRHOST_MEMORY_LIMIT");
    if (env && *env && !parse_size(env, out)) {
        fprintf(stderr, "starrhost: STARRHOST_MEMORY_LIMIT=%s: expected a size like 256M\n", env);
        return EXIT_USAGE;
    }
    return 0;
}

/* --deadline, else STARRHOST_DEADLINE, else the default; not for `test`. */
static int start_deadline(const struct cli *cli)
{
    if (strcmp(cli->command, "test") == 0)
        return 0;
    double seconds = cli->deadline;
    const char *env = getenv("STARRHOST_DEADLINE");
    if (seconds == 0 && env && *env && !parse_seconds(env, &seconds)) {
        fprintf(stderr, "starrhost: STARRHOST_DEADLINE=%s: expected seconds, more than 0\n", env);
        return EXIT_USAGE;
    }
    deadline_start(seconds > 0 ? seconds : DEADLINE_DEFAULT);
    return 0;
}

static int run_command(struct cli *cli, size_t limit)
{
    if (strcmp(cli->command, "test") == 0) {
        static const char *const default_paths[] = {"."};
        if (cli->path_count == 0)
            return engine_run_tests(limit, default_paths, 1, cli->match);
        return engine_run_tests(limit, cli->paths, cli->path_count, cli->match);
    }
    struct engine e;
    if (!engine_open(&e, limit))
        return EXIT_USAGE;
    int code = strcmp(cli->command, "check") == 0 ? engine_check(&e) : engine_run_main(&e);
    engine_close(&e);
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "missing command");
    struct cli cli = {.command = argv[1], .level = LOG_INFO, .format = LOG_FORMAT_TEXT};
    if (strcmp(cli.command, "version") == 0 || strcmp(cli.command, "--version") == 0) {
        if (argc > 2)
            return usage_error("version takes no arguments: %s", argv[2]);
        printf("starrhost %s\n", STARRHOST_VERSION);
        return 0;
    }
    if (strcmp(cli.command, "help") == 0 || strcmp(cli.command, "--help") == 0 ||
        strcmp(cli.command, "-h") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    static const char *const commands[] = {"run", "plan", "export", "check", "test", NULL};
    bool known = false;
    for (int i = 0; commands[i]; i++)
        known = known || strcmp(cli.command, commands[i]) == 0;
    if (!known)
        return usage_error("unknown command %s", cli.command);
    host_settings.command = cli.command;

    size_t limit;
    int rc = parse_args(&cli, argc, argv);
    if (!rc)
        rc = build_script_path(&cli);
    if (!rc)
        rc = check_config_file();
    if (!rc)
        rc = memory_limit(&limit);
    if (!rc)
        rc = start_deadline(&cli);
    if (!rc) {
        log_configure(cli.level, cli.format);
        secret_register_environment();
        rc = run_command(&cli, limit);
    }
    free(cli.env_scripts);
    log_forget_secrets();
    return rc;
}
