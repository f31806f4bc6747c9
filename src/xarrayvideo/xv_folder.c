/* xv_folder: see xv_folder.h. The videos and their tags; x.nc is
 * xv_ncfile.c's. */
#include "xv_folder.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "names.h"
#include "pyliteral.h"
#include "xv_ncfile.h"

/* xarrayvideo's frame rate (its _ffmpeg_write), and x265's default
 * keyframe interval, which bounds a forward decode. */
#define XV_FPS 30
#define XV_GOP 250
#define XV_TAG "XARRAY"
/* Bands of a folder are variables x frames: as many as a dataset's. */
#define XV_MAX_FRAMES 1000000
#define XV_NC "x.nc"

/* The folder's videos, in name order (CSLDestroy). */
static char **list_videos(const char *path)
{
    char **names = VSIReadDir(path), **videos = NULL;
    int i;
    for (i = 0; names != NULL && names[i] != NULL; i++)
        if (xav_name_has_suffix(names[i], ".mkv"))
            videos = CSLAddString(videos, names[i]);
    CSLDestroy(names);
    if (videos != NULL)
        qsort(videos, CSLCount(videos), sizeof(char *),
              (int (*)(const void *, const void *))strcmp);
    return videos;
}

int xv_folder_identify(const char *path)
{
    VSIStatBufL st;
    char **videos;
    int found;
    if (VSIStatExL(path, &st, VSI_STAT_NATURE_FLAG) != 0 ||
        !VSI_ISDIR(st.st_mode) ||
        VSIStatExL(CPLFormFilename(path, XV_NC, NULL), &st,
                   VSI_STAT_EXISTS_FLAG) != 0)
        return 0;
    videos = list_videos(path);
    found = videos != NULL;
    CSLDestroy(videos);
    return found;
}

static int bad(const char *video, const char *why)
{
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: %s is not an xarrayvideo video this driver reads: %s.",
             video, why);
    return -1;
}

/* A key of the tag that is itself a literal in a string ("['B04', ...]"),
 * parsed (cJSON_Delete). */
static cJSON *nested(const cJSON *tag, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(tag, key);
    return cJSON_IsString(s) ? xav_pyliteral_parse(s->valuestring) : NULL;
}

/* A number of the tag, given as a number or a string. */
static double number(const cJSON *tag, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tag, key);
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v))
        return CPLAtof(v->valuestring);
    return def;
}

static int flag(const cJSON *tag, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tag, key);
    return cJSON_IsTrue(v) ||
           (cJSON_IsString(v) && strcmp(v->valuestring, "True") == 0);
}

static const char *text(const cJSON *tag, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tag, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Which plane of the decoded planar frame holds channel c of the rule's
 * array: xarrayvideo wrote channels r, g, b (its bands in order) in
 * CHANNEL_ORDER, the planes of OUT_PIX_FMT (gbrp: g, b, r). */
static int channel_planes(xv_video *v, const char *order, const char *video)
{
    static const char rgb[] = "rgb";
    int c;
    if (order == NULL || strlen(order) != 3)
        return bad(video, "no CHANNEL_ORDER");
    for (c = 0; c < 3; c++) {
        const char *at = strchr(order, rgb[c]);
        if (at == NULL)
            return bad(video, "a CHANNEL_ORDER without r, g and b");
        v->plane_of[c] = (int)(at - order);
    }
    return 0;
}

/* A matrix of numbers as floats, rows x cols (from PCA_PARAMS' text). */
static float *floats(const cJSON *a, int rows, int cols)
{
    float *out;
    int r, c;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != rows)
        return NULL;
    out = (float *)CPLMalloc((size_t)rows * cols * sizeof(float));
    for (r = 0; r < rows; r++) {
        const cJSON *row = cJSON_GetArrayItem(a, r);
        for (c = 0; c < cols; c++) {
            const cJSON *x = cols == 1 && cJSON_IsNumber(row)
                                 ? row
                                 : cJSON_GetArrayItem(row, c);
            if (!cJSON_IsNumber(x)) {
                CPLFree(out);
                return NULL;
            }
            out[r * cols + c] = (float)x->valuedouble;
        }
    }
    return out;
}

