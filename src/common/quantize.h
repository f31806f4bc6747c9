/*
 * quantize: values <-> N-bit codes, per variable.
 *  - lossy: integers whose valid range fits the bit depth and fills at
 *    least half of it are coded as value - offset; anything else linearly
 *    (narrower integers stretched over every code), with one offset/scale
 *    per variable over all its time steps (per-frame scaling would break
 *    temporal prediction);
 *  - lossless, 8 and 16-bit integers: value - offset;
 *  - lossless, wider types of few distinct values (at most 2^16, as GRIB
 *    leaves them): the value's place in a table of them all;
 *  - lossless, other wider types: the value's bits, made order-preserving
 *    (codes are ordered like the values; raw IEEE bits jump at every sign
 *    change), split into bytes, most significant first (FFV1 codes byte
 *    planes better than 16-bit words: doc/defaults.md);
 *  - invalid pixels are filled smoothly before lossy coding (a flat fill
 *    costs bits at every coast); the mask stream keeps them exactly.
 * Row functions take whole rows so that no per-pixel call is made.
 */
#ifndef XAV_QUANTIZE_H
#define XAV_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Mask codes: what an invalid pixel was, or which exceptional value. */
#define XAV_MASK_VALID 255
#define XAV_MASK_NODATA 0
#define XAV_MASK_NAN 1
#define XAV_MASK_POSINF 2
#define XAV_MASK_NEGINF 3
#define XAV_MASK_EXCEPTION 4 /* + k: exactly v->exceptions[k] */

/* What a pixel of code XAV_MASK_NODATA reads as: the variable's nodata,
 * or NaN if it has none. A tile left out for having no valid pixel
 * (model.h) reads so throughout; xav_mask_code_empty says which codes such
 * a tile may have had (NaN too, where NaN is what nodata reads as). */
double xav_mask_nodata_value(const xav_variable *v);
int xav_mask_code_empty(const xav_variable *v, uint8_t code);

/* A mask stream stores code + 1 (mod 256): valid pixels as 0, so that the
 * edges of a land mask are steps of 1, which lossless coders take cheaply
 * (the SST mask: 13.3 against 4.9 KB... measured in doc/defaults.md);
 * sidecars of schema version 1 stored the codes themselves. */
uint16_t xav_mask_stored(uint8_t code);
void xav_mask_from_stored(const uint8_t *stored, size_t n, int schema_version,
                          uint8_t *codes);

/* Chooses v->quant, q_offset, q_scale and words from v->type, v->lossless
 * and v->valid_min/max (a lossy variable whose valid values are all one,
 * or that has none, is XAV_QUANT_CONSTANT). Returns the bits its codes
 * need. */
int xav_quant_plan(xav_variable *v, int bits);

/* The value of one step of v's codes, counted in codes of 12 bits (a code
 * of 8 bits is 16 of them): the unit x265's CRF and QP scale, whatever the
 * stream's bits. */
double xav_quant_step12(const xav_variable *v);

/* Lossy or integer: values -> codes (clamped to [0, 2^bits - 1]). */
void xav_quant_encode_row(const xav_variable *v, int bits, const double *values,
                          size_t n, uint16_t *codes);
/* Codes (8-bit if bytes_per_code is 1, else 16-bit) -> physical values. */
void xav_quant_decode_row(const xav_variable *v, const void *codes,
                          int bytes_per_code, size_t n, double *values);

/* One row of what a reader takes from the streams of a lossy or integer
 * variable. */
typedef struct {
    const void *codes;           /* the data channel's codes */
    int bytes_per_code;          /* 1, or 2 for 16-bit samples */
    const uint16_t *corrections; /* NULL if none */
    int correction_zero;         /* the code of no correction */
    const uint8_t *mask;         /* XAV_MASK_* codes, NULL if all valid */
    /* XAV_QUANT_MIXED: the codes of each of v->mix_vars, in their order */
    const void *mixed[XAV_MAX_CHANNELS];
} xav_row_in;

/* Values to n values of type in out: rounded, and held to the type's range
 * (GDAL's conversion wraps 2^63 around to INT64_MIN; INT64_MAX and
 * UINT64_MAX nodata are kept as the doubles 2^63 and 2^64). stride: of x,
 * in doubles. */
void xav_values_to_type(const double *x, size_t stride, GDALDataType type,
                        void *out, size_t n);

/* What a reader gets for one row of n pixels, in the variable's type, into
 * out; scratch holds n doubles. The encoder calls it too, to measure
 * exactly what readers will see. In order:
 *  - codes -> physical values; invalid pixels from their mask codes
 *    (nodata, NaN, infinities, exceptional values), exactly;
 *  - conversion to the type, then corrections added in the type (integers
 *    stay exact, floats round once): value += (code - zero) * step, except
 *    code XAV_CORRECTION_BELOW, which means "nodata's lower neighbour";
 *  - a valid pixel that would read as nodata reads as its upper neighbour
 *    (the type's next value), or lower at the type's top: a pixel the mask
 *    calls valid never reads as nodata. */
void xav_reconstruct_row(const xav_variable *v, const xav_row_in *in, size_t n,
                         double *scratch, void *out);
/* The codes of data stream st, whose variables are XAV_QUANT_MIXED, for
 * n pixels of values[c], the values of channel c's variable: the inverse
 * of their mix, rounded and clamped to the stream's bits. */
void xav_mix_encode_rows(const xav_desc *d, const xav_stream *st,
                         const double *const *values, size_t n,
                         uint16_t *const *codes);

/* Correction codes of a correction stream of bits: no correction, and the
 * code reserved for "nodata's lower neighbour"; a correction k is coded
 * zero + k, |k| < zero. */
#define XAV_CORRECTION_BELOW 0
int xav_correction_zero(int bits);

/* Lossless: raw values of type -> byte `word` of each. */
void xav_bits_encode_row(GDALDataType type, const void *raw, size_t n, int word,
                         uint16_t *codes);
/* Lossless: bytes (one row per word) -> raw values. */
void xav_bits_decode_row(GDALDataType type, const uint8_t *const *words,
                         size_t n, void *raw);
/* Number of byte words that carry a value of type losslessly. */
int xav_bits_words(GDALDataType type);

/* A value's order-preserving bits (what XAV_QUANT_BITS splits into words,
 * and a table holds): element i of raw, values of type; and back. */
uint64_t xav_key_of(GDALDataType type, const void *raw, size_t i);
void xav_key_store(GDALDataType type, uint64_t key, void *raw, size_t i);
/* Whether v's codes come from its values' bits, not from doubles: lossless
 * types wider than 16 bits (XAV_QUANT_BITS, or a table). */
int xav_quant_raw(const xav_variable *v);
/* XAV_QUANT_TABLE: codes of n raw values (their places in v->table); -1 if
 * a value is not in the table. */
int xav_table_encode_row(const xav_variable *v, const void *raw, size_t n,
                         uint16_t *codes);
/* Codes (8-bit if bytes_per_code is 1, else 16-bit) -> raw values; -1 for
 * a code past the table (a damaged stream). */
int xav_table_decode_row(const xav_variable *v, const void *codes,
                         int bytes_per_code, size_t n, void *raw);

/* Replaces invalid values (valid[i] == 0) by a smooth fill from the valid
 * ones (push-pull over a 2x pyramid). */
void xav_fill_invalid(double *values, const uint8_t *valid, int width,
                      int height);

#endif /* XAV_QUANTIZE_H */
