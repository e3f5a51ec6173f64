/* routing_private.h: what the files of daiban-routing share. */
#pragma once

#include "routing_actions.h"
#include "routing_events.h"

#include "daiban/dbn_promise.h"

G_BEGIN_DECLS

struct _RoutingActions {
    DbnService *service;       /* borrowed: store, clock, config, publisher */
    DbnCatalog *catalog;       /* owned: matters */
    DbnOrg *org;               /* owned: windows, stations, agents, areas */
    RoutingMachine *machine;   /* the table */
    RoutingStore *store;       /* routing's statements */
    DbnSubscriber *subscriber; /* intake's journal, once following */
    DbnCalendar *calendar;     /* owned: the board's due dates (D-DL-4), or NULL */
    int promise_setting;       /* [deadline] committed */
    gboolean promise_calendar_days;
};

/* ---- routing_apply.c: shared by the families ---- */

/* Saves c after its step: emits effects in order, writes the handoff book
 * for those that hand the case over (D-RTE-5: who = emitter's actor, when =
 * its time, why = the reason), stamps the case's last change and saves the
 * row. Inside the caller's transaction. */
gboolean routing_commit_case (RoutingActions *self, DbnOrigin *emitter, RoutingCase *c, GPtrArray *effects,
                              GError **error);

/* TRUE when the command's principal may change c (a station its own
 * station's cases, a window its queue's or those in its hands); FALSE with
 * DBN_ERROR_FORBIDDEN. */
gboolean routing_may_write (DbnCommand *command, const RoutingCase *c, GError **error);

/* Loads case_no, checks the command's principal may change it (when the
 * emitter has a command), steps args on it and commits it. *out (optional) gets the
 * case after the step; caller owns it. */
gboolean routing_apply (RoutingActions *self, DbnOrigin *emitter, const char *case_no,
                        const RoutingArgs *args, RoutingCase **out, GError **error);

/* FALSE with DBN_ERROR_FORBIDDEN: "<principal> may not <what> case <case_no>". */
gboolean routing_forbid (GError **error, const char *principal, const char *what, const char *case_no);

/* Decodes the command's body as message `name`. */
#define ROUTING_DECODE(name, command, error)                                                                 \
    dbn_msg_##name##_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),                        \
                             g_bytes_get_size (dbn_command_get_body (command)), error)

/* routing_commands.c: the steps of a case, and catalog.reload (D-CAT-3) */
GBytes *routing_case_classify (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_assign (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_handoff (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_start (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_complete (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_escalate (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_county_answer (DbnService *service, DbnCommand *command, gpointer user_data,
                                    GError **error);
GBytes *routing_case_return (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_reply_command (DbnService *service, DbnCommand *command, gpointer user_data,
                                    GError **error);
GBytes *routing_case_archive (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_case_accompany (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* routing_reads.c: routing.case.get and routing.queue */
GBytes *routing_case_get (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_queue_snapshot (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* routing_board.c: the public board (issue 16 item 4, docs/security.md) */
/* "张**": the name's first character and two stars. Caller owns it. */
char *routing_board_mask_name (const char *name);
/* Journals c's board.row on pub/ when its public row changed since before
 * (NULL: a new case); nothing for a petition (D-INT-8). */
gboolean routing_board_emit (RoutingActions *self, DbnOrigin *origin, const RoutingCase *c,
                             const RoutingCase *before, GError **error);
GBytes *routing_board_snapshot (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* routing_runsheet.c */
GBytes *routing_runsheet_new (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);
GBytes *routing_runsheet_ack (DbnService *service, DbnCommand *command, gpointer user_data, GError **error);

/* routing_follow.c */
gboolean routing_follow_start (RoutingActions *self, DbnBus *bus, GError **error);
void routing_follow_stop (RoutingActions *self);

G_END_DECLS
