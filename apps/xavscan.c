/*
 * xavscan: the scan of an encode split into pieces (apps/xavdask.py), so
 * that every piece is quantized as one encode of the whole would be.
 *
 *   xavscan summary [-srcwin X Y W H] [-co NAME=VALUE]... SOURCE
 *       prints the scan summary of SOURCE (or of its window) as JSON;
 *   xavscan range SUMMARY.json [SUMMARY.json ...]
 *       prints the VALID_RANGE of the whole the summaries cover.
 *
 * Give summary the creation options the pieces will be encoded with.
 */
#include <stdio.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "gdal.h"
#include "gdal_utils.h"
#include "xavideo.h"

static int usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s summary [-srcwin X Y W H] [-co NAME=VALUE]... SOURCE\n"
            "       %s range SUMMARY.json [SUMMARY.json ...]\n"
            "The scan of an XAVIDEO encode split into pieces: each piece's "
            "summary, then the VALID_RANGE of the whole.\n",
            prog, prog);
    return 2;
}

/* A VRT of src's window (closed before src). */
static GDALDatasetH open_window(GDALDatasetH src, char **srcwin)
{
    GDALTranslateOptions *opt;
    GDALDatasetH win;
    char **args;
    args = CSLAddString(NULL, "-of");
    args = CSLAddString(args, "VRT");
    args = CSLAddString(args, "-srcwin");
    args = CSLInsertStrings(args, -1, srcwin);
    opt = GDALTranslateOptionsNew(args, NULL);
    win = opt != NULL ? GDALTranslate("", src, opt, NULL) : NULL;
    GDALTranslateOptionsFree(opt);
    CSLDestroy(args);
    return win;
}

static int summary(int argc, char **argv)
{
    char **options = NULL, **srcwin = NULL, *text = NULL;
    const char *source = NULL;
    GDALDatasetH src, win = NULL;
    int i, k;
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-co") == 0 && i + 1 < argc)
            options = CSLAddString(options, argv[++i]);
        else if (strcmp(argv[i], "-srcwin") == 0 && i + 4 < argc) {
            for (k = 1; k <= 4; k++)
                srcwin = CSLAddString(srcwin, argv[i + k]);
            i += 4;
        } else if (source == NULL && argv[i][0] != '-')
            source = argv[i];
        else
            return usage(argv[0]);
    }
    if (source == NULL)
        return usage(argv[0]);
    src = GDALOpenEx(source, GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR, NULL, NULL,
                     NULL);
    if (src != NULL && srcwin != NULL)
        win = open_window(src, srcwin);
    if (src != NULL && (srcwin == NULL || win != NULL))
        text = xav_scan_summary(win != NULL ? win : src, options);
    if (text != NULL)
        printf("%s\n", text);
    CPLFree(text);
    if (win != NULL)
        GDALClose(win);
    if (src != NULL)
        GDALClose(src);
    CSLDestroy(options);
    CSLDestroy(srcwin);
    return text != NULL ? 0 : 1;
}

static int range(int argc, char **argv)
{
    char **summaries = NULL, *text = NULL;
    int i, ok = 1;
    for (i = 2; i < argc && ok; i++) {
        GByte *bytes = NULL;
        ok = VSIIngestFile(NULL, argv[i], &bytes, NULL, 1 << 24);
        if (ok)
            summaries = CSLAddString(summaries, (const char *)bytes);
        VSIFree(bytes);
    }
    if (ok && (text = xav_summaries_valid_range(summaries)) != NULL)
        printf("%s\n", text);
    CPLFree(text);
    CSLDestroy(summaries);
    return text != NULL ? 0 : 1;
}

int main(int argc, char **argv)
{
    int rc;
    if (argc < 3)
        return usage(argv[0]);
    GDALAllRegister();
    if (strcmp(argv[1], "summary") == 0)
        rc = summary(argc, argv);
    else if (strcmp(argv[1], "range") == 0)
        rc = range(argc, argv);
    else
        rc = usage(argv[0]);
    GDALDestroyDriverManager();
    return rc;
}
