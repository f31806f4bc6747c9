/* pyliteral: see pyliteral.h. */
#include "pyliteral.h"

#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"

/* Nesting deeper than any tag xarrayvideo writes (a dict of dicts of
 * lists). */
#define XAV_PYLITERAL_MAX_DEPTH 16

typedef struct {
    const char *p;
    int depth;
} parser;

static cJSON *value(parser *ps);

static void skip_space(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r')
        ps->p++;
}

static int word(parser *ps, const char *w)
{
    const size_t n = strlen(w);
    if (strncmp(ps->p, w, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

/* A quoted string, with Python's common escapes. */
static cJSON *string(parser *ps)
{
    const char quote = *ps->p++;
    char *out = (char *)CPLMalloc(strlen(ps->p) + 1);
    size_t n = 0;
    cJSON *item = NULL;
    while (*ps->p != '\0' && *ps->p != quote) {
        char c = *ps->p++;
        if (c == '\\') {
            if (*ps->p == '\0')
                break;
            c = *ps->p++;
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    if (*ps->p == quote) {
        ps->p++;
        item = cJSON_CreateString(out);
    }
    CPLFree(out);
    return item;
}

static cJSON *number(parser *ps)
{
    char *end = NULL;
    const double v = strtod(ps->p, &end);
    if (end == ps->p)
        return NULL;
    ps->p = end;
    return cJSON_CreateNumber(v);
}

/* Items up to close: a list or a tuple (an array), or a dict (an object,
 * string keys only). */
static cJSON *container(parser *ps, char close, int dict)
{
    cJSON *out = dict ? cJSON_CreateObject() : cJSON_CreateArray();
    ps->p++;
    if (++ps->depth > XAV_PYLITERAL_MAX_DEPTH)
        goto fail;
    for (;;) {
        cJSON *key = NULL, *item;
        skip_space(ps);
        if (*ps->p == close)
            break;
        if (dict) {
            key = value(ps);
            skip_space(ps);
            if (!cJSON_IsString(key) || *ps->p != ':') {
                cJSON_Delete(key);
                goto fail;
            }
            ps->p++;
        }
        if ((item = value(ps)) == NULL) {
            cJSON_Delete(key);
            goto fail;
        }
        if (dict)
            cJSON_AddItemToObject(out, key->valuestring, item);
        else
            cJSON_AddItemToArray(out, item);
        cJSON_Delete(key);
        skip_space(ps);
        if (*ps->p == ',')
            ps->p++;
        else if (*ps->p != close)
            goto fail;
    }
    ps->p++;
    ps->depth--;
    return out;
fail:
    cJSON_Delete(out);
    return NULL;
}

static cJSON *value(parser *ps)
{
    skip_space(ps);
    switch (*ps->p) {
    case '\'':
    case '"':
        return string(ps);
    case '{':
        return container(ps, '}', 1);
    case '[':
        return container(ps, ']', 0);
    case '(':
        return container(ps, ')', 0);
    default:
        break;
    }
    if (word(ps, "True"))
        return cJSON_CreateTrue();
    if (word(ps, "False"))
        return cJSON_CreateFalse();
    if (word(ps, "None") || word(ps, "nan"))
        return cJSON_CreateNull();
    return number(ps);
}

cJSON *xav_pyliteral_parse(const char *text)
{
    parser ps = {text, 0};
    cJSON *out = text ? value(&ps) : NULL;
    if (out == NULL)
        return NULL;
    skip_space(&ps);
    if (*ps.p != '\0') {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}
