/* routing_actions.c: the commands on a case, and the two reads.
 *
 * Every writing command is the same three steps inside its savepoint of the
 * batch (dbn_service.c): load the case, run the machine's step (which
 * refuses an illegal transition before changing anything), commit the case
 * (events journaled once and fanned out to the queue topics, handoffs in
 * the book, the row saved). A handler only decodes its message into
 * RoutingArgs. The reply says where the case is now.
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
 * Reads run after the batch commits: routing.case.get answers the case
 * with its timeline (its events, straight from the journal), and
 * routing.queue a snapshot of one queue with the journal seq it reflects,
 * so a client applies the later events of its topic on top (the Clone
 * pattern; docs/routing.md).
 */
#include "routing_private.h"

#include <string.h>

/* One answer (page) of routing.queue carries at most this many cases. */
#define QUEUE_MAX 2000
/* Events of a timeline (schema limit). */
#define TIMELINE_MAX 1000

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
    return g_steal_pointer (&self);
}

void
routing_actions_free (RoutingActions *self)
{
    if (self == NULL)
        return;
    routing_follow_stop (self);
    routing_store_free (self->store);
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

gboolean
routing_commit_case (RoutingActions *self, DbnOrigin *emitter, RoutingCase *c,
                     GPtrArray *effects, GError **error)
{
    /* The stored row is still the case before this change (saved below):
     * its topics are the queues the events must also reach. One read by
     * primary key per change. */
    g_autoptr (GError) local = NULL;
    g_autoptr (RoutingCase) before =
        effects->len > 0 ? routing_store_load_case (self->store, c->case_no, &local) : NULL;
    if (before == NULL && local != NULL && !g_error_matches (local, DBN_ERROR, DBN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    for (guint i = 0; i < effects->len; i++) {
        RoutingEffect *fx = g_ptr_array_index (effects, i);
        gint64 seq = 0;
        if (!routing_emit_effect (emitter, self->machine, c, before, fx, &seq, error))
            return FALSE;
        /* D-RTE-5: who, when and why of every handoff, in a book of its own. */
        if (fx->handoff &&
            !routing_store_add_handoff (self->store, seq, c->case_no, emitter->now_ms, fx->from, fx->to,
                                        emitter->actor, fx->reason ? fx->reason : fx->type, error))
            return FALSE;
    }
    c->updated_at = emitter->now_ms;
    if (effects->len > 0)
        c->updated_seq = emitter->last_seq;
    return routing_store_save_case (self->store, c, error);
}

/* ---- who may ---- */

static gboolean
forbid (GError **error, const char *principal, const char *what, const char *case_no)
{
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not %s %s", principal, what, case_no);
    return FALSE;
}

gboolean
routing_may_write (DbnCommand *command, const RoutingCase *c, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION:
        if (g_strcmp0 (id, c->station) == 0)
            return TRUE;
        break;
    case DBN_PRINCIPAL_WINDOW: {
        g_autofree char *hands = g_strdup_printf ("window:%s", id);
        if (g_strcmp0 (id, c->window) == 0 || g_strcmp0 (hands, c->holder) == 0)
            return TRUE;
        break;
    }
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR:
        return TRUE;
    default:
        break; /* supervisors and the committee read only */
    }
    return forbid (error, principal, "change", c->case_no);
}

static gboolean
may_read (DbnCommand *command, const RoutingCase *c, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION:
        if (g_strcmp0 (id, c->station) == 0)
            return TRUE;
        return forbid (error, principal, "read", c->case_no);
    case DBN_PRINCIPAL_SUPERVISOR:
        /* D-INT-8: a petition is not the area's business. */
        if (g_strcmp0 (id, c->area) == 0 && !c->restricted)
            return TRUE;
        return forbid (error, principal, "read", c->case_no);
    case DBN_PRINCIPAL_WINDOW: {
        /* D-INT-8: only the handling window reads a petition (its own queue
         * or in its hands); any other case, any window (a handoff needs it). */
        g_autofree char *hands = g_strdup_printf ("window:%s", id);
        if (!c->restricted || g_strcmp0 (id, c->window) == 0 || g_strcmp0 (hands, c->holder) == 0)
            return TRUE;
        return forbid (error, principal, "read", c->case_no);
    }
    default:
        return TRUE;
    }
}

/* A restricted principal reads only its own queue. */
static gboolean
may_read_queue (DbnCommand *command, const char *kind, const char *id, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *own = dbn_principal_get_id (principal);
    const char *allowed = NULL;
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION:
        allowed = "station";
        break;
    case DBN_PRINCIPAL_WINDOW:
        allowed = "window";
        break;
    case DBN_PRINCIPAL_SUPERVISOR:
        allowed = "area";
        break;
    default:
        return TRUE;
    }
    if (g_strcmp0 (kind, allowed) == 0 && g_strcmp0 (id, own) == 0)
        return TRUE;
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may read only its own queue, not %s %s",
                 principal, kind, id);
    return FALSE;
}

