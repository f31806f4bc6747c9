/*
 * json_get: typed, checked access to the fields of a sidecar's JSON.
 * Every getter reports the first problem once through CPLError ("invalid
 * sidecar <source>: <what> '<key>'"), sets p->failed and returns the
 * default, so a parser can read a whole object and test p->failed once.
 * Strings and arrays returned are CPLMalloc'ed (CSL lists for strings).
 */
#ifndef XAV_JSON_GET_H
#define XAV_JSON_GET_H

#include <cjson/cJSON.h>

/* Parsing context: the first error wins and is reported once. */
typedef struct {
    const char *source;
    int failed;
} xav_json_parser;

void xav_json_bad(xav_json_parser *p, const char *what, const char *key);

/* The member key of o; NULL (an error if required) when absent. */
const cJSON *xav_json_get(xav_json_parser *p, const cJSON *o, const char *key,
                          int required);

/* Numbers; "nan", "inf" and "-inf" strings stand for what JSON cannot
 * hold. xav_json_finite refuses them. */
double xav_json_number_item(xav_json_parser *p, const cJSON *item,
                            const char *key);
double xav_json_number(xav_json_parser *p, const cJSON *o, const char *key,
                       double def, int required);
double xav_json_finite(xav_json_parser *p, const cJSON *o, const char *key,
                       double def, int required);
int xav_json_int(xav_json_parser *p, const cJSON *o, const char *key, int def,
                 int required);

/* A copy of a string member, or NULL if absent and optional. */
char *xav_json_string(xav_json_parser *p, const cJSON *o, const char *key,
                      int required);

/* A required enum member by its names (by_name: -1 for none), 0 if bad. */
int xav_json_enum(xav_json_parser *p, const cJSON *o, const char *key,
                  int (*by_name)(const char *));

/* Arrays of n numbers (n < 0: any length, stored in *count). */
double *xav_json_numbers(xav_json_parser *p, const cJSON *o, const char *key,
                         int n, int *count);
double *xav_json_finite_numbers(xav_json_parser *p, const cJSON *o,
                                const char *key, int n);

/* Optional array of strings, and optional object of string values (as a
 * NAME=VALUE list). */
char **xav_json_strings(xav_json_parser *p, const cJSON *o, const char *key);
char **xav_json_name_values(xav_json_parser *p, const cJSON *o,
                            const char *key);

/* Every key and string under node: valid UTF-8 and at most 16 MiB. */
void xav_json_check_strings(xav_json_parser *p, const cJSON *node);

#endif