/* PCA_PARAMS: components x bands and the bands' means (no scaler). */
static int read_pca(xv_rule *rule, const cJSON *tag, const char *video)
{
    cJSON *p = nested(tag, "PCA_PARAMS"), *m = NULL, *mean = NULL;
    const char *scaler = p ? text(p, "scaler") : NULL;
    int ok;
    if (p == NULL)
        return 0; /* no PCA */
    rule->pca_bands = (int)number(p, "dr_bands", 0);
    m = nested(p, "dr_matrix");
    mean = nested(p, "dr_mean");
    ok = rule->pca_bands > 0 && rule->pca_bands <= 1000 &&
         (scaler == NULL || strcmp(scaler, "None") == 0) &&
         cJSON_GetArraySize(m) > 0 && cJSON_GetArraySize(m) <= rule->nchannels;
    if (ok) {
        const int ncomp = cJSON_GetArraySize(m);
        rule->pca_matrix = floats(m, ncomp, rule->pca_bands);
        rule->pca_mean = floats(mean, rule->pca_bands, 1);
        ok = rule->pca_matrix != NULL && rule->pca_mean != NULL;
        rule->nchannels = ncomp;
    }
    cJSON_Delete(m);
    cJSON_Delete(mean);
    cJSON_Delete(p);
    return ok ? 0 : bad(video, "PCA parameters not understood");
}

/* RANGE: [min, max] of every channel. */
static int read_range(xv_rule *rule, const cJSON *tag, const char *video)
{
    cJSON *r = nested(tag, "RANGE");
    int c, ok = cJSON_GetArraySize(r) >= rule->nchannels;
    rule->range =
        (double(*)[2])CPLCalloc(rule->nchannels + 1, sizeof(double[2]));
    for (c = 0; ok && c < rule->nchannels; c++) {
        const cJSON *pair = cJSON_GetArrayItem(r, c);
        ok = cJSON_IsNumber(cJSON_GetArrayItem(pair, 0)) &&
             cJSON_IsNumber(cJSON_GetArrayItem(pair, 1));
        if (ok) {
            rule->range[c][0] = cJSON_GetArrayItem(pair, 0)->valuedouble;
            rule->range[c][1] = cJSON_GetArrayItem(pair, 1)->valuedouble;
        }
    }
    cJSON_Delete(r);
    return ok || !rule->normalized ? 0 : bad(video, "no RANGE per channel");
}

/* The variables of a rule: its distinct bands (with PCA, the first
 * pca_bands), each with its attributes. */
static void add_variables(xv_folder *f, int r, const cJSON *bands,
                          const cJSON *attrs)
{
    const xv_rule *rule = &f->rules[r];
    const int n = rule->pca_bands ? rule->pca_bands : rule->nchannels;
    int i, k;
    for (i = 0; i < n && i < cJSON_GetArraySize(bands); i++) {
        const char *name = cJSON_GetArrayItem(bands, i)->valuestring;
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(attrs, name), *e;
        xv_variable *v;
        for (k = 0; k < f->nvars; k++)
            if (strcmp(f->vars[k].name, name) == 0)
                break;
        if (k < f->nvars)
            continue; /* a repeat of the last band */
        f->vars = (xv_variable *)CPLRealloc(f->vars, (f->nvars + 1) *
                                                         sizeof(xv_variable));
        v = &f->vars[f->nvars++];
        memset(v, 0, sizeof(*v));
        v->name = CPLStrdup(name);
        v->rule = r;
        v->index = i;
        cJSON_ArrayForEach(e, a)
        {
            char *value = cJSON_IsString(e) ? CPLStrdup(e->valuestring)
                                            : cJSON_PrintUnformatted(e);
            v->attrs = CSLSetNameValue(v->attrs, e->string, value);
            cJSON_free(value);
        }
    }
}

