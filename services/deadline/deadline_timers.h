/* deadline_timers.h: the pending firings of every clock, soonest first.
 *
 * An implicit 4-ary min-heap of (instant, clock id) pairs: push and pop cost
 * O(log n), peek O(1), 16 bytes per pending firing. Entries are never removed
 * from the middle: a clock whose next firing moved gets a new entry, and the
 * old one is found stale when it reaches the top (the firing code compares it
 * with the clock's stored next_at). deadline_timers_load builds the heap from
 * rows already sorted by instant, which is a heap as it stands, in O(n). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DeadlineTimers DeadlineTimers;

/* Caller owns the result. */
DeadlineTimers *deadline_timers_new (void);
void deadline_timers_free (DeadlineTimers *self);

void deadline_timers_push (DeadlineTimers *self, gint64 at, gint64 id);
/* TRUE and the soonest entry when not empty. */
gboolean deadline_timers_peek (DeadlineTimers *self, gint64 *at, gint64 *id);
/* Removes the soonest entry; TRUE and the entry when not empty. */
gboolean deadline_timers_pop (DeadlineTimers *self, gint64 *at, gint64 *id);
guint deadline_timers_size (DeadlineTimers *self);
void deadline_timers_clear (DeadlineTimers *self);
/* Appends an entry known not to be sooner than any entry already held (rows
 * read in instant order): no sifting. Programmer error otherwise. */
void deadline_timers_append_sorted (DeadlineTimers *self, gint64 at, gint64 id);
/* Bytes held by the heap's array (the benchmark's memory figure). */
gsize deadline_timers_get_bytes (DeadlineTimers *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeadlineTimers, deadline_timers_free)

G_END_DECLS
