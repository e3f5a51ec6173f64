/* evaluation_private.h: what the files of daiban-evaluation share
 * (evaluation_actions.c: following and the rating, month, close, export
 * commands; evaluation_callbacks.c: return visits and follow-ups;
 * evaluation_draw.c: the audit heads and the automatic draw). */
#pragma once

#include "evaluation_actions.h"

G_BEGIN_DECLS

struct _EvaluationActions {
    DbnService *service; /* borrowed */
    DbnCalendar *calendar;
    DbnCatalog *catalog;
    DbnOrg *org; /* D-EV-3: principals to org.ini agents (eval_credit.h) */
    EvalSettings settings;
    EvalStore *store;
    DbnSubscriber *routing;
    DbnSubscriber *deadline;
    DbnSubscriber *intake; /* repeat requests (D-EV-5) */
    DbnSubscriber *audit;  /* signed heads: the draw's seed (D-EV-2) */
    guint draw_id;         /* the automatic draw's timer */
    guint drawn_month;     /* the last month the timer found drawn (202611): not asked again */
    guint warned_month;    /* the last month whose draw failed with a warning (said once) */
};

#define EVAL_DECODE(name, command, error)                                                                    \
    dbn_msg_##name##_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),                        \
                             g_bytes_get_size (dbn_command_get_body (command)), error)

/* Where a case is, as the model holds it (from routing's case.routed). */
typedef struct {
    char *window;
    char *station;
    char *area;
    char *matter;
    gboolean restricted; /* D-INT-8: the catalog's restricted matter (petitions): never to a/<area> */
} CaseWhere;

void case_where_clear (CaseWhere *w);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaseWhere, case_where_clear)

/* FALSE with EVAL_ERROR_UNKNOWN_CASE when the model has no such case. */
gboolean evaluation_case_where (EvaluationActions *self, const char *case_no, CaseWhere *out, GError **error);
/* Publishes the event the command emitted last also on q/<window>,
 * s/<station> and, when area is TRUE, a/<area> (ids that cannot be a topic
 * are skipped; never a/ for a restricted matter, D-INT-8). */
void evaluation_publish_case_topics (DbnCommand *command, const CaseWhere *w, gboolean area, GBytes *body);

/* ---- evaluation_callbacks.c ---- */

/* D-EV-7: opens the case's follow-up for a bad rating or callback (cause:
 * reply, window or callback), emitting eval.followup.opened on audit and
 * the case's topics (deadline starts its clock); a follow-up already open
 * is joined (nothing emitted). Inside the command's transaction. */
gboolean evaluation_open_followup (EvaluationActions *self, DbnCommand *command, const char *case_no,
                                   const CaseWhere *w, const char *cause, GError **error);
GBytes *evaluation_callback_record (DbnService *service, DbnCommand *command, gpointer user_data,
                                    GError **error);
GBytes *evaluation_callback_list (DbnService *service, DbnCommand *command, gpointer user_data,
                                  GError **error);
GBytes *evaluation_followup_record (DbnService *service, DbnCommand *command, gpointer user_data,
                                    GError **error);

/* ---- evaluation_draw.c ---- */

/* Applies audit's journal: keeps each month's last signed head. */
gboolean evaluation_on_audit (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                              GError **error);
/* D-EV-2: draws month's sample seeded from the last audit head signed at or
 * before the month's end, else the fallback seed, and records the source.
 * Inside the caller's transaction. Errors as eval_store_draw_sample. */
gboolean evaluation_draw (EvaluationActions *self, guint month, gint64 now_ms, GError **error);
/* Starts the timer that draws the previous month on the first working day. */
void evaluation_start_drawing (EvaluationActions *self);
GBytes *evaluation_sample_command (DbnService *service, DbnCommand *command, gpointer user_data,
                                   GError **error);

G_END_DECLS