/* The rule a video belongs to (the same BANDS), new if need be. */
static int rule_of(xv_folder *f, const char *key, const char *file)
{
    const char *cut = strrchr(file, '_');
    int r;
    for (r = 0; r < f->nrules; r++)
        if (strcmp(f->rules[r].key, key) == 0)
            return r;
    f->rules =
        (xv_rule *)CPLRealloc(f->rules, (f->nrules + 1) * sizeof(xv_rule));
    memset(&f->rules[f->nrules], 0, sizeof(xv_rule));
    f->rules[f->nrules].key = CPLStrdup(key);
    f->rules[f->nrules].name = CPLStrdup(file);
    if (cut != NULL)
        f->rules[f->nrules].name[cut - file] = '\0';
    return f->nrules++;
}

/* What the first video of a rule says of all of them. */
static int describe_rule(xv_folder *f, int r, const cJSON *tag,
                         const char *video)
{
    xv_rule *rule = &f->rules[r];
    cJSON *bands = nested(tag, "BANDS"), *dims = nested(tag, "COORDS_DIMS");
    cJSON *attrs = nested(tag, "ATTRS");
    const char *fmt = text(tag, "OUT_PIX_FMT");
    int i, rc = 0;
    rule->bits = (int)number(tag, "BITS", 0);
    rule->normalized = flag(tag, "NORMALIZED");
    rule->frames = (int)number(tag, "FRAMES", 0);
    rule->nchannels = cJSON_GetArraySize(bands);
    if (cJSON_GetArraySize(dims) != 3)
        rc = bad(video, "COORDS_DIMS is not (time, x, y): 4-D rules are not "
                        "read");
    else if (rule->nchannels < 1 || rule->nchannels % 3 != 0 ||
             rule->bits < 8 || rule->bits > 16 || rule->frames < 1 ||
             rule->frames > XV_MAX_FRAMES || fmt == NULL ||
             !flag(tag, "PLANAR"))
        rc = bad(video, "BANDS, BITS, FRAMES or a planar OUT_PIX_FMT missing");
    for (i = 0; rc == 0 && i < 3; i++) {
        const cJSON *d = cJSON_GetArrayItem(dims, i);
        if (!cJSON_IsString(d))
            rc = bad(video, "COORDS_DIMS are not names");
        else
            rule->dims[i] = CPLStrdup(d->valuestring);
    }
    for (i = 0; rc == 0 && i < rule->nchannels; i++)
        if (!cJSON_IsString(cJSON_GetArrayItem(bands, i)))
            rc = bad(video, "BANDS are not names");
    if (rc == 0)
        rc =
            read_pca(rule, tag, video) == 0 && read_range(rule, tag, video) == 0
                ? 0
                : -1;
    if (rc == 0)
        add_variables(f, r, bands, attrs);
    cJSON_Delete(bands);
    cJSON_Delete(dims);
    cJSON_Delete(attrs);
    return rc;
}

/* Puts video (its reader and tag) at its ORDER among its rule's videos. */
static int place_video(xv_rule *rule, xav_stream_reader *reader,
                       const char *path, const cJSON *tag)
{
    const int order = (int)number(tag, "ORDER", 1);
    xv_video *v;
    if (text(tag, "OUT_PIX_FMT") == NULL)
        return bad(path, "no OUT_PIX_FMT");
    if (order < 1 || order > rule->nchannels / 3 ||
        (order <= rule->nvideos && rule->videos[order - 1].path != NULL))
        return bad(path, "its ORDER is out of range or repeated");
    if (order > rule->nvideos) {
        rule->videos =
            (xv_video *)CPLRealloc(rule->videos, order * sizeof(xv_video));
        memset(rule->videos + rule->nvideos, 0,
               (order - rule->nvideos) * sizeof(xv_video));
        rule->nvideos = order;
    }
    v = &rule->videos[order - 1];
    if (channel_planes(v, text(tag, "CHANNEL_ORDER"), path) != 0)
        return -1;
    v->path = CPLStrdup(path);
    v->reader = reader;
    CPLStrlcpy(v->out_pix_fmt, text(tag, "OUT_PIX_FMT"),
               sizeof(v->out_pix_fmt));
    return 0;
}

