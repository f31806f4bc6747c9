/* json_get: see json_get.h. */
#include "json_get.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

/* No string of a sidecar is anywhere near this (the longest are CRS
 * definitions and metadata items). */
#define XAV_MAX_STRING_BYTES (16 * 1024 * 1024)

void xav_json_bad(xav_json_parser *p, const char *what, const char *key)
{
    if (!p->failed)
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: invalid sidecar %s: %s '%s'.", p->source, what, key);
    p->failed = 1;
}

const cJSON *xav_json_get(xav_json_parser *p, const cJSON *o, const char *key,
                          int required)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    if (item == NULL && required)
        xav_json_bad(p, "missing", key);
    return item;
}

double xav_json_number_item(xav_json_parser *p, const cJSON *item,
                            const char *key)
{
    if (cJSON_IsNumber(item))
        return item->valuedouble;
    if (cJSON_IsString(item)) {
        if (!strcmp(item->valuestring, "nan"))
            return NAN;
        if (!strcmp(item->valuestring, "inf"))
            return INFINITY;
        if (!strcmp(item->valuestring, "-inf"))
            return -INFINITY;
    }
    xav_json_bad(p, "not a number:", key);
    return 0;
}

double xav_json_number(xav_json_parser *p, const cJSON *o, const char *key,
                       double def, int required)
{
    const cJSON *item = xav_json_get(p, o, key, required);
    return item == NULL ? def : xav_json_number_item(p, item, key);
}

/* A number where NaN and infinities make no sense (coefficients, sizes). */
double xav_json_finite(xav_json_parser *p, const cJSON *o, const char *key,
                       double def, int required)
{
    double v = xav_json_number(p, o, key, def, required);
    if (!isfinite(v)) {
        xav_json_bad(p, "not a finite number:", key);
        return def;
    }
    return v;
}

int xav_json_int(xav_json_parser *p, const cJSON *o, const char *key, int def,
                 int required)
{
    double v = xav_json_number(p, o, key, def, required);
    if (!(v >= -2147483647.0 && v <= 2147483647.0) || v != floor(v)) {
        xav_json_bad(p, "not an integer:", key);
        return 0;
    }
    return (int)v;
}

/* Returns a CPLStrdup'ed copy, or NULL if absent and optional. */
char *xav_json_string(xav_json_parser *p, const cJSON *o, const char *key,
                      int required)
{
    const cJSON *item = xav_json_get(p, o, key, required);
    if (item == NULL)
        return NULL;
    if (!cJSON_IsString(item)) {
        xav_json_bad(p, "not a string:", key);
        return NULL;
    }
    return CPLStrdup(item->valuestring);
}

/* The value of an enum key, by its names (by_name: -1 for none), or 0
 * with an error. */
int xav_json_enum(xav_json_parser *p, const cJSON *o, const char *key,
                  int (*by_name)(const char *))
{
    char *s = xav_json_string(p, o, key, 1);
    int found = s != NULL ? by_name(s) : -1;
    if (s != NULL && found < 0)
        xav_json_bad(p, "unknown value of", key);
    CPLFree(s);
    return found < 0 ? 0 : found;
}

/* Array of n numbers (n < 0: any length, stored in *count). */
double *xav_json_numbers(xav_json_parser *p, const cJSON *o, const char *key,
                         int n, int *count)
{
    const cJSON *a = xav_json_get(p, o, key, 1), *e;
    double *out;
    int i = 0;
    if (a == NULL)
        return NULL;
    if (!cJSON_IsArray(a) || (n >= 0 && cJSON_GetArraySize(a) != n)) {
        xav_json_bad(p, "wrong array", key);
        return NULL;
    }
    out = (double *)CPLCalloc(cJSON_GetArraySize(a) + 1, sizeof(double));
    cJSON_ArrayForEach(e, a) out[i++] = xav_json_number_item(p, e, key);
    if (count != NULL)
        *count = i;
    return out;
}

/* Array of n finite numbers. */
double *xav_json_finite_numbers(xav_json_parser *p, const cJSON *o,
                                const char *key, int n)
{
    double *v = xav_json_numbers(p, o, key, n, NULL);
    int i;
    for (i = 0; v != NULL && i < n; i++)
        if (!isfinite(v[i])) {
            xav_json_bad(p, "not a finite number in", key);
            CPLFree(v);
            return NULL;
        }
    return v;
}

char **xav_json_strings(xav_json_parser *p, const cJSON *o, const char *key)
{
    const cJSON *a = xav_json_get(p, o, key, 0), *e;
    char **out = NULL;
    if (a == NULL)
        return NULL;
    if (!cJSON_IsArray(a)) {
        xav_json_bad(p, "not an array:", key);
        return NULL;
    }
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e)) {
            xav_json_bad(p, "non-string in", key);
            break;
        }
        out = CSLAddString(out, e->valuestring);
    }
    return out;
}

char **xav_json_name_values(xav_json_parser *p, const cJSON *o, const char *key)
{
    const cJSON *obj = xav_json_get(p, o, key, 0), *e;
    char **out = NULL;
    if (obj == NULL)
        return NULL;
    if (!cJSON_IsObject(obj)) {
        xav_json_bad(p, "not an object:", key);
        return NULL;
    }
    cJSON_ArrayForEach(e, obj)
    {
        if (!cJSON_IsString(e)) {
            xav_json_bad(p, "non-string value in", key);
            break;
        }
        out = CSLSetNameValue(out, e->string, e->valuestring);
    }
    return out;
}

/* Every key and string of the document: valid UTF-8 (GDAL hands them to
 * applications as such) and of a sane length. Nesting is bounded by cJSON
 * (CJSON_NESTING_LIMIT), so the recursion is too. */
void xav_json_check_strings(xav_json_parser *p, const cJSON *node)
{
    const cJSON *e;
    const char *where = node->string ? node->string : "(top level)";
    if (node->string != NULL && (strlen(node->string) > XAV_MAX_STRING_BYTES ||
                                 !CPLIsUTF8(node->string, -1)))
        xav_json_bad(p, "key too long or not valid UTF-8 near", "(a key)");
    if (cJSON_IsString(node) && node->valuestring != NULL) {
        if (strlen(node->valuestring) > XAV_MAX_STRING_BYTES)
            xav_json_bad(p, "string longer than 16 MiB in", where);
        else if (!CPLIsUTF8(node->valuestring, -1))
            xav_json_bad(p, "string not valid UTF-8 in", where);
    }
    for (e = node->child; e != NULL && !p->failed; e = e->next)
        xav_json_check_strings(p, e);
}
