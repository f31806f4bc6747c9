/* avlog: see avlog.h. */
#include "avlog.h"

#include <stdio.h>

#include <libavutil/log.h>

#include "cpl_error.h"

static void to_cpl(void *avcl, int level, const char *fmt, va_list args)
{
    char line[1024];
    int prefix = 1;
    if (level > AV_LOG_WARNING)
        return;
    av_log_format_line(avcl, level, fmt, args, line, sizeof(line), &prefix);
    CPLDebug("XAVIDEO", "FFmpeg: %s", line);
}

void xav_route_ffmpeg_log(void)
{
    static int done = 0;
    if (!done) {
        av_log_set_callback(to_cpl);
        done = 1;
    }
}