gboolean
routing_apply (RoutingActions *self, DbnOrigin *emitter, const char *case_no,
               const RoutingArgs *args, RoutingCase **out, GError **error)
{
    g_autoptr (RoutingCase) c = routing_store_load_case (self->store, case_no, error);
    if (c == NULL)
        return FALSE;
    if (emitter->command != NULL && !routing_may_write (emitter->command, c, error))
        return FALSE;
    g_autoptr (GPtrArray) effects = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
    if (!routing_machine_step (self->machine, c, args, effects, error) ||
        !routing_commit_case (self, emitter, c, effects, error))
        return FALSE;
    if (out != NULL)
        *out = g_steal_pointer (&c);
    return TRUE;
}

/* ---- commands on a case ---- */

static GBytes *
case_reply (const RoutingCase *c, gint64 seq, GError **error)
{
    g_autoptr (DbnMsgRoutingCaseReply) reply = dbn_msg_routing_case_reply_new ();
    reply->case_no = g_strdup (c->case_no);
    reply->state = g_strdup (routing_state_to_string (c->state));
    reply->kind = g_strdup (dbn_handling_kind_to_string (c->kind));
    reply->location = g_strdup (routing_location_to_string (c->location));
    reply->seq = seq;
    return dbn_msg_routing_case_reply_encode (reply, error);
}

/* The common tail of every command on a case. */
static GBytes *
apply_command (RoutingActions *self, DbnCommand *command, const char *case_no, RoutingArgs *args,
               GError **error)
{
    DbnOrigin emitter = dbn_command_get_origin (command);
    args->actor = emitter.actor;
    g_autoptr (RoutingCase) c = NULL;
    if (!routing_apply (self, &emitter, case_no, args, &c, error))
        return NULL;
    return case_reply (c, emitter.last_seq, error);
}

static GBytes *
case_classify (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseClassify) req = ROUTING_DECODE (case_classify, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_CLASSIFY, .kind = req->kind, .reason = req->reason,
                         .parts = req->parts };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_assign (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseAssign) req = ROUTING_DECODE (case_assign, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_ASSIGN, .window = req->window, .agent = req->agent,
                         .reason = req->reason };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_handoff (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseHandoff) req = ROUTING_DECODE (case_handoff, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_HANDOFF, .to = req->to, .reason = req->reason };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_start (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseStart) req = ROUTING_DECODE (case_start, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_START };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_complete (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseComplete) req = ROUTING_DECODE (case_complete, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_COMPLETE, .part = req->part, .result = req->result };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_escalate (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseEscalate) req = ROUTING_DECODE (case_escalate, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_ESCALATE, .county = req->county, .reason = req->reason };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_county_answer (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseCountyAnswer) req = ROUTING_DECODE (case_county_answer, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_COUNTY_ANSWER, .answer = req->answer,
                         .approved = req->approved };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_return (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseReturn) req = ROUTING_DECODE (case_return, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_RETURN, .reason = req->reason, .apply_to = req->apply_to };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_reply_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseReply) req = ROUTING_DECODE (case_reply, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_REPLY, .result = req->result, .reason = req->reason,
                         .has_satisfied = req->has_satisfied, .satisfied = req->satisfied,
                         .has_confirmed = req->has_confirmed, .confirmed = req->confirmed };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_archive (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseArchive) req = ROUTING_DECODE (case_archive, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_ARCHIVE };
    return apply_command (user_data, command, req->case_no, &args, error);
}

static GBytes *
case_accompany (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseAccompany) req = ROUTING_DECODE (case_accompany, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_ACCOMPANY, .note = req->note };
    return apply_command (user_data, command, req->case_no, &args, error);
}

/* ---- reads ---- */

