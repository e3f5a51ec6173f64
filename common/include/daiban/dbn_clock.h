/* dbn_clock.h: the only place that reads the wall clock.
 *
 * Production uses dbn_clock_new_wall(); tests use a manual clock they move.
 * A service started as a real process gets a manual clock when
 * DAIBAN_CLOCK_FILE names a file holding milliseconds since the epoch: the
 * file is re-read at most once per 50 ms of real time, so a test moves the
 * clock of a running service by rewriting that file.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DbnClock DbnClock;

/* Caller owns the returned clock. */
DbnClock *dbn_clock_new_wall (void);
DbnClock *dbn_clock_new_manual (gint64 start_ms);
/* A clock that reads its time from a file (see above); NULL file → wall clock. */
DbnClock *dbn_clock_new_file (const char *path);
/* From the environment: DAIBAN_CLOCK_FILE set → file clock, else wall clock. */
DbnClock *dbn_clock_new_from_env (void);
void dbn_clock_free (DbnClock *self);

/* Milliseconds since the Unix epoch, UTC. */
gint64 dbn_clock_now_ms (DbnClock *self);
/* Manual clocks only (a programmer error otherwise). */
void dbn_clock_set_ms (DbnClock *self, gint64 now_ms);
void dbn_clock_advance_ms (DbnClock *self, gint64 delta_ms);
gboolean dbn_clock_is_manual (DbnClock *self);

/* The local civil time of now in the office's time zone (China Standard
 * Time, UTC+8, fixed: the country has no daylight saving). Caller owns it. */
GDateTime *dbn_clock_dup_local_now (DbnClock *self);
/* The same conversion for any instant. Caller owns it. */
GDateTime *dbn_clock_local_from_ms (gint64 ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnClock, dbn_clock_free)

G_END_DECLS
