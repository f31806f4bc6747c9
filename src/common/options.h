/*
 * options: the creation and open options, their XML lists (what GDAL shows
 * and validates) and their parsing into plain values. Every option the user
 * can set is declared here and nowhere else.
 */
#ifndef XAV_OPTIONS_H
#define XAV_OPTIONS_H

#include "cpl_string.h"
#include "model.h"

/* Tiles of 512 pixels: on the NDFD mosaic they cost no more bits than one
 * tile or 1024-pixel tiles (0.92 bpppb against 0.92 and 0.90) and a 512 x
 * 512 window decodes in 188 ms against 1154 and 407 (doc/tiles.md). */
#define XAV_DEFAULT_TILE_SIZE 512
#define XAV_DEFAULT_CRF 6     /* x265: doc/defaults.md */
#define XAV_DEFAULT_AV1_CRF 5 /* about the same PSNR as x265 CRF 4 */

typedef enum {
    XAV_LAYOUT_AUTO = 0,
    XAV_LAYOUT_VARIABLE = 1, /* every band is a variable at one time */
    XAV_LAYOUT_TIME = 2      /* every band is one time of one variable */
} xav_layout_choice;

typedef struct {
    xav_codec codec;
    int lossless;
    int value_table; /* VALUE_TABLE: tables where they code exactly */
    int decorrelate; /* DECORRELATE: mixed variables (decorrelate.h) */
    int bits;        /* 0 = choose from the data type */
    int crf;
    int crf_given; /* CRF was set, not defaulted */
    int qp;        /* -1 = use crf */
    char preset[32];
    int gop;
    int tile_size;      /* 0 = one tile unless the raster is too large */
    int threads;        /* tiles encoded at the same time */
    const char *groups; /* "1,2,3;4" or NULL */
    xav_layout_choice layout;
    int bands_per_time; /* 0 = not given */
    const char *time_values;
    const char *time_units;    /* NULL: the source's */
    const char *time_calendar; /* NULL: the source's, else standard */
    const char *time_name;     /* NULL: the source's, else time */
    const char *variable_names;
    const char *valid_range; /* VALID_RANGE text, or NULL */
    double max_error;        /* 0 = no bound */
    double target_psnr;      /* 0 = use CRF */
    int append;              /* APPEND_SUBDATASET: add time steps (append.h) */
} xav_create_options;

/* Speed rank of an x265 preset name: 0 (placebo) to 9 (ultrafast), or -1
 * if it is not one. PRESET means the same trade-off for every codec. */
int xav_preset_speed(const char *preset);

/* Parses and checks the options; reports a bad value through CPLError and
 * returns -1. The strings point into opts. */
int xav_parse_create_options(CSLConstList opts, xav_create_options *out);

typedef struct {
    int threads;        /* decoder threads per stream, 0 = all cores */
    int cache_mib;      /* bound of the decoded-frame cache */
    int allow_external; /* follow references outside the sidecar's folder */
} xav_open_options;

/* The same for the open options (NUM_THREADS, CACHE_SIZE,
 * ALLOW_EXTERNAL_REFERENCES). */
int xav_parse_open_options(CSLConstList opts, xav_open_options *out);

/* VALID_RANGE: one "min,max" for every variable, or one per variable
 * separated by ';', into lo[nvars] and hi[nvars]. Returns 0, or -1 with a
 * CPLError. */
int xav_parse_valid_range(const char *text, int nvars, double *lo, double *hi);

#endif /* XAV_OPTIONS_H */
