/*
 * names: every file of a dataset is named from the name of its video, by
 * rule, so that the files find each other under whatever name the dataset
 * has now (cp and mv of its files just work):
 *   NAME.mkv                          tile 0, with the embedded description
 *   NAME.mkv.json                     the sidecar
 *   NAME.mkv.tiles/rRRRR_cCCCC.mkv    tile k > 0 (its row and column)
 *   NAME.mkv.parts/tTTTTTTT.mkv       tile 0 of the time steps from T on,
 *                                     appended (append.h); its other tiles
 *                                     in its own .tiles folder, as above
 *   PATH.xavpart                      PATH while it is being written
 * A sidecar names its own files "" (the file of the stream's tile, by the
 * rule above) and only a piece of an assembled dataset by a path, relative
 * to the sidecar's folder. Every function returns a new string (CPLFree).
 */
#ifndef XAV_NAMES_H
#define XAV_NAMES_H

#define XAV_SIDECAR_SUFFIX ".json"
#define XAV_TILE_DIR_SUFFIX ".tiles"
#define XAV_TEMP_SUFFIX ".xavpart"
#define XAV_PARTS_DIR_SUFFIX ".parts"

/* Whether name ends with suffix (case-insensitive). */
int xav_name_has_suffix(const char *name, const char *suffix);
/* Whether name is a sidecar's (ends with XAV_SIDECAR_SUFFIX). */
int xav_name_is_sidecar(const char *name);
/* The video of the dataset given its video or its sidecar. */
char *xav_name_video(const char *name);
char *xav_name_sidecar(const char *video);
char *xav_name_tile_dir(const char *video);
/* The file of the tile at (row, col) of the dataset whose video is video:
 * video itself for (0, 0). */
char *xav_name_tile_file(const char *video, int row, int col);
/* The folder of the parts appended to the dataset whose video is video,
 * and the video of the part whose first time step is first_time (video
 * itself for 0). */
char *xav_name_parts_dir(const char *video);
char *xav_name_part_video(const char *video, int first_time);
/* Where path is written until it is complete. */
char *xav_name_temp(const char *path);
/* Whether name is such a file (ends with XAV_TEMP_SUFFIX). */
int xav_name_is_temp(const char *name);

#endif /* XAV_NAMES_H */
