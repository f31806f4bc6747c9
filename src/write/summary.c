/* summary: see summary.h. */
#include "summary.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "quantize.h"
#include "xavideo.h"

#define XAV_SUMMARY_KEY "xavideo_scan_summary"

static cJSON *number_list(const double *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

char *xav_summary_json(const xav_copy *cs)
{
    const xav_desc *d = cs->d;
    cJSON *root = cJSON_CreateObject(), *vars = cJSON_CreateArray();
    char *text, *out;
    int v;
    cJSON_AddNumberToObject(root, XAV_SUMMARY_KEY, 1);
    for (v = 0; v < d->nvars; v++) {
        const xav_variable *var = &d->vars[v];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", var->name);
        cJSON_AddBoolToObject(o, "lossless", var->lossless);
        if (!var->lossless && cs->extremes != NULL) {
            const xav_extremes *e = &cs->extremes[v];
            cJSON_AddItemToObject(o, "lo", number_list(e->lo, e->nlo));
            cJSON_AddItemToObject(o, "hi", number_list(e->hi, e->nhi));
        }
        cJSON_AddItemToArray(vars, o);
    }
    cJSON_AddItemToObject(root, "variables", vars);
    text = cJSON_PrintUnformatted(root);
    out = CPLStrdup(text);
    cJSON_free(text);
    cJSON_Delete(root);
    return out;
}

/* ---- merging ------------------------------------------------------------- */

static int summary_error(int piece, const char *why)
{
    CPLError(CE_Failure, CPLE_AppDefined, "XAVIDEO: scan summary %d: %s.",
             piece + 1, why);
    return -1;
}

/* Adds a JSON list of numbers to e (as valid values). */
static int add_list(xav_extremes *e, const cJSON *list)
{
    const int n = cJSON_GetArraySize(list);
    double *x = (double *)CPLMalloc(sizeof(double) * (n + 1));
    uint8_t *valid = (uint8_t *)CPLMalloc(n + 1);
    int i, ok = cJSON_IsArray(list);
    for (i = 0; ok && i < n; i++) {
        const cJSON *item = cJSON_GetArrayItem(list, i);
        ok = cJSON_IsNumber(item);
        x[i] = ok ? item->valuedouble : 0;
        valid[i] = XAV_MASK_VALID;
    }
    if (ok)
        xav_extremes_add(e, x, valid, (size_t)n);
    CPLFree(x);
    CPLFree(valid);
    return ok ? 0 : -1;
}

/* Piece i's variables into the merged ones (names from the first). */
static int merge_piece(const cJSON *root, int i, xav_variable **vars,
                       xav_extremes **ext, int *nvars)
{
    const cJSON *list = cJSON_GetObjectItem(root, "variables");
    const int n = cJSON_GetArraySize(list);
    int v;
    if (!cJSON_IsObject(root) ||
        !cJSON_IsNumber(cJSON_GetObjectItem(root, XAV_SUMMARY_KEY)) ||
        !cJSON_IsArray(list))
        return summary_error(i, "not a scan summary (xavscan summary)");
    if (*vars == NULL) {
        *nvars = n;
        *vars = (xav_variable *)CPLCalloc(n + 1, sizeof(xav_variable));
        *ext = (xav_extremes *)CPLCalloc(n + 1, sizeof(xav_extremes));
        for (v = 0; v < n; v++)
            xav_extremes_init(&(*ext)[v]);
    }
    if (n != *nvars)
        return summary_error(i, "the pieces have other variables");
    for (v = 0; v < n; v++) {
        const cJSON *o = cJSON_GetArrayItem(list, v);
        const cJSON *lossless = cJSON_GetObjectItem(o, "lossless");
        const cJSON *lo = cJSON_GetObjectItem(o, "lo");
        const cJSON *hi = cJSON_GetObjectItem(o, "hi");
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
        if (!cJSON_IsBool(lossless) || name == NULL)
            return summary_error(i, "a variable without its name or coding");
        if (i == 0)
            (*vars)[v].name = CPLStrdup(name);
        else if (strcmp(name, (*vars)[v].name) != 0)
            return summary_error(i, "the pieces have other variables");
        (*vars)[v].lossless = cJSON_IsTrue(lossless);
        if (lo != NULL &&
            (add_list(&(*ext)[v], lo) != 0 || add_list(&(*ext)[v], hi) != 0))
            return summary_error(i, "extreme values that are no numbers");
    }
    return 0;
}

/* "min,max" of one variable, as one scan of the whole sets it; NULL (with
 * a CPLError) if the whole has outliers, which the pieces' masks could not
 * share. */
static char *variable_range(xav_variable *var, const xav_extremes *e)
{
    if (var->lossless || e->nlo == 0)
        return CPLStrdup("0,1"); /* not quantized: any range */
    var->valid_min = e->lo[0];
    var->valid_max = e->hi[0];
    xav_extremes_apply(e, var);
    if (var->nexceptions > 0) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: variable %s has outliers (%.17g among them), "
                 "values far from all others such as undeclared fills, "
                 "which one encode keeps exactly in its own mask: declare "
                 "them nodata (gdal_translate -a_nodata), give VALID_RANGE "
                 "holding them, or encode in one process.",
                 var->name, var->exceptions[0]);
        return NULL;
    }
    if (var->valid_min == var->valid_max)
        return CPLStrdup(
            CPLSPrintf("%.17g,%.17g", var->valid_min, var->valid_min + 1));
    return CPLStrdup(CPLSPrintf("%.17g,%.17g", var->valid_min, var->valid_max));
}

char *xav_summaries_valid_range(CSLConstList summaries)
{
    xav_variable *vars = NULL;
    xav_extremes *ext = NULL;
    char *out = NULL;
    int i, v, nvars = 0, rc = 0;
    for (i = 0; summaries != NULL && summaries[i] != NULL && rc == 0; i++) {
        cJSON *root = cJSON_Parse(summaries[i]);
        rc = merge_piece(root, i, &vars, &ext, &nvars);
        cJSON_Delete(root);
    }
    if (rc == 0 && nvars == 0)
        rc = summary_error(0, "no summary, or no variable");
    for (v = 0; v < nvars && rc == 0; v++) {
        char *range = variable_range(&vars[v], &ext[v]);
        if (range == NULL)
            rc = -1;
        else {
            char *longer = CPLStrdup(
                CPLSPrintf("%s%s%s", out ? out : "", out ? ";" : "", range));
            CPLFree(out);
            out = longer;
        }
        CPLFree(range);
    }
    for (v = 0; v < nvars; v++)
        CPLFree(vars[v].name);
    CPLFree(vars);
    CPLFree(ext);
    if (rc != 0) {
        CPLFree(out);
        out = NULL;
    }
    return out;
}
