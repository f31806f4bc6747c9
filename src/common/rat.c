/* rat: see rat.h. */
#include "rat.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "cpl_conv.h"
#include "cpl_error.h"

static const char *const type_names[] = {"integer", "real", "string"};
static const char *const usage_names[] = {
    "Generic", "PixelCount", "Name",   "Min",      "Max",     "MinMax",
    "Red",     "Green",      "Blue",   "Alpha",    "RedMin",  "GreenMin",
    "BlueMin", "AlphaMin",   "RedMax", "GreenMax", "BlueMax", "AlphaMax"};
#define N_USAGES ((int)(sizeof(usage_names) / sizeof(usage_names[0])))

static cJSON *cell(GDALRasterAttributeTableH rat, int row, int col)
{
    switch (GDALRATGetTypeOfCol(rat, col)) {
    case GFT_Integer:
        return cJSON_CreateNumber(GDALRATGetValueAsInt(rat, row, col));
    case GFT_Real:
        return cJSON_CreateNumber(GDALRATGetValueAsDouble(rat, row, col));
    default:
        return cJSON_CreateString(GDALRATGetValueAsString(rat, row, col));
    }
}

char *xav_rat_to_json(GDALRasterAttributeTableH rat)
{
    cJSON *root, *cols, *rows;
    int ncols, nrows, c, r;
    double row0, size;
    char *text, *out;
    if (rat == NULL || (ncols = GDALRATGetColumnCount(rat)) == 0)
        return NULL;
    nrows = GDALRATGetRowCount(rat);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(
        root, "table_type",
        GDALRATGetTableType(rat) == GRTT_ATHEMATIC ? "athematic" : "thematic");
    if (GDALRATGetLinearBinning(rat, &row0, &size)) {
        double bins[2] = {row0, size};
        cJSON_AddItemToObject(root, "linear_binning",
                              cJSON_CreateDoubleArray(bins, 2));
    }
    cols = cJSON_AddArrayToObject(root, "columns");
    for (c = 0; c < ncols; c++) {
        cJSON *col = cJSON_CreateObject();
        int type = GDALRATGetTypeOfCol(rat, c);
        int usage = GDALRATGetUsageOfCol(rat, c);
        cJSON_AddStringToObject(col, "name", GDALRATGetNameOfCol(rat, c));
        cJSON_AddStringToObject(col, "type", type_names[type % 3]);
        cJSON_AddStringToObject(
            col, "usage",
            usage >= 0 && usage < N_USAGES ? usage_names[usage] : "Generic");
        cJSON_AddItemToArray(cols, col);
    }
    rows = cJSON_AddArrayToObject(root, "rows");
    for (r = 0; r < nrows; r++) {
        cJSON *row = cJSON_CreateArray();
        for (c = 0; c < ncols; c++)
            cJSON_AddItemToArray(row, cell(rat, r, c));
        cJSON_AddItemToArray(rows, row);
    }
    text = cJSON_PrintUnformatted(root);
    out = CPLStrdup(text);
    cJSON_free(text);
    cJSON_Delete(root);
    return out;
}

static int index_of(const char *s, const char *const *names, int n)
{
    int i;
    for (i = 0; s != NULL && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static int add_columns(GDALRasterAttributeTableH rat, const cJSON *cols)
{
    const cJSON *col;
    cJSON_ArrayForEach(col, cols)
    {
        const char *name =
            cJSON_GetStringValue(cJSON_GetObjectItem(col, "name"));
        int type =
            index_of(cJSON_GetStringValue(cJSON_GetObjectItem(col, "type")),
                     type_names, 3);
        int usage =
            index_of(cJSON_GetStringValue(cJSON_GetObjectItem(col, "usage")),
                     usage_names, N_USAGES);
        if (name == NULL || type < 0 ||
            GDALRATCreateColumn(rat, name, (GDALRATFieldType)type,
                                (GDALRATFieldUsage)(usage < 0 ? 0 : usage)) !=
                CE_None)
            return -1;
    }
    return 0;
}

static int add_rows(GDALRasterAttributeTableH rat, const cJSON *rows)
{
    const cJSON *row, *v;
    int r = 0, ncols = GDALRATGetColumnCount(rat);
    GDALRATSetRowCount(rat, cJSON_GetArraySize(rows));
    cJSON_ArrayForEach(row, rows)
    {
        int c = 0;
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != ncols)
            return -1;
        cJSON_ArrayForEach(v, row)
        {
            if (cJSON_IsNumber(v))
                GDALRATSetValueAsDouble(rat, r, c, v->valuedouble);
            else if (cJSON_IsString(v))
                GDALRATSetValueAsString(rat, r, c, v->valuestring);
            else
                return -1;
            c++;
        }
        r++;
    }
    return 0;
}

GDALRasterAttributeTableH xav_rat_from_json(const char *json)
{
    cJSON *root = cJSON_Parse(json);
    const cJSON *bins = cJSON_GetObjectItem(root, "linear_binning");
    const char *type =
        cJSON_GetStringValue(cJSON_GetObjectItem(root, "table_type"));
    GDALRasterAttributeTableH rat = GDALCreateRasterAttributeTable();
    int ok = root != NULL &&
             add_columns(rat, cJSON_GetObjectItem(root, "columns")) == 0 &&
             add_rows(rat, cJSON_GetObjectItem(root, "rows")) == 0;
    if (ok) {
        GDALRATSetTableType(rat, type && !strcmp(type, "athematic")
                                     ? GRTT_ATHEMATIC
                                     : GRTT_THEMATIC);
        if (cJSON_GetArraySize(bins) == 2)
            GDALRATSetLinearBinning(rat,
                                    cJSON_GetArrayItem(bins, 0)->valuedouble,
                                    cJSON_GetArrayItem(bins, 1)->valuedouble);
    }
    cJSON_Delete(root);
    if (!ok) {
        GDALDestroyRasterAttributeTable(rat);
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: invalid raster attribute table in the sidecar.");
        return NULL;
    }
    return rat;
}
