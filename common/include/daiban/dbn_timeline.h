/* dbn_timeline.h: reading a case's timeline (routing.case.get's `timeline`:
 * the case's event frames, oldest first), the one way the CLI's result
 * notice and the client's papers find the events they print (D-RPL-3). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The frame of the last event of type on timeline (GBytes* frames), NULL
 * when there is none. Frames whose envelope does not decode are skipped.
 * Borrowed from timeline. */
GBytes *dbn_timeline_find_last (GPtrArray *timeline, const char *type);

G_END_DECLS
