/* pack: see pack.h. */
#include "pack.h"

#include "cpl_conv.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

char *xav_pack_bytes(const void *data, size_t n)
{
    size_t size = 0;
    void *deflated = CPLZLibDeflate(data, n, 9, NULL, 0, &size);
    char *b64, *out;
    if (deflated == NULL)
        return NULL;
    b64 = CPLBase64Encode((int)size, (const GByte *)deflated);
    out = CPLStrdup(b64);
    CPLFree(b64);
    VSIFree(deflated);
    return out;
}

void *xav_unpack_bytes(const char *text, size_t max, size_t *n)
{
    GByte *bytes = (GByte *)CPLStrdup(text);
    const int len = CPLBase64DecodeInPlace(bytes);
    /* deflate packs at most 1032:1: no honest text needs more room */
    const size_t room = MIN(max, (size_t)MAX(len, 0) * 1100 + 64);
    char *out = (char *)VSI_MALLOC_VERBOSE(room + 1);
    *n = 0;
    if (out != NULL && (len <= 0 || CPLZLibInflate(bytes, (size_t)len, out,
                                                   room, n) == NULL)) {
        VSIFree(out);
        out = NULL;
    }
    CPLFree(bytes);
    if (out != NULL)
        out[*n] = '\0';
    return out;
}

#define XAV_VARINT_MAX 10 /* bytes of a 64-bit LEB128 */

char *xav_table_pack(const uint64_t *keys, int n)
{
    GByte *buf = (GByte *)CPLMalloc((size_t)n * XAV_VARINT_MAX + 1);
    size_t len = 0;
    uint64_t prev = 0;
    char *text;
    int i;
    for (i = 0; i < n; i++) {
        uint64_t delta = keys[i] - prev;
        prev = keys[i];
        do {
            buf[len++] = (GByte)((delta & 0x7f) | (delta > 0x7f ? 0x80 : 0));
            delta >>= 7;
        } while (delta != 0);
    }
    text = xav_pack_bytes(buf, len);
    CPLFree(buf);
    return text;
}

/* The varint at *pos of the len bytes; 0 with *ok cleared past the end. */
static uint64_t read_varint(const GByte *b, size_t len, size_t *pos, int *ok)
{
    uint64_t v = 0;
    int shift;
    for (shift = 0; shift < 64 && *pos < len; shift += 7) {
        const GByte byte = b[(*pos)++];
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return v;
    }
    *ok = 0;
    return 0;
}

uint64_t *xav_table_unpack(const char *text, int n)
{
    size_t len, pos = 0;
    GByte *b;
    uint64_t *keys;
    int i, ok = n > 0;
    if (!ok || (b = (GByte *)xav_unpack_bytes(text, (size_t)n * XAV_VARINT_MAX,
                                              &len)) == NULL)
        return NULL;
    keys = (uint64_t *)CPLMalloc((size_t)n * sizeof(uint64_t));
    for (i = 0; i < n && ok; i++) {
        const uint64_t delta = read_varint(b, len, &pos, &ok);
        const uint64_t prev = i > 0 ? keys[i - 1] : 0;
        /* strictly ascending, no wrap around */
        ok = ok && (i == 0 || delta > 0) && delta <= UINT64_MAX - prev;
        keys[i] = prev + delta;
    }
    VSIFree(b);
    if (!ok || pos != len) {
        CPLFree(keys);
        return NULL;
    }
    return keys;
}
