/*
 * xavassemble: one XAVIDEO dataset from pieces encoded apart, e.g. by the
 * jobs of a cluster, each with its own gdal_translate -srcwin.
 *
 *   xavassemble OUTPUT.json PIECE.mkv [PIECE.mkv ...]
 *
 * Writes the sidecar OUTPUT.json; the pieces' files stay where they are and
 * are referred to (they must be in OUTPUT's folder or below it).
 */
#include <stdio.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "gdal.h"
#include "xavideo.h"

int main(int argc, char **argv)
{
    char **pieces = NULL;
    int i, rc;
    if (argc < 3) {
        fprintf(stderr,
                "usage: %s OUTPUT.json PIECE [PIECE ...]\n"
                "Assembles XAVIDEO pieces (videos or sidecars) encoded "
                "apart into one dataset.\n",
                argv[0]);
        return 2;
    }
    for (i = 2; i < argc; i++)
        pieces = CSLAddString(pieces, argv[i]);
    rc = xav_assemble(argv[1], pieces);
    CSLDestroy(pieces);
    if (rc != 0)
        return 1; /* the reason went to stderr through CPLError */
    printf("%s: %d pieces assembled\n", argv[1], argc - 2);
    return 0;
}
