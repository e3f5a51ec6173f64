/* deadline_private.h: what the files of daiban-deadline share. */
#pragma once

#include "deadline_actions.h"

G_BEGIN_DECLS

struct _DeadlineActions {
    DbnService      *service;       /* borrowed: store, clock, config, publisher */
    DbnCalendar     *calendar;      /* owned; replaced by a reload */
    char            *calendar_path; /* where a reload reads */
    DbnCatalog      *catalog;       /* owned: the committed clock's length (D-DL-4) */
    DeadlineSettings settings;      /* [deadline] */
    DeadlineStore   *store;         /* statements */
    DeadlineTimers  *timers;        /* pending firings */
    DbnSubscriber   *routing;       /* routing's journal */
    DbnSubscriber   *intake;        /* intake's journal */
    guint            tick_id;       /* the timer source */
    guint            rebuild_id;    /* idle that rebuilds the heap after a calendar reload */
};

/* Why a case's clocks stopped. */
#define DEADLINE_BY_MATERIALS "materials"
#define DEADLINE_BY_COMMAND "command"

/* Inside the caller's transaction. c is saved by the caller. */
/* Starts clock `name` of c at instant at (restart: again if it exists). */
gboolean deadline_start_clock (DeadlineActions *self, DeadlineCase *c, DeadlineClockName name,
                               gint64 at, gboolean restart, GError **error);
/* Marks the open clocks whose bit (1 << name) is in mask as state. */
gboolean deadline_end_clocks (DeadlineActions *self, DeadlineCase *c, guint mask,
                              DeadlineState state, GError **error);
/* D-DL-7: stops the running clocks of c, keeping what remains. */
gboolean deadline_suspend (DeadlineActions *self, DeadlineCase *c, gint64 at, const char *by,
                           GError **error);
/* D-DL-7: runs them again with what remained. */
gboolean deadline_resume (DeadlineActions *self, DeadlineCase *c, gint64 at, GError **error);
/* Computes k's due day from its anchor, then its next firing, saves it and
 * pushes the firing. */
gboolean deadline_schedule (DeadlineActions *self, DeadlineClock *k, const char *area,
                            GError **error);

/* The topics of c's events: s/<station> first, then q/<window>, a/<area>
 * when known, and the committee's "audit". NULL-terminated; caller owns it. */
char **deadline_case_topics (const DeadlineCase *c);

G_END_DECLS
