/*
** src/cli/options.c: the option parser and --help writer shared by every
** command, and the handling of the common options. Numbers accept k, M, G
** suffixes and exponents ("10M", "1e7") so large sizes read naturally.
*/
#include "cli.h"

#include "core/error.h"
#include "kernels/cpu/kernels.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static cli_opt common_opts[] = {
    {"threads", 0, CLI_INT, NULL, "N", "threads to use (default: all cores); results do not depend on it", 0, 4096},
    {"seed", 0, CLI_INT, NULL, "S", "random seed; same seed and inputs give the same output", 0, 9.2e18},
    {"quiet", 'q', CLI_FLAG, NULL, NULL, "no progress or notes on stderr", 0, 0},
    {"json", 0, CLI_FLAG, NULL, NULL, "print one JSON summary object on stdout", 0, 0},
    {"log-json", 0, CLI_FLAG, NULL, NULL, "events (progress, notes, errors) as JSON lines on stderr", 0, 0},
    {"help", 'h', CLI_FLAG, NULL, NULL, "show this help", 0, 0},
    {0},
};

static void bind_common(cli_common *common, bool *help)
{
    common_opts[0].target = &common->threads;
    common_opts[1].target = &common->seed;
    common_opts[2].target = &common->quiet;
    common_opts[3].target = &common->json;
    common_opts[4].target = &common->log_json;
    common_opts[5].target = help;
}

static void print_option(FILE *out, const cli_opt *o)
{
    char left[64];
    int n = 0;
    if (o->short_name)
        n = snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->name);
    else
        n = snprintf(left, sizeof left, "    --%s", o->name);
    if (o->metavar)
        snprintf(left + n, sizeof left - (size_t)n, " %s", o->metavar);
    fprintf(out, "  %-26s %s", left, o->help);
    /* a negative (or NaN) numeric default means "depends on other options"
    ** or "none": the help text says which */
    if (o->target && o->kind == CLI_INT && strcmp(o->name, "seed") != 0 &&
        strcmp(o->name, "threads") != 0 && *(int64_t *)o->target >= 0)
        fprintf(out, " (default %lld)", (long long)*(int64_t *)o->target);
    else if (o->target && o->kind == CLI_DOUBLE && *(double *)o->target >= 0)
        fprintf(out, " (default %g)", *(double *)o->target);
    else if (o->target && o->kind == CLI_STRING && *(const char **)o->target)
        fprintf(out, " (default %s)", *(const char **)o->target);
    fputc('\n', out);
}

static void print_help(const cli_command *cmd)
{
    printf("usage: retain %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage,
           cmd->summary);
    for (const cli_opt *o = cmd->opts; o && o->name; o++)
        print_option(stdout, o);
    printf("\ncommon options:\n");
    for (const cli_opt *o = common_opts; o->name; o++)
        print_option(stdout, o);
    if (cmd->details)
        printf("\n%s\n", cmd->details);
    printf("\nexit codes: 0 ok, 1 usage, 2 bad input data, 3 I/O, 4 device, 5 internal\n");
}

static bool parse_int(const char *text, int64_t *out)
{
    errno = 0;
    char *end;
    long long exact = strtoll(text, &end, 10);
    if (end != text && *end == '\0' && !errno) {
        *out = exact;
        return true;
    }
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno)
        return false;
    double mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1e3, end++;
    else if (*end == 'M')
        mult = 1e6, end++;
    else if (*end == 'G')
        mult = 1e9, end++;
    if (*end)
        return false;
    v *= mult;
    if (v != floor(v) || fabs(v) > 9.2e18)
        return false;
    *out = (int64_t)v;
    return true;
}

static const cli_opt *find_opt(const cli_command *cmd, const char *name, char short_name)
{
    const cli_opt *tables[2] = {cmd->opts, common_opts};
    for (int t = 0; t < 2; t++)
        for (const cli_opt *o = tables[t]; o && o->name; o++)
            if ((name && strcmp(o->name, name) == 0) ||
                (!name && short_name && o->short_name == short_name))
                return o;
    return NULL;
}

static int set_value(const cli_command *cmd, const cli_common *common,
                     const cli_opt *o, const char *value)
{
    switch (o->kind) {
    case CLI_FLAG:
        *(bool *)o->target = true;
        return 0;
    case CLI_STRING:
        *(const char **)o->target = value;
        return 0;
    case CLI_INT: {
        int64_t v;
        if (!parse_int(value, &v))
            return cli_usage_error(cmd, common,
                                   "--%s expects a whole number (e.g. 1000, 10k, 2M), got '%s'",
                                   o->name, value);
        if (o->min <= o->max && (v < o->min || v > o->max))
            return cli_usage_error(cmd, common, "--%s must be between %.15g and %.15g, got %lld",
                                   o->name, o->min, o->max, (long long)v);
        *(int64_t *)o->target = v;
        return 0;
    }
    case CLI_DOUBLE: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (end == value || *end || errno || !isfinite(v))
            return cli_usage_error(cmd, common, "--%s expects a number, got '%s'",
                                   o->name, value);
        if (o->min <= o->max && (v < o->min || v > o->max))
            return cli_usage_error(cmd, common, "--%s must be between %g and %g, got %g",
                                   o->name, o->min, o->max, v);
        *(double *)o->target = v;
        return 0;
    }
    }
    return 0;
}