static GBytes *
case_get (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    RoutingActions *self = user_data;
    g_autoptr (DbnMsgRoutingCaseGet) req = ROUTING_DECODE (routing_case_get, command, error);
    if (req == NULL)
        return NULL;
    g_autoptr (RoutingCase) c = routing_store_load_case (self->store, req->case_no, error);
    if (c == NULL || !may_read (command, c, error))
        return NULL;
    g_autoptr (DbnMsgRoutingCaseGetReply) reply = dbn_msg_routing_case_get_reply_new ();
    const DbnMatter *matter = dbn_catalog_lookup (self->catalog, c->matter);
    reply->case_no = g_strdup (c->case_no);
    reply->matter = g_strdup (c->matter);
    reply->matter_name = g_strdup (matter ? matter->name_zh : c->matter);
    reply->level = g_strdup (dbn_deciding_level_to_string (c->level));
    reply->kind = g_strdup (dbn_handling_kind_to_string (c->kind));
    reply->state = g_strdup (routing_state_to_string (c->state));
    reply->window = g_strdup (c->window);
    reply->station = g_strdup (c->station);
    reply->village = g_strdup (c->village);
    reply->area = g_strdup (c->area);
    reply->channel = g_strdup (c->channel);
    reply->applicant = g_strdup (c->applicant);
    reply->responsible = g_strdup (c->responsible);
    reply->holder = g_strdup (c->holder);
    reply->location = g_strdup (routing_location_to_string (c->location));
    reply->sheet = g_strdup (c->sheet);
    reply->county = g_strdup (c->county);
    reply->accepted_at = c->accepted_at;
    reply->accompanied = c->accompanied;
    reply->parts = g_strdupv (c->parts);
    reply->parts_done = g_strdupv (c->parts_done);
    reply->missing = g_strdupv (c->missing);
    reply->outcome = g_strdup (c->outcome);
    reply->has_restricted = c->restricted;
    reply->restricted = c->restricted;
    reply->timeline = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    if (!routing_store_read_timeline (self->store, c->case_no, TIMELINE_MAX, reply->timeline, error))
        return NULL;
    reply->seq = dbn_store_journal_newest (dbn_service_get_store (service));
    return dbn_msg_routing_case_get_reply_encode (reply, error);
}

/* Rows first, encoded after the statement is done (matter names added). */
static gboolean
collect_queue_item (const RoutingCase *c, gpointer user_data)
{
    GPtrArray *rows = user_data;
    g_autoptr (DbnMsgRoutingQueueItem) item = dbn_msg_routing_queue_item_new ();
    item->case_no = g_strdup (c->case_no);
    item->matter = g_strdup (c->matter);
    item->window = g_strdup (c->window);
    item->station = g_strdup (c->station);
    item->area = g_strdup (c->area);
    item->state = g_strdup (routing_state_to_string (c->state));
    item->kind = g_strdup (dbn_handling_kind_to_string (c->kind));
    item->holder = g_strdup (c->holder);
    item->responsible = g_strdup (c->responsible);
    item->location = g_strdup (routing_location_to_string (c->location));
    item->sheet = c->location == ROUTING_LOCATION_IN_TRANSIT ? g_strdup (c->sheet) : NULL;
    item->updated = c->updated_at;
    item->updated_seq = c->updated_seq;
    /* `due` stays absent until the deadline service computes due dates. */
    g_ptr_array_add (rows, g_steal_pointer (&item));
    return TRUE;
}

