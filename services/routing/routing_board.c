/* routing_board.c: the public board (D-AUD-4, 公开; issue 16 item 4).
 *
 * What a board:<id> key may read, and nothing more: a row per open case
 * with its number, matter, state, due date and the applicant masked as
 * 张** (the first character and two stars, whatever the name's length, so
 * the length tells nothing either). No id number, phone, address or full
 * name is ever in it, and a petition (D-INT-8) never appears.
 *
 * The rows are their own events (board.row on topic pub/), journaled beside
 * the case event that changed them: a board cannot be given the case events
 * themselves (they carry the applicant's name), and publish_also sends the
 * same body. One row per change of the public row (a new case, a new
 * state), not per case event, so the journal grows by at most one event per
 * step. The snapshot (routing.board) gives the rows with the seq they
 * reflect; the board applies the later board.row events (the Clone pattern,
 * as a queue does).
 *
 * The due date is the date promised at acceptance (D-DL-4, dbn_promise), the
 * one intake prints on the 承办单 and deadline's committed clock counts.
 */
#include "routing_private.h"

#include <string.h>

/* Journaled without the final '/' (as every topic); published as "pub/". */
#define BOARD_TOPIC "pub"
/* One answer (page) of routing.board carries at most this many rows. */
#define BOARD_MAX 2000

char *
routing_board_mask_name (const char *name)
{
    if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
        return g_strdup ("**");
    const char *second = g_utf8_next_char (name);
    g_autofree char *first = g_strndup (name, (gsize) (second - name));
    return g_strconcat (first, "**", NULL);
}

/* "YYYY-MM-DD", or NULL when no promise is made. */
static char *
due_of (RoutingActions *self, const RoutingCase *c)
{
    if (self->calendar == NULL || c->accepted_at <= 0)
        return NULL;
    const DbnMatter *matter = dbn_catalog_lookup (self->catalog, c->matter);
    gint64 day = dbn_promise_day (self->calendar, c->area, self->promise_setting, self->promise_calendar_days,
                                  matter, c->accepted_at, NULL);
    return day < 0 ? NULL : dbn_promise_day_to_iso (day);
}

static const char *
matter_name (RoutingActions *self, const char *code)
{
    const DbnMatter *matter = dbn_catalog_lookup (self->catalog, code);
    return matter ? matter->name_zh : code;
}

gboolean
routing_board_emit (RoutingActions *self, DbnOrigin *origin, const RoutingCase *c, const RoutingCase *before,
                    GError **error)
{
    /* D-INT-8: a petition is nobody's public business. */
    if (c->restricted)
        return TRUE;
    if (before != NULL && before->state == c->state)
        return TRUE;
    g_autoptr (DbnMsgBoardRow) ev = dbn_msg_board_row_new ();
    dbn_origin_stamp (origin, &ev->env, DBN_MSG_BOARD_ROW_WIRE, c->case_no);
    ev->matter = g_strdup (c->matter);
    ev->matter_name = g_strdup (matter_name (self, c->matter));
    ev->state = g_strdup (routing_state_to_string (c->state));
    ev->applicant = routing_board_mask_name (c->applicant);
    ev->window = g_strdup (c->window ? c->window : "");
    ev->due = due_of (self, c);
    g_autoptr (GBytes) body = dbn_msg_board_row_encode (ev, error);
    const char *topics[] = { BOARD_TOPIC, NULL };
    return body != NULL && dbn_origin_emit (origin, topics, &ev->env, body, error);
}

static gboolean
collect_row (const RoutingCase *c, gpointer user_data)
{
    GPtrArray *rows = user_data;
    g_ptr_array_add (rows, routing_case_copy (c));
    return TRUE;
}

GBytes *
routing_board_snapshot (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    RoutingActions *self = user_data;
    g_autoptr (DbnMsgRoutingBoard) req = ROUTING_DECODE (routing_board, command, error);
    if (req == NULL)
        return NULL;
    guint limit = req->has_limit && req->limit > 0 && req->limit < BOARD_MAX ? (guint) req->limit : BOARD_MAX;
    g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_case_free);
    if (!routing_store_foreach_in_queue (self->store, "public", "", req->after, limit + 1, collect_row, cases,
                                         error))
        return NULL;
    g_autoptr (DbnMsgRoutingBoardReply) reply = dbn_msg_routing_board_reply_new ();
    /* Reads run after the batch commits: the snapshot is the journal up to here. */
    reply->seq = dbn_store_journal_newest (dbn_service_get_store (service));
    reply->truncated = cases->len > limit;
    if (reply->truncated)
        reply->next = g_strdup (((RoutingCase *) g_ptr_array_index (cases, limit - 1))->case_no);
    reply->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < MIN (cases->len, limit); i++) {
        const RoutingCase *c = g_ptr_array_index (cases, i);
        g_autoptr (DbnMsgRoutingBoardItem) item = dbn_msg_routing_board_item_new ();
        item->case_no = g_strdup (c->case_no);
        item->matter = g_strdup (c->matter);
        item->matter_name = g_strdup (matter_name (self, c->matter));
        item->state = g_strdup (routing_state_to_string (c->state));
        item->applicant = routing_board_mask_name (c->applicant);
        item->window = g_strdup (c->window ? c->window : "");
        item->due = due_of (self, c);
        GBytes *encoded = dbn_msg_routing_board_item_encode (item, error);
        if (encoded == NULL)
            return NULL;
        g_ptr_array_add (reply->items, encoded);
    }
    return dbn_msg_routing_board_reply_encode (reply, error);
}
