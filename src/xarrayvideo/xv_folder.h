/*
 * xv_folder: what a folder written by xarrayvideo (the seed library of
 * "Video Compression for Spatiotemporal Earth System Data") holds, read
 * from its videos' XARRAY tags and its x.nc, without decoding a pixel.
 *
 * xarrayvideo writes one folder per cube: x.nc (coordinates, attributes,
 * the variables it did not encode) and, per conversion rule, videos
 * RULE_001.mkv, RULE_002.mkv... of three channels each. The tag of each
 * video says which bands the rule holds (BANDS, the last repeated up to a
 * multiple of three), the order of the rule's dimensions (COORDS_DIMS:
 * time, then the frame's columns, then its rows), its place among the
 * rule's videos (ORDER), each channel's range (RANGE), bits, whether codes
 * are scaled (NORMALIZED), the channel order (CHANNEL_ORDER) and the PCA
 * that turned bands into the coded components (PCA_PARAMS).
 */
#ifndef XAV_XV_FOLDER_H
#define XAV_XV_FOLDER_H

#include "gdal.h"

#include "decode.h"

/* One video of a rule. */
typedef struct {
    char *path;
    xav_stream_reader *reader;
    char out_pix_fmt[32]; /* what xarrayvideo decodes it to */
    int plane_of[3];      /* plane of channel c of the rule's array */
} xv_video;

/* One conversion rule: its videos, in ORDER, coding nchannels channels (3
 * per video), of which nbands are the rule's own bands (the rest repeat
 * the last) or, with PCA, its components. */
typedef struct {
    char *key;  /* its BANDS, as the tag has them */
    char *name; /* its videos' name, less _NNN.mkv */
    int nvideos;
    xv_video *videos;
    int nchannels;
    double (*range)[2]; /* per channel */
    int bits, normalized;
    int frames;
    char *dims[3]; /* time, frame columns, frame rows */
    /* PCA: channels = components; value of band b = mean[b] + sum over
     * components k of component k * matrix[k][b] */
    int pca_bands;
    float *pca_matrix, *pca_mean;
    /* the time coordinate from x.nc (NULL: none) */
    double *times;
    char *time_units, *time_calendar;
} xv_rule;

/* A band list entry: variable name, its rule and channel (or PCA band). */
typedef struct {
    char *name;
    int rule;
    int index;
    char **attrs; /* NAME=VALUE, from the tag's ATTRS */
} xv_variable;

typedef struct {
    char *folder;
    int nrules;
    xv_rule *rules;
    int nvars;
    xv_variable *vars;
    int width, height; /* of the raster: frames, transposed if need be */
    int transposed;    /* frame columns are the raster's rows */
    /* from x.nc */
    int has_geotransform;
    double geotransform[6];
    char *crs_wkt;
    char **metadata; /* x.nc's global attributes, NC_GLOBAL#NAME=VALUE */
} xv_folder;

/* Whether path is a folder with an x.nc and an .mkv: cheap. */
int xv_folder_identify(const char *path);
/* The folder's description, videos open; NULL with a CPLError naming what
 * is missing or not understood. */
xv_folder *xv_folder_open(const char *path);
void xv_folder_close(xv_folder *f);
/* GDAL's type of a variable's values (as video2xarray returns them). */
GDALDataType xv_folder_type(const xv_folder *f, int var);

#endif /* XAV_XV_FOLDER_H */
