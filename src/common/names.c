/* names: see names.h. */
#include "names.h"

#include <string.h>

#include "cpl_conv.h"
#include "cpl_string.h"

int xav_name_has_suffix(const char *name, const char *suffix)
{
    const size_t n = strlen(name), k = strlen(suffix);
    return n > k && EQUAL(name + n - k, suffix);
}

int xav_name_is_sidecar(const char *name)
{
    return xav_name_has_suffix(name, XAV_SIDECAR_SUFFIX);
}

char *xav_name_video(const char *name)
{
    char *video = CPLStrdup(name);
    if (xav_name_is_sidecar(name))
        video[strlen(name) - strlen(XAV_SIDECAR_SUFFIX)] = '\0';
    return video;
}

char *xav_name_sidecar(const char *video)
{
    return CPLStrdup(CPLSPrintf("%s" XAV_SIDECAR_SUFFIX, video));
}

char *xav_name_tile_dir(const char *video)
{
    return CPLStrdup(CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX, video));
}

char *xav_name_tile_file(const char *video, int row, int col)
{
    if (row == 0 && col == 0)
        return CPLStrdup(video);
    return CPLStrdup(CPLSPrintf("%s" XAV_TILE_DIR_SUFFIX "/r%04d_c%04d.mkv",
                                video, row, col));
}

char *xav_name_parts_dir(const char *video)
{
    return CPLStrdup(CPLSPrintf("%s" XAV_PARTS_DIR_SUFFIX, video));
}

char *xav_name_part_video(const char *video, int first_time)
{
    if (first_time == 0)
        return CPLStrdup(video);
    return CPLStrdup(
        CPLSPrintf("%s" XAV_PARTS_DIR_SUFFIX "/t%08d.mkv", video, first_time));
}

char *xav_name_temp(const char *path)
{
    return CPLStrdup(CPLSPrintf("%s" XAV_TEMP_SUFFIX, path));
}

int xav_name_is_temp(const char *name)
{
    return xav_name_has_suffix(name, XAV_TEMP_SUFFIX);
}
