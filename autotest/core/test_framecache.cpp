// Core tests: the decoded-frame cache keeps frames by reference, never
// holds more than its bound, and drops the least recently used first.
#include <gtest/gtest.h>

extern "C" {
#include <libavutil/frame.h>

#include "framecache.h"
}

namespace
{

// A gray frame of w x h, its first byte set to tag.
AVFrame *gray(int w, int h, uint8_t tag)
{
    AVFrame *f = av_frame_alloc();
    f->format = AV_PIX_FMT_GRAY8;
    f->width = w;
    f->height = h;
    EXPECT_EQ(0, av_frame_get_buffer(f, 0));
    f->data[0][0] = tag;
    return f;
}

const xav_frame *as_frame(const AVFrame *f)
{
    return reinterpret_cast<const xav_frame *>(f);
}

uint8_t tag_of(const xav_frame *f)
{
    int linesize;
    return xav_frame_plane(f, 0, &linesize)[0];
}

TEST(FrameCache, KeepsFramesByReferenceUpToItsBound)
{
    AVFrame *a = gray(64, 64, 1), *b = gray(64, 64, 2), *c = gray(64, 64, 3);
    const size_t one = xav_frame_bytes(as_frame(a));
    xav_frame_cache *cache = xav_frame_cache_new(2 * one);
    xav_frame_cache_put(cache, 0, 0, as_frame(a));
    xav_frame_cache_put(cache, 0, 1, as_frame(b));
    EXPECT_EQ(2 * one, xav_frame_cache_bytes(cache));
    // a reference: the frame outlives the caller's
    av_frame_free(&a);
    ASSERT_NE(nullptr, xav_frame_cache_get(cache, 0, 0));
    EXPECT_EQ(1, tag_of(xav_frame_cache_get(cache, 0, 0)));
    // (0, 0) was used last: (0, 1) goes first
    xav_frame_cache_put(cache, 1, 0, as_frame(c));
    EXPECT_EQ(2 * one, xav_frame_cache_bytes(cache));
    EXPECT_EQ(nullptr, xav_frame_cache_get(cache, 0, 1));
    EXPECT_EQ(3, tag_of(xav_frame_cache_get(cache, 1, 0)));
    EXPECT_EQ(1, tag_of(xav_frame_cache_get(cache, 0, 0)));
    xav_frame_cache_free(cache);
    av_frame_free(&b);
    av_frame_free(&c);
}

TEST(FrameCache, AFrameLargerThanTheBoundIsNotKept)
{
    AVFrame *big = gray(256, 256, 9);
    xav_frame_cache *cache = xav_frame_cache_new(1000);
    xav_frame_cache_put(cache, 0, 0, as_frame(big));
    EXPECT_EQ(0u, xav_frame_cache_bytes(cache));
    EXPECT_EQ(nullptr, xav_frame_cache_get(cache, 0, 0));
    xav_frame_cache_free(cache);
    av_frame_free(&big);
}

} // namespace