static GBytes *
queue_snapshot (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    RoutingActions *self = user_data;
    g_autoptr (DbnMsgRoutingQueue) req = ROUTING_DECODE (routing_queue, command, error);
    if (req == NULL)
        return NULL;
    gboolean known = FALSE;
    if (g_strcmp0 (req->kind, "window") == 0)
        known = dbn_org_lookup_window (self->org, req->id) != NULL;
    else if (g_strcmp0 (req->kind, "station") == 0)
        known = dbn_org_lookup_station (self->org, req->id) != NULL;
    else if (g_strcmp0 (req->kind, "area") == 0)
        known = dbn_org_lookup_area (self->org, req->id) != NULL;
    else {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "a queue is of a window, station or area, not '%s'", req->kind);
        return NULL;
    }
    if (!known) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET, "no %s '%s' in org.ini",
                     req->kind, req->id);
        return NULL;
    }
    if (!may_read_queue (command, req->kind, req->id, error))
        return NULL;
    /* Paging (keyset): the cases after `after`, at most `limit`; one more is
     * read to know whether the queue goes on. */
    guint limit = req->has_limit && req->limit > 0 && req->limit < QUEUE_MAX ? (guint) req->limit : QUEUE_MAX;
    g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_msg_routing_queue_item_free);
    if (!routing_store_foreach_in_queue (self->store, req->kind, req->id, req->after, limit + 1,
                                         collect_queue_item, rows, error))
        return NULL;
    g_autoptr (DbnMsgRoutingQueueReply) reply = dbn_msg_routing_queue_reply_new ();
    reply->kind = g_strdup (req->kind);
    reply->id = g_strdup (req->id);
    /* Reads run after the batch commits and nothing else writes between:
     * the snapshot is exactly the journal up to this seq. */
    reply->seq = dbn_store_journal_newest (dbn_service_get_store (service));
    reply->truncated = rows->len > limit;
    reply->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    if (reply->truncated)
        reply->next = g_strdup (((DbnMsgRoutingQueueItem *) g_ptr_array_index (rows, limit - 1))->case_no);
    for (guint i = 0; i < MIN (rows->len, limit); i++) {
        DbnMsgRoutingQueueItem *item = g_ptr_array_index (rows, i);
        const DbnMatter *matter = dbn_catalog_lookup (self->catalog, item->matter);
        item->matter_name = g_strdup (matter ? matter->name_zh : item->matter);
        GBytes *encoded = dbn_msg_routing_queue_item_encode (item, error);
        if (encoded == NULL)
            return NULL;
        g_ptr_array_add (reply->items, encoded);
    }
    return dbn_msg_routing_queue_reply_encode (reply, error);
}

/* D-CAT-3: the configured catalog file, checked against org.ini (a matter
 * whose window the organisation lacks could never be routed), swapped in
 * whole only when both agree; otherwise refused with the file's line and
 * reason, and the catalog in force stays. A read: it runs after the batch,
 * so no command of a batch sees two catalogs. */
static GBytes *
catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    RoutingActions *self = user_data;
    const char *path = dbn_config_get_catalog_path (dbn_service_get_config (service));
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnCatalog) fresh = dbn_catalog_load (path, &local);
    if (fresh == NULL || !dbn_org_check_catalog (self->org, fresh, &local)) {
        g_warning ("catalog reload refused, the catalog in force stays: %s", local->message);
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
    }
    dbn_catalog_free (self->catalog);
    self->catalog = g_steal_pointer (&fresh);
    routing_machine_set_catalog (self->machine, self->catalog);
    g_message ("catalog reloaded from %s: %u matters (by %s)", path,
               dbn_catalog_get_n_matters (self->catalog), dbn_command_get_actor (command));
    g_autoptr (DbnMsgCatalogReloadReply) reply = dbn_msg_catalog_reload_reply_new ();
    reply->path = g_strdup (path);
    reply->matters = dbn_catalog_get_n_matters (self->catalog);
    return dbn_msg_catalog_reload_reply_encode (reply, error);
}

/* Principal kinds besides services and the operator (the frame checks them;
 * the handlers narrow them to the principal's own cases). */
const DbnCommandSpec routing_commands[] = {
    { DBN_MSG_CASE_CLASSIFY_WIRE, case_classify, TRUE, DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_CASE_ASSIGN_WIRE, case_assign, TRUE, DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_CASE_HANDOFF_WIRE, case_handoff, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_START_WIRE, case_start, TRUE, DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_CASE_COMPLETE_WIRE, case_complete, TRUE, DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_CASE_ESCALATE_WIRE, case_escalate, TRUE, DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_CASE_COUNTY_ANSWER_WIRE, case_county_answer, TRUE, DBN_PRINCIPAL_WINDOW },
    /* The village agent refuses, replies and archives at the station too (D-INT-5, D-RPL-1). */
    { DBN_MSG_CASE_RETURN_WIRE, case_return, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_REPLY_WIRE, case_reply_command, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_ARCHIVE_WIRE, case_archive, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_CASE_ACCOMPANY_WIRE, case_accompany, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    /* D-RTE-3: the station makes the sheet, the centre acknowledges. */
    { DBN_MSG_RUNSHEET_NEW_WIRE, routing_runsheet_new, TRUE, DBN_PRINCIPAL_STATION },
    { DBN_MSG_RUNSHEET_ACK_WIRE, routing_runsheet_ack, TRUE, DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_ROUTING_CASE_GET_WIRE, case_get, FALSE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_ROUTING_QUEUE_WIRE, queue_snapshot, FALSE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_CATALOG_RELOAD_WIRE, catalog_reload, FALSE, DBN_PRINCIPAL_SUPERVISOR },
    { NULL, NULL, FALSE, 0 },
};
