/* deadline_private.h: what the files of daiban-deadline share. */
#pragma once

#include "deadline_actions.h"

G_BEGIN_DECLS

struct _DeadlineActions {
    DbnService *service;       /* borrowed: store, clock, config, publisher */
    DbnCalendar *calendar;     /* owned; replaced by a reload */
    char *calendar_path;       /* where a reload reads */
    DbnCatalog *catalog;       /* owned: the committed clock's length (D-DL-4) */
    DeadlineSettings settings; /* [deadline] */
    DeadlineStore *store;      /* statements */
    DeadlineTimers *timers;    /* pending firings */
    DbnSubscriber *routing;    /* routing's journal */
    DbnSubscriber *intake;     /* intake's journal */
    DbnSubscriber *evaluation; /* evaluation's journal: D-EV-7's follow-up clock */
    guint tick_id;             /* the timer source */
    guint rebuild_id;          /* idle that rebuilds the heap after a calendar reload */
};

/* A case's row in deadline.queue (deadline.xml, deadline_due). */
typedef struct {
    int clock;              /* DeadlineClockName; -1: no open clock */
    DeadlineUnit unit;      /* that clock's unit (D-DL-3) */
    gint64 due_day;         /* 0: absent (stopped, or no clock) */
    gboolean has_remaining; /* the chosen clock is stopped: remaining is what it keeps */
    int remaining;
    DeadlineStage stage; /* furthest stage among the open clocks */
    gboolean suspended;
    gboolean covered;
    /* Not shown in the row, but the queues it belongs to: a move is a change. */
    char *window, *station, *area;
    char *county; /* the department an escalated case waits on, "" none (D-DL-3) */
    gboolean restricted;
    gboolean closed; /* a closed case leaves the queues: a change too */
} DeadlineRow;

void deadline_row_clear (DeadlineRow *row);
/* The row of c from its clocks (DeadlineClock*, any order). A closed case
 * has the empty row (no clock, stage none). */
void deadline_row_of (const DeadlineCase *c, GPtrArray *clocks, DeadlineRow *row);
/* The same from the store. */
gboolean deadline_row_read (DeadlineActions *self, const DeadlineCase *c, DeadlineRow *row, GError **error);
/* deadline.due_changed: compares c's row now (from the store: save the
 * clocks first) with before, and when it differs emits the event in the
 * open transaction (origin: a command, following or a firing; it is
 * published after the commit) on the case's topics, plus the topics of
 * before's coordinates when the case moved (so the queue it left drops
 * it). FALSE with error when the store or the journal fails. */
gboolean deadline_row_changed (DeadlineActions *self, const DeadlineCase *c, const DeadlineRow *before,
                               DbnOrigin *origin, GError **error);

/* Decodes the command's body as message `name`. */
#define DEADLINE_DECODE(name, command, error)                                                                \
    dbn_msg_##name##_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),                        \
                             g_bytes_get_size (dbn_command_get_body (command)), error)

/* deadline_commands.c: deadline.case.due (read), .explain, .suspend, .resume */
GBytes *deadline_case_due (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *deadline_case_explain (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *deadline_case_suspend (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *deadline_case_resume (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
/* deadline_reload.c: deadline.calendar.reload and catalog.reload (D-CAT-3) */
GBytes *deadline_calendar_reload (DbnService *service, DbnCommand *command, gpointer user_data,
                                  GError **error);
GBytes *deadline_catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data,
                                 GError **error);

/* deadline.queue (read). */
GBytes *deadline_queue_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* Why a case's clocks stopped. */
#define DEADLINE_BY_MATERIALS "materials"
#define DEADLINE_BY_COMMAND   "command"

/* ---- deadline_clocks.c: shared by the families ---- */

/* A clock that runs or is stopped (D-DL-7), neither met nor cancelled. */
gboolean deadline_clock_is_open (const DeadlineClock *k);
/* Inside the caller's transaction. c is saved by the caller. */
/* Starts clock `name` of c at instant at (restart: again if it exists). */
gboolean deadline_start_clock (DeadlineActions *self, DeadlineCase *c, DeadlineClockName name, gint64 at,
                               gboolean restart, GError **error);
/* Marks the open clocks whose bit (1 << name) is in mask as state. */
gboolean deadline_end_clocks (DeadlineActions *self, DeadlineCase *c, guint mask, DeadlineState state,
                              GError **error);
/* D-DL-7: stops the running clocks of c, keeping what remains. */
gboolean deadline_suspend (DeadlineActions *self, DeadlineCase *c, gint64 at, const char *by, GError **error);
/* D-DL-7: runs them again with what remained. */
gboolean deadline_resume (DeadlineActions *self, DeadlineCase *c, gint64 at, GError **error);
/* Computes k's due day from its anchor, then its next firing, saves it and
 * pushes the firing. */
gboolean deadline_schedule (DeadlineActions *self, DeadlineClock *k, const char *area, GError **error);

/* The topics of c's events: s/<station> first, then q/<window>, a/<area>
 * when known and the matter is not restricted (D-INT-8: a petition never
 * reaches the area's supervisors), and the committee's "audit".
 * NULL-terminated; caller owns it. */
char **deadline_case_topics (const DeadlineCase *c);
/* "<kind>/<id>" (dbn_topic_dup_queue), or NULL, logged once, when id cannot
 * be part of a topic (issue 11: the event then skips that queue). */
char *deadline_queue_topic (char kind, const char *id, const char *case_no);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeadlineRow, deadline_row_clear)

G_END_DECLS
