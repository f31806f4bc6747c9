/*
 * libFuzzer target: arbitrary bytes through the sidecar parser and
 * validator. A description that parses must survive the writer and parse
 * again: the writer and the reader agree on every document the reader
 * accepts. The same bytes go through the parser of xarrayvideo's tags
 * (pyliteral.h), which must not crash on any. Built with XAV_FUZZ=ON
 * (doc/testing.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "pyliteral.h"
#include "sidecar.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* refusals are expected by the thousand: keep them off the terminal,
     * unless XAV_FUZZ_VERBOSE is set (to see why an input is refused) */
    if (getenv("XAV_FUZZ_VERBOSE") == NULL)
        CPLSetErrorHandler(CPLQuietErrorHandler);
    return 0;
}

/* Python literals are text: the bytes up to their first NUL. */
static void fuzz_pyliteral(const uint8_t *data, size_t size)
{
    char *text = (char *)CPLMalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    cJSON_Delete(xav_pyliteral_parse(text));
    CPLFree(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xav_desc *d = xav_sidecar_from_json((const char *)data, size, "fuzz");
    char *json;
    xav_desc *again;
    fuzz_pyliteral(data, size);
    if (d == NULL)
        return 0;
    json = xav_sidecar_to_json(d, 1);
    again = xav_sidecar_from_json(json, strlen(json), "fuzz (rewritten)");
    if (again == NULL)
        abort(); /* the reader refuses what the writer wrote */
    xav_desc_free(again);
    CPLFree(json);
    xav_desc_free(d);
    return 0;
}
