/*
 * identify: xav_identify (xavideo.h). GDAL calls every plugin's Identify
 * before its built-in drivers, on every file it opens, so this looks at
 * the bytes GDAL already read and, for a Matroska file only, at whether a
 * sidecar exists or the first bytes carry our tag: cheap and strict.
 */
#include <string.h>

#include "cpl_conv.h"
#include "cpl_vsi.h"

#include "names.h"
#include "xavideo.h"

/* How far into a Matroska file Identify looks for the embedded tag. */
#define XAV_IDENTIFY_SCAN_BYTES 65536

/* Skips JSON white space from h[*i]. */
static void skip_space(const unsigned char *h, int n, int *i)
{
    while (*i < n &&
           (h[*i] == ' ' || h[*i] == '\n' || h[*i] == '\r' || h[*i] == '\t'))
        (*i)++;
}

/* Consumes token at h[*i] (after white space) if it is there. */
static int expect(const unsigned char *h, int n, int *i, const char *token)
{
    size_t k = strlen(token);
    skip_space(h, n, i);
    if (*i + (int)k > n || memcmp(h + *i, token, k) != 0)
        return 0;
    *i += (int)k;
    return 1;
}

/* A sidecar starts with {"format": "xavideo" (the writer puts it first). */
static int is_sidecar_header(const unsigned char *h, int n)
{
    int i = 0;
    return expect(h, n, &i, "{") && expect(h, n, &i, "\"format\"") &&
           expect(h, n, &i, ":") && expect(h, n, &i, "\"xavideo\"");
}

static int is_matroska_header(const unsigned char *h, int n)
{
    static const unsigned char ebml[4] = {0x1A, 0x45, 0xDF, 0xA3};
    int i;
    if (n < 64 || memcmp(h, ebml, 4) != 0)
        return 0;
    for (i = 4; i + 8 <= 64; i++)
        if (memcmp(h + i, "matroska", 8) == 0)
            return 1;
    return 0;
}

static int has_embedded_tag(const char *filename)
{
    VSILFILE *fp = VSIFOpenL(filename, "rb");
    char *buf;
    size_t n, k, len = strlen(XAV_EMBEDDED_TAG);
    int found = 0;
    if (fp == NULL)
        return 0;
    buf = (char *)CPLMalloc(XAV_IDENTIFY_SCAN_BYTES);
    n = VSIFReadL(buf, 1, XAV_IDENTIFY_SCAN_BYTES, fp);
    VSIFCloseL(fp);
    for (k = 0; k + len <= n && !found; k++)
        found = memcmp(buf + k, XAV_EMBEDDED_TAG, len) == 0;
    CPLFree(buf);
    return found;
}

int xav_identify(const char *filename, const unsigned char *header,
                 int header_bytes)
{
    VSIStatBufL st;
    char *sidecar;
    int found;
    if (header == NULL || header_bytes <= 0)
        return 0;
    if (is_sidecar_header(header, header_bytes))
        return 1;
    if (!is_matroska_header(header, header_bytes))
        return 0;
    sidecar = xav_name_sidecar(filename);
    found = VSIStatExL(sidecar, &st, VSI_STAT_EXISTS_FLAG) == 0;
    CPLFree(sidecar);
    return found || has_embedded_tag(filename);
}
