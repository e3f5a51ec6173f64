/* routing_reads.c: the two reads, run after the batch commits:
 * routing.case.get answers the case with its timeline (its events, straight
 * from the journal), and routing.queue a snapshot of one queue with the
 * journal seq it reflects, so a client applies the later events of its topic
 * on top (the Clone pattern; docs/routing.md). Who may read what: the rule
 * of routing_actions.c; a queue's through dbn_auth_may_read_queue.
 */
#include "routing_private.h"

#include <string.h>

/* One answer (page) of routing.queue carries at most this many cases. */
#define QUEUE_MAX 2000
/* Events of a timeline (schema limit). */
#define TIMELINE_MAX 1000

static gboolean
may_read (DbnCommand *command, const RoutingCase *c, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION:
        if (g_strcmp0 (id, c->station) == 0)
            return TRUE;
        return routing_forbid (error, principal, "read", c->case_no);
    case DBN_PRINCIPAL_SUPERVISOR:
        /* D-INT-8: a petition is not the area's business. */
        if (g_strcmp0 (id, c->area) == 0 && !c->restricted)
            return TRUE;
        return routing_forbid (error, principal, "read", c->case_no);
    case DBN_PRINCIPAL_COUNTY:
        /* Issue 16: a department reads the cases escalated to it. */
        if (g_strcmp0 (id, c->county) == 0 && !c->restricted)
            return TRUE;
        return routing_forbid (error, principal, "read", c->case_no);
    case DBN_PRINCIPAL_WINDOW: {
        /* D-INT-8: only the handling window reads a petition (its own queue
         * or in its hands); any other case, any window (a handoff needs it). */
        g_autofree char *hands = g_strdup_printf ("window:%s", id);
        if (!c->restricted || g_strcmp0 (id, c->window) == 0 || g_strcmp0 (hands, c->holder) == 0)
            return TRUE;
        return routing_forbid (error, principal, "read", c->case_no);
    }
    default: return TRUE;
    }
}

GBytes *
routing_case_get (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
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

GBytes *
routing_queue_snapshot (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
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
    else if (g_strcmp0 (req->kind, "county") == 0) {
        g_autofree char *principal = g_strconcat ("county:", req->id, NULL);
        known = dbn_org_check_principal (self->org, principal, NULL);
    } else {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                     "a queue is of a window, station, area or county, not '%s'", req->kind);
        return NULL;
    }
    if (!known) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET, "no %s '%s' in org.ini", req->kind,
                     req->id);
        return NULL;
    }
    if (!dbn_auth_may_read_queue (dbn_command_get_principal (command), req->kind, req->id, error))
        return NULL;
    /* Paging (keyset): the cases after `after`, at most `limit`; one more is
     * read to know whether the queue goes on. */
    guint limit = req->has_limit && req->limit > 0 && req->limit < QUEUE_MAX ? (guint) req->limit : QUEUE_MAX;
    g_autoptr (GPtrArray) rows =
        g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_msg_routing_queue_item_free);
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
