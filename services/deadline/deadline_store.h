/* deadline_store.h: the deadline service's own tables (its SQLite file,
 * beside the shared journal, offsets and idempotency tables).
 *
 *   dl_case   one row per case seen on routing's journal: its queue
 *             coordinates, level and kind, and whether it is suspended
 *   dl_clock  one row per clock of a case: anchor and length, due day,
 *             state, the stage it fired last, and next_at, the instant of
 *             its next firing (indexed: a restart reads only this index)
 *   dl_explanation  every explanation recorded (D-DL-6), with who and when
 *   dl_followup_pending  D-EV-7's follow-ups evaluation opened for a case
 *             routing has not brought here yet: when each was opened
 */
#pragma once

#include "deadline_clock.h"

G_BEGIN_DECLS

extern const char *const deadline_migrations[];

typedef struct {
    char *case_no; /* case number */
    char *matter;  /* catalog code */
    char *level;   /* village, township or county */
    char *kind;    /* handling kind */
    char *window;  /* queue coordinates (topics) */
    char *station;
    char *area;
    gint64 accepted_at;   /* ms: when routing took it */
    gint64 suspended_at;  /* ms since the clocks stopped (D-DL-7); 0: running */
    char *suspended_by;   /* "materials" (intake/routing) or "command"; NULL when running */
    gboolean closed;      /* replied, returned or archived: no clock runs any more */
    gboolean centre_seen; /* reached the township centre once (D-DL-1 started) */
    gboolean restricted;  /* D-INT-8: the catalog's restricted matter (petitions): never on a/<area> */
    char *county;         /* the county department an escalated case waits on (D-DL-3); "" otherwise */
} DeadlineCase;

void deadline_case_free (DeadlineCase *c);

typedef struct {
    gint64 id; /* rowid; 0 before the first save */
    char *case_no;
    DeadlineClockName name;
    int length;        /* days, in unit */
    DeadlineUnit unit; /* working or calendar days (D-DL-3), fixed at the start */
    gint64 started_at; /* ms */
    DeadlineState state;
    DeadlineStage stage; /* the last stage fired */
    gint64 anchor_day;   /* running: counting starts after this day */
    int anchor_n;        /* running: days (in unit) from anchor; stopped: what remains */
    gint64 due_day;      /* running: the due day; 0 while stopped */
    gboolean covered;    /* FALSE: due day outside the calendar (weekends only, D-DL-5) */
    gboolean explained;  /* D-DL-6 */
    gint64 next_at;      /* ms of the next firing; 0: none */
} DeadlineClock;

void deadline_clock_free (DeadlineClock *k);

typedef struct _DeadlineStore DeadlineStore;

/* Prepares the statements on store (borrowed; free this first). */
DeadlineStore *deadline_store_new (DbnStore *store, GError **error);
void deadline_store_free (DeadlineStore *self);

/* *out NULL (no error) when the case is unknown. Caller owns *out. */
gboolean deadline_store_get_case (DeadlineStore *self, const char *case_no, DeadlineCase **out,
                                  GError **error);
gboolean deadline_store_put_case (DeadlineStore *self, const DeadlineCase *c, GError **error);
/* The clocks of a case in id order (DeadlineClock*, caller owns the array). */
GPtrArray *deadline_store_get_clocks (DeadlineStore *self, const char *case_no, GError **error);
/* *out NULL when there is no such clock. */
gboolean deadline_store_get_clock (DeadlineStore *self, gint64 id, DeadlineClock **out, GError **error);
/* Inserts (id 0: sets k->id) or updates. */
gboolean deadline_store_put_clock (DeadlineStore *self, DeadlineClock *k, GError **error);
gboolean deadline_store_add_explanation (DeadlineStore *self, gint64 seq, const char *case_no, gint64 ts,
                                         const char *actor, const char *clocks, const char *text,
                                         GError **error);

/* Every (next_at, id) with a next firing, in instant order. */
typedef void (*DeadlinePendingFunc) (gint64 at, gint64 id, gpointer user_data);
gboolean deadline_store_foreach_pending (DeadlineStore *self, DeadlinePendingFunc func, gpointer user_data,
                                         GError **error);
/* Every running clock, with its case's area (calendar reload). */
typedef gboolean (*DeadlineClockFunc) (DeadlineClock *k, const char *area, gpointer user_data,
                                       GError **error);
gboolean deadline_store_foreach_running (DeadlineStore *self, DeadlineClockFunc func, gpointer user_data,
                                         GError **error);

/* The open (not closed) cases of a queue ("window", "station" or "area" and
 * its id), numbered after `after` ("" or NULL: from the first), in case
 * number order, at most max (DeadlineCase*, appended to cases). An area's
 * queue leaves restricted cases out (D-INT-8). FALSE with DBN_ERROR_INVALID
 * for another kind. */
gboolean deadline_store_read_queue (DeadlineStore *self, const char *kind, const char *id, const char *after,
                                    guint max, GPtrArray *cases, GError **error);
/* D-INT-8 for cases stored before their restricted flag was: marks the cases
 * of the catalog's restricted matters, then every other case not yet marked.
 * Cheap when done (a partial index holds only the unmarked). */
gboolean deadline_store_mark_restricted (DeadlineStore *self, DbnCatalog *catalog, GError **error);

/* D-EV-7 before case.routed: keeps (or replaces) the opening's instant. */
gboolean deadline_store_put_pending_followup (DeadlineStore *self, const char *case_no, gint64 opened_at,
                                              GError **error);
/* Removes the case's pending follow-up; *opened_at is its instant, 0 when
 * there was none. */
gboolean deadline_store_take_pending_followup (DeadlineStore *self, const char *case_no, gint64 *opened_at,
                                               GError **error);
/* Forgets it (met before the case arrived). */
gboolean deadline_store_drop_pending_followup (DeadlineStore *self, const char *case_no, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeadlineCase, deadline_case_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeadlineClock, deadline_clock_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeadlineStore, deadline_store_free)

G_END_DECLS
