/* framecache: see framecache.h. A list in recency order is enough: the
 * cache holds at most a few hundred frames. */
#include "framecache.h"

#include "cpl_conv.h"
#include "cpl_error.h"

typedef struct entry {
    int stream, time;
    size_t bytes;
    xav_frame *frame;
    struct entry *prev, *next; /* head = most recent */
} entry;

struct xav_frame_cache {
    size_t max_bytes, bytes;
    entry *head, *tail;
};

static void unlink_entry(xav_frame_cache *c, entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(xav_frame_cache *c, entry *e)
{
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

static void drop(xav_frame_cache *c, entry *e)
{
    unlink_entry(c, e);
    c->bytes -= e->bytes;
    xav_frame_unref(&e->frame);
    CPLFree(e);
}

xav_frame_cache *xav_frame_cache_new(size_t max_bytes)
{
    xav_frame_cache *c = (xav_frame_cache *)CPLCalloc(1, sizeof(*c));
    c->max_bytes = max_bytes;
    return c;
}

void xav_frame_cache_free(xav_frame_cache *c)
{
    if (c == NULL)
        return;
    while (c->head != NULL)
        drop(c, c->head);
    CPLFree(c);
}

const xav_frame *xav_frame_cache_get(xav_frame_cache *c, int s, int t)
{
    entry *e;
    for (e = c->head; e != NULL; e = e->next)
        if (e->stream == s && e->time == t) {
            unlink_entry(c, e);
            push_front(c, e);
            return e->frame;
        }
    return NULL;
}

void xav_frame_cache_put(xav_frame_cache *c, int s, int t, const xav_frame *f)
{
    size_t bytes = xav_frame_bytes(f);
    entry *e;
    if (bytes > c->max_bytes || xav_frame_cache_get(c, s, t) != NULL)
        return;
    while (c->tail != NULL && c->bytes + bytes > c->max_bytes)
        drop(c, c->tail);
    e = (entry *)CPLCalloc(1, sizeof(*e));
    CPLPushErrorHandler(CPLQuietErrorHandler); /* a cache may do without */
    e->frame = xav_frame_ref(f);
    CPLPopErrorHandler();
    if (e->frame == NULL) {
        CPLFree(e);
        return;
    }
    e->stream = s;
    e->time = t;
    e->bytes = bytes;
    c->bytes += bytes;
    push_front(c, e);
}

size_t xav_frame_cache_bytes(const xav_frame_cache *c)
{
    return c->bytes;
}