int cli_parse(const cli_command *cmd, cli_common *common, int argc, char **argv,
              const char **positional, int *npositional, bool *done)
{
    bool help = false;
    bind_common(common, &help);
    *npositional = 0;
    *done = false;
    bool only_positional = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_positional || arg[0] != '-' || arg[1] == '\0') {
            if (*npositional >= cmd->max_positional)
                return cli_usage_error(cmd, common, "unexpected argument '%s'", arg);
            positional[(*npositional)++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_positional = true;
            continue;
        }
        const cli_opt *o;
        const char *inline_value = NULL;
        char name[64];
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            snprintf(name, sizeof name, "%.*s", (int)len, arg + 2);
            inline_value = eq ? eq + 1 : NULL;
            o = find_opt(cmd, name, 0);
        } else {
            o = arg[2] == '\0' ? find_opt(cmd, NULL, arg[1]) : NULL;
            if (!o && arg[1] >= '0' && arg[1] <= '9') {
                if (*npositional >= cmd->max_positional)
                    return cli_usage_error(cmd, common, "unexpected argument '%s'", arg);
                positional[(*npositional)++] = arg;
                continue;
            }
        }
        if (!o)
            return cli_usage_error(cmd, common, "unknown option '%s' (see 'retain %s --help')",
                                   arg, cmd->name);
        if (o->kind == CLI_FLAG) {
            if (inline_value)
                return cli_usage_error(cmd, common, "--%s takes no value", o->name);
            set_value(cmd, common, o, NULL);
            continue;
        }
        const char *value = inline_value;
        if (!value) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, common, "--%s needs a value (%s)", o->name,
                                       o->metavar ? o->metavar : "see --help");
            value = argv[++i];
        }
        int rc = set_value(cmd, common, o, value);
        if (rc)
            return rc;
    }
    if (help) {
        print_help(cmd);
        *done = true;
        return 0;
    }
    if (*npositional < cmd->min_positional)
        return cli_usage_error(cmd, common, "missing argument: usage: retain %s %s",
                               cmd->name, cmd->usage);
    const char *isa = rt_kernels_env_problem();
    if (isa)
        return cli_usage_error(cmd, common, "%s", isa);
    if (retain_threads_set((int)common->threads))
        return cli_fail(cmd, common, RETAIN_ERR_USAGE);
    return 0;
}

bool cli_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a > b && strcmp(s + a - b, suffix) == 0;
}

bool cli_parse_bytes(const char *text, int64_t *bytes)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !(v > 0))
        return false;
    const char *units = "KMGT";
    const char *u = *end ? strchr(units, *end) : NULL;
    if (*end && !u)
        return false;
    if (u) {
        v *= (double)((int64_t)1 << (10 * (u - units + 1)));
        end++;
        if (*end == 'i')
            end++;
        if (*end == 'B')
            end++;
    }
    if (*end || v < 1 || v > 9e18)
        return false;
    *bytes = (int64_t)v;
    return true;
}

int cli_output_kind(const cli_command *cmd, const cli_common *common, const char *output,
                    const char *text_suffix, const char *text_name, int64_t gzip,
                    bool *is_text)
{
    if (!output)
        return cli_usage_error(cmd, common, "no output file: give -o OUT.h5 or -o OUT%s",
                               text_suffix);
    *is_text = cli_has_suffix(output, text_suffix);
    if (!*is_text && !cli_has_suffix(output, ".h5") && !cli_has_suffix(output, ".hdf5"))
        return cli_usage_error(cmd, common,
                               "-o %s: unknown output type; the name must end in .h5 or "
                               ".hdf5 (HDF5) or %s (%s)",
                               output, text_suffix, text_name);
    if (*is_text && gzip > 0)
        return cli_usage_error(cmd, common,
                               "--compress applies to HDF5 output only, not to %s", output);
    return 0;
}

static void json_escaped(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void event(const char *kind, const char *status, const char *message)
{
    fprintf(stderr, "{\"event\":\"%s\"", kind);
    if (status)
        fprintf(stderr, ",\"status\":\"%s\"", status);
    fputs(",\"message\":", stderr);
    json_escaped(stderr, message);
    fputs("}\n", stderr);
}

int cli_fail(const cli_command *cmd, const cli_common *common, retain_status status)
{
    const char *msg = retain_last_error();
    if (common && common->log_json)
        event("error", retain_status_name(status), msg);
    else
        fprintf(stderr, "retain %s: error: %s\n", cmd->name, msg);
    return (int)status;
}

int cli_usage_error(const cli_command *cmd, const cli_common *common, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rt_error(RETAIN_ERR_USAGE, "%s", msg);
    return cli_fail(cmd, common, RETAIN_ERR_USAGE);
}

void cli_note(const cli_common *common, const char *fmt, ...)
{
    if (common->quiet)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (common->log_json)
        event("note", NULL, msg);
    else
        fprintf(stderr, "%s\n", msg);
}

void cli_warn(const cli_command *cmd, const cli_common *common, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (common->log_json)
        event("warning", NULL, msg);
    else
        fprintf(stderr, "retain %s: warning: %s\n", cmd->name, msg);
}
