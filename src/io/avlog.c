/* avlog: see avlog.h. */
#include "avlog.h"

#include <pthread.h>
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

static void install(void)
{
    av_log_set_callback(to_cpl);
}

/* Datasets open from many threads at once: a plain flag would race. */
void xav_route_ffmpeg_log(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
}
