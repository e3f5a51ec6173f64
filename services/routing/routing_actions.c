/* routing_actions.c: daiban-routing's command table, and the life of its
 * state. The commands on a case and the two reads are its families.
 *
 * Who may touch which case (issue 3's principals; the service frame has
 * already checked the principal's kind against routing_commands): a station
 * acts on and reads the cases of its own station only (D-RTE-6: "a station
 * sees the cases it entrusted"); a window clerk (township agents sit at a
 * window) acts on the cases in its window's queue or in its hands, and reads
 * any case (a handoff needs the case first); a supervisor reads its area;
 * the committee reads everything and never writes (the frame refuses its
 * writes); services and the operator are not narrowed. Queues follow the
 * same rule: q/<own window>, s/<own station>, a/<own area>.
 *
 * The imports run one way: this table → the families (routing_commands.c,
 * routing_reads.c, routing_runsheet.c, the follower routing_follow.c, and
 * routing_apply.c which they share, through routing_private.h) → the store,
 * the events and the machine (routing_store.h, routing_events.h,
 * routing_machine.h).
 */
#include "routing_private.h"

RoutingActions *
routing_actions_new (DbnService *service, DbnCatalog *catalog, DbnOrg *org, GError **error)
{
    g_autoptr (RoutingActions) self = g_new0 (RoutingActions, 1);
    self->service = service;
    self->catalog = catalog;
    self->org = org;
    self->machine = routing_machine_new (catalog, org);
    self->store = routing_store_new (dbn_service_get_store (service), error);
    if (self->store == NULL)
        return NULL;
    /* The board's due dates are the promised ones (D-DL-4), counted as
     * intake and deadline count them. */
    DbnConfig *config = dbn_service_get_config (service);
    if (config != NULL) {
        if (!dbn_promise_settings_load (config, &self->promise_setting, &self->promise_calendar_days, error))
            return NULL;
        g_autofree char *path = dbn_promise_dup_calendar_path (config);
        self->calendar = dbn_calendar_load (path, error);
        if (self->calendar == NULL)
            return NULL;
    }
    return g_steal_pointer (&self);
}

void
routing_actions_free (RoutingActions *self)
{
    if (self == NULL)
        return;
    routing_follow_stop (self);
    routing_store_free (self->store);
    dbn_calendar_free (self->calendar);
    routing_machine_free (self->machine);
    dbn_org_free (self->org);
    dbn_catalog_free (self->catalog);
    g_free (self);
}

gboolean
routing_actions_follow_intake (RoutingActions *self, DbnBus *bus, GError **error)
{
    return routing_follow_start (self, bus, error);
}

/* Principal kinds besides services and the operator (the frame checks them;
 * the handlers narrow them to the principal's own cases). D-RTE-6: the front
 * desk signs for run-sheet items, the back office handles; both reply,
 * archive and read. */
#define FRONT DBN_COMMAND_FRONT_DESK
#define BACK  DBN_COMMAND_BACK_OFFICE
const DbnCommandSpec routing_commands[] = {
    { DBN_MSG_CASE_CLASSIFY_WIRE, routing_case_classify, TRUE, DBN_PRINCIPAL_WINDOW | BACK },
    { DBN_MSG_CASE_ASSIGN_WIRE, routing_case_assign, TRUE, DBN_PRINCIPAL_WINDOW | BACK },
    { DBN_MSG_CASE_HANDOFF_WIRE, routing_case_handoff, TRUE,
      DBN_PRINCIPAL_WINDOW | BACK | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_START_WIRE, routing_case_start, TRUE, DBN_PRINCIPAL_WINDOW | BACK },
    { DBN_MSG_CASE_COMPLETE_WIRE, routing_case_complete, TRUE, DBN_PRINCIPAL_WINDOW | BACK },
    { DBN_MSG_CASE_ESCALATE_WIRE, routing_case_escalate, TRUE, DBN_PRINCIPAL_WINDOW | BACK },
    { DBN_MSG_CASE_COUNTY_ANSWER_WIRE, routing_case_county_answer, TRUE,
      DBN_PRINCIPAL_WINDOW | BACK | DBN_PRINCIPAL_COUNTY },
    /* The village agent refuses, replies and archives at the station too (D-INT-5, D-RPL-1). */
    { DBN_MSG_CASE_RETURN_WIRE, routing_case_return, TRUE,
      DBN_PRINCIPAL_WINDOW | BACK | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_REPLY_WIRE, routing_case_reply_command, TRUE,
      DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_ARCHIVE_WIRE, routing_case_archive, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_ACCOMPANY_WIRE, routing_case_accompany, TRUE,
      DBN_PRINCIPAL_WINDOW | BACK | DBN_PRINCIPAL_STATION },
    /* D-RTE-3: the station makes the sheet, the centre acknowledges. */
    { DBN_MSG_RUNSHEET_NEW_WIRE, routing_runsheet_new, TRUE, DBN_PRINCIPAL_STATION },
    { DBN_MSG_RUNSHEET_ACK_WIRE, routing_runsheet_ack, TRUE, DBN_PRINCIPAL_WINDOW | FRONT },
    { DBN_MSG_ROUTING_CASE_GET_WIRE, routing_case_get, FALSE,
      DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE
          | DBN_PRINCIPAL_COUNTY },
    { DBN_MSG_ROUTING_QUEUE_WIRE, routing_queue_snapshot, FALSE,
      DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE
          | DBN_PRINCIPAL_COUNTY },
    /* Issue 16 item 4: the public board's masked rows, for everyone who reads. */
    { DBN_MSG_ROUTING_BOARD_WIRE, routing_board_snapshot, FALSE,
      DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE
          | DBN_PRINCIPAL_COUNTY | DBN_PRINCIPAL_BOARD },
    { DBN_MSG_CATALOG_RELOAD_WIRE, routing_catalog_reload, FALSE, DBN_PRINCIPAL_SUPERVISOR },
    { NULL, NULL, FALSE, 0 },
};
#undef FRONT
#undef BACK
