/*
** src/cli/json.c: a small streaming JSON writer for --json summaries: keys
** and values are written as they come, strings escaped, doubles with 17
** significant digits (NaN and Inf become null).
*/
#include "cli.h"

#include <math.h>

static void separator(cli_json *j, const char *key)
{
    if (!j->first[j->depth])
        fputc(',', j->out);
    j->first[j->depth] = false;
    if (key) {
        fputc('"', j->out);
        for (const char *s = key; *s; s++)
            fputc(*s, j->out);
        fputs("\":", j->out);
    }
}

static void open_level(cli_json *j, char c)
{
    fputc(c, j->out);
    if (j->depth < 31)
        j->depth++;
    j->first[j->depth] = true;
}

void json_begin(cli_json *j, FILE *out)
{
    j->out = out;
    j->depth = 0;
    j->first[0] = true;
    open_level(j, '{');
}

void json_end(cli_json *j)
{
    fputs("}\n", j->out);
    fflush(j->out);
    j->depth = 0;
}

void json_object(cli_json *j, const char *key)
{
    separator(j, key);
    open_level(j, '{');
}

void json_object_end(cli_json *j)
{
    fputc('}', j->out);
    j->depth--;
}

void json_array(cli_json *j, const char *key)
{
    separator(j, key);
    open_level(j, '[');
}

void json_array_end(cli_json *j)
{
    fputc(']', j->out);
    j->depth--;
}

void json_string(cli_json *j, const char *key, const char *value)
{
    separator(j, key);
    if (!value) {
        fputs("null", j->out);
        return;
    }
    fputc('"', j->out);
    for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(j->out, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", j->out);
        else if (*s < 0x20)
            fprintf(j->out, "\\u%04x", *s);
        else
            fputc(*s, j->out);
    }
    fputc('"', j->out);
}

void json_int(cli_json *j, const char *key, int64_t value)
{
    separator(j, key);
    fprintf(j->out, "%lld", (long long)value);
}

void json_double(cli_json *j, const char *key, double value)
{
    separator(j, key);
    if (isfinite(value))
        fprintf(j->out, "%.17g", value);
    else
        fputs("null", j->out);
}

void json_bool(cli_json *j, const char *key, bool value)
{
    separator(j, key);
    fputs(value ? "true" : "false", j->out);
}