static int add_video(xv_folder *f, const char *file)
{
    char *path = CPLStrdup(CPLFormFilename(f->folder, file, NULL));
    xav_stream_reader *reader =
        xav_stream_reader_open(path, 0, XV_FPS, 1, XV_GOP, 0, 0);
    cJSON *tag = NULL;
    int r, rc = -1;
    if (reader != NULL)
        tag = xav_pyliteral_parse(xav_stream_reader_tag(reader, XV_TAG, 1));
    if (reader != NULL && (!cJSON_IsObject(tag) || text(tag, "BANDS") == NULL))
        bad(path, "no XARRAY tag");
    else if (reader != NULL) {
        r = rule_of(f, text(tag, "BANDS"), file);
        rc = f->rules[r].bits == 0 ? describe_rule(f, r, tag, path) : 0;
        if (rc == 0)
            rc = place_video(&f->rules[r], reader, path, tag);
        if (rc == 0)
            reader = NULL; /* the rule's now */
    }
    if (reader != NULL)
        xav_stream_reader_close(reader);
    cJSON_Delete(tag);
    CPLFree(path);
    return rc;
}

/* Every rule has all its videos. */
static int check_rules(const xv_folder *f)
{
    int r, k;
    for (r = 0; r < f->nrules; r++)
        for (k = 0; k < f->rules[r].nchannels / 3; k++)
            if (k >= f->rules[r].nvideos || f->rules[r].videos[k].path == NULL)
                return bad(
                    CPLFormFilename(f->folder, f->rules[r].name, NULL),
                    CPLSPrintf("video %d of the rule is missing", k + 1));
    return 0;
}

xv_folder *xv_folder_open(const char *path)
{
    xv_folder *f = (xv_folder *)CPLCalloc(1, sizeof(xv_folder));
    char **videos = list_videos(path);
    int i, rc = videos != NULL ? 0 : -1;
    f->folder = CPLStrdup(path);
    if (rc != 0)
        CPLError(CE_Failure, CPLE_OpenFailed, "XAVIDEO: %s holds no video.",
                 path);
    for (i = 0; rc == 0 && videos[i] != NULL; i++)
        rc = add_video(f, videos[i]);
    CSLDestroy(videos);
    if (rc == 0)
        rc = check_rules(f);
    if (rc == 0)
        rc = xv_ncfile_read(f, CPLFormFilename(path, XV_NC, NULL));
    if (rc != 0) {
        xv_folder_close(f);
        return NULL;
    }
    return f;
}

void xv_folder_close(xv_folder *f)
{
    int r, k;
    if (f == NULL)
        return;
    for (r = 0; r < f->nrules; r++) {
        xv_rule *rule = &f->rules[r];
        for (k = 0; k < rule->nvideos; k++) {
            CPLFree(rule->videos[k].path);
            if (rule->videos[k].reader != NULL)
                xav_stream_reader_close(rule->videos[k].reader);
        }
        for (k = 0; k < 3; k++)
            CPLFree(rule->dims[k]);
        CPLFree(rule->videos);
        CPLFree(rule->key);
        CPLFree(rule->name);
        CPLFree(rule->range);
        CPLFree(rule->pca_matrix);
        CPLFree(rule->pca_mean);
        CPLFree(rule->times);
        CPLFree(rule->time_units);
        CPLFree(rule->time_calendar);
    }
    for (k = 0; k < f->nvars; k++) {
        CPLFree(f->vars[k].name);
        CSLDestroy(f->vars[k].attrs);
    }
    CPLFree(f->rules);
    CPLFree(f->vars);
    CPLFree(f->crs_wkt);
    CSLDestroy(f->metadata);
    CPLFree(f->folder);
    CPLFree(f);
}

GDALDataType xv_folder_type(const xv_folder *f, int var)
{
    const xv_rule *rule = &f->rules[f->vars[var].rule];
    if (rule->normalized || rule->pca_bands > 0)
        return GDT_Float32;
    return rule->bits > 8 ? GDT_UInt16 : GDT_Byte;
}
