/* deadline_timers.c: an implicit 4-ary min-heap (see deadline_timers.h).
 *
 * Why 4-ary and not binary: a pop compares four children per level but
 * walks half as many levels, and the four children of a node share a cache
 * line (4 × 16 bytes = 64), so at 1,000,000 entries a pop touches about 10
 * lines instead of 20. Why not a timing wheel: firings spread over weeks at
 * millisecond resolution would need a hierarchical wheel with cascading, and
 * the clock of the tests jumps days at a time, which a wheel must step
 * through slot by slot. Ties on the instant are broken by id so the order
 * of firings is deterministic (a restart fires in the same order).
 */
#include "deadline_timers.h"

#define ARITY 4

typedef struct {
    gint64 at; /* ms since the epoch */
    gint64 id; /* dl_clock rowid */
} Entry;

struct _DeadlineTimers {
    Entry *entries; /* the heap, entries[0] soonest */
    gsize len;      /* entries in use */
    gsize capacity; /* entries allocated */
};

static inline gboolean
before (const Entry *a, const Entry *b)
{
    return a->at < b->at || (a->at == b->at && a->id < b->id);
}

DeadlineTimers *
deadline_timers_new (void)
{
    return g_new0 (DeadlineTimers, 1);
}

void
deadline_timers_free (DeadlineTimers *self)
{
    if (self == NULL)
        return;
    g_free (self->entries);
    g_free (self);
}

static void
grow (DeadlineTimers *self)
{
    if (self->len < self->capacity)
        return;
    self->capacity = MAX (64, self->capacity * 2);
    self->entries = g_renew (Entry, self->entries, self->capacity);
}

void
deadline_timers_push (DeadlineTimers *self, gint64 at, gint64 id)
{
    g_return_if_fail (self != NULL);
    grow (self);
    Entry e = { at, id };
    gsize i = self->len++;
    while (i > 0) {
        gsize parent = (i - 1) / ARITY;
        if (!before (&e, &self->entries[parent]))
            break;
        self->entries[i] = self->entries[parent];
        i = parent;
    }
    self->entries[i] = e;
}

void
deadline_timers_append_sorted (DeadlineTimers *self, gint64 at, gint64 id)
{
    g_return_if_fail (self != NULL);
    Entry e = { at, id };
    g_return_if_fail (self->len == 0 || !before (&e, &self->entries[self->len - 1]));
    grow (self);
    self->entries[self->len++] = e;
}

gboolean
deadline_timers_peek (DeadlineTimers *self, gint64 *at, gint64 *id)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (self->len == 0)
        return FALSE;
    *at = self->entries[0].at;
    *id = self->entries[0].id;
    return TRUE;
}

gboolean
deadline_timers_pop (DeadlineTimers *self, gint64 *at, gint64 *id)
{
    if (!deadline_timers_peek (self, at, id))
        return FALSE;
    Entry last = self->entries[--self->len];
    gsize n = self->len, i = 0;
    for (;;) {
        gsize first = i * ARITY + 1;
        if (first >= n)
            break;
        gsize best = first;
        gsize end = MIN (first + ARITY, n);
        for (gsize c = first + 1; c < end; c++)
            if (before (&self->entries[c], &self->entries[best]))
                best = c;
        if (!before (&self->entries[best], &last))
            break;
        self->entries[i] = self->entries[best];
        i = best;
    }
    if (n > 0)
        self->entries[i] = last;
    return TRUE;
}

guint
deadline_timers_size (DeadlineTimers *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return (guint) self->len;
}

void
deadline_timers_clear (DeadlineTimers *self)
{
    g_return_if_fail (self != NULL);
    self->len = 0;
}

gsize
deadline_timers_get_bytes (DeadlineTimers *self)
{
    g_return_val_if_fail (self != NULL, 0);
    return self->capacity * sizeof (Entry);
}
