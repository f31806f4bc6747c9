/*
 * pyliteral: Python literals as xarrayvideo writes them into its videos'
 * XARRAY tag (str() of a dict: single-quoted strings, tuples, True, False,
 * None, nan), parsed into cJSON: dicts become objects, lists and tuples
 * arrays, None and nan null. Nothing is evaluated. Depth and size are
 * bounded, so a hostile tag costs nothing but a refusal.
 */
#ifndef XAV_PYLITERAL_H
#define XAV_PYLITERAL_H

#include <cjson/cJSON.h>

/* The literal text, whole, or NULL if it is not one (cJSON_Delete it). */
cJSON *xav_pyliteral_parse(const char *text);

#endif /* XAV_PYLITERAL_H */
