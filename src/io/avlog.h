/*
 * avlog: FFmpeg's log goes through GDAL's error system, so that a GDAL tool
 * prints nothing unasked: FFmpeg errors and warnings become CPLDebug
 * messages (the core reports failures itself, with context), visible with
 * CPL_DEBUG=XAVIDEO.
 */
#ifndef XAV_AVLOG_H
#define XAV_AVLOG_H

/* Installs the route once per process; cheap to call again. */
void xav_route_ffmpeg_log(void);

#endif /* XAV_AVLOG_H */
