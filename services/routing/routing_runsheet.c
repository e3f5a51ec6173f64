/* routing_runsheet.c: run sheets (交接清单, D-RTE-3).
 *
 * A village agent carries the station's matters to the township centre on
 * the station's fixed days (org.ini `days`, Sunday and Wednesday by
 * default, 篇1). runsheet.new gathers every case whose papers still wait at
 * the station (the machine's CARRY cell decides which states travel and
 * refuses village-level matters, which the station decides itself) into a
 * sheet dated for the next run day, and moves them in transit. The centre
 * acknowledges each item with runsheet.ack (a handoff from the station to
 * the front desk, D-RTE-5); an item not acknowledged stays in transit, and
 * routing.case.get and the queues show it so.
 *
 * Sheet ids read RS-<yyyymmdd>-<station>-<n>: a person can say them over
 * the phone, and they sort by trip date.
 */
#include "routing_private.h"

#include <stdio.h>
#include <string.h>

/* Items per sheet (schema limit of runsheet.created). */
#define SHEET_MAX 500

/* Today in the office's time zone. */
static GDate *
local_date (gint64 now_ms)
{
    g_autoptr (GDateTime) local = dbn_clock_local_from_ms (now_ms);
    return g_date_new_dmy (g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                           g_date_time_get_year (local));
}

/* The date of the station's next run day, today included. */
static GDate *
next_run_day (const DbnStation *station, gint64 now_ms)
{
    GDate *date = local_date (now_ms);
    /* DBN_RUN_DAYS is never empty (org.ini validation), so a week finds one. */
    for (int i = 0; i < 7 && !dbn_station_runs_on (station, g_date_get_weekday (date)); i++)
        g_date_add_days (date, 1);
    return date;
}

/* Parses YYYY-MM-DD strictly. NULL when it is not a valid date. */
static GDate *
parse_date (const char *text)
{
    int y = 0, m = 0, d = 0, used = 0;
    if (text == NULL || strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3
        || used != 10 || !g_date_valid_dmy (d, m, y))
        return NULL;
    return g_date_new_dmy (d, m, y);
}

static gboolean
collect_case_no (const RoutingCase *c, gpointer user_data)
{
    g_ptr_array_add (user_data, g_strdup (c->case_no));
    return TRUE;
}

GBytes *
routing_runsheet_new (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    RoutingActions *self = user_data;
    g_autoptr (DbnMsgRunsheetNew) req = ROUTING_DECODE (runsheet_new, command, error);
    if (req == NULL)
        return NULL;
    const DbnStation *station = dbn_org_lookup_station (self->org, req->station);
    if (station == NULL) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_UNKNOWN_TARGET, "no station '%s' in org.ini",
                     req->station);
        return NULL;
    }
    /* A station makes its own run sheets only. */
    if (dbn_command_get_principal_kind (command) == DBN_PRINCIPAL_STATION
        && g_strcmp0 (dbn_principal_get_id (dbn_command_get_principal (command)), station->id) != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not make run sheets of station %s",
                     dbn_command_get_principal (command), station->id);
        return NULL;
    }
    DbnOrigin emitter = dbn_command_get_origin (command);
    g_autoptr (GDate) today = local_date (emitter.now_ms);
    g_autoptr (GDate) trip = NULL;
    if (req->date != NULL) {
        trip = parse_date (req->date);
        if (trip == NULL || g_date_compare (trip, today) < 0) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID,
                         "the trip date must be today or later, as YYYY-MM-DD, not '%s'", req->date);
            return NULL;
        }
    } else {
        trip = next_run_day (station, emitter.now_ms);
    }
    char date[11], compact[9];
    g_date_strftime (date, sizeof date, "%Y-%m-%d", trip);
    g_date_strftime (compact, sizeof compact, "%Y%m%d", trip);
    gint64 n = 0;
    if (!routing_store_count_sheets (self->store, station->id, date, &n, error))
        return NULL;
    g_autofree char *sheet = g_strdup_printf ("RS-%s-%s-%" G_GINT64_FORMAT, compact, station->id, n + 1);

    /* Read the candidates first: the cases are rewritten below. */
    g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
    if (!routing_store_foreach_at_station (self->store, station->id, SHEET_MAX, collect_case_no, candidates,
                                           error))
        return NULL;
    g_autoptr (GPtrArray) carried = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_case_free);
    RoutingArgs args = { .input = ROUTING_INPUT_CARRY, .actor = emitter.actor, .sheet = sheet };
    for (guint i = 0; i < candidates->len; i++) {
        g_autoptr (RoutingCase) c =
            routing_store_load_case (self->store, g_ptr_array_index (candidates, i), error);
        if (c == NULL)
            return NULL;
        g_autoptr (GPtrArray) effects = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
        g_autoptr (GError) refused = NULL;
        /* The table says which states travel; the others stay behind. */
        if (routing_machine_step (self->machine, c, &args, effects, &refused))
            g_ptr_array_add (carried, g_steal_pointer (&c));
    }
    /* D-INT-8: petitions travel on a sheet of their own, so the sheet's
     * event (which lists every case and its window) never shows a petition
     * to another window. Ordinary matters go first; the next sheet of the
     * day takes the petitions. */
    gboolean ordinary = FALSE;
    for (guint i = 0; i < carried->len && !ordinary; i++)
        ordinary = !((RoutingCase *) g_ptr_array_index (carried, i))->restricted;
    for (guint i = carried->len; ordinary && i > 0; i--)
        if (((RoutingCase *) g_ptr_array_index (carried, i - 1))->restricted)
            g_ptr_array_remove_index (carried, i - 1);
    if (carried->len == 0) {
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_NOTHING_TO_CARRY,
                     "station %s has no matter waiting to be carried", station->id);
        return NULL;
    }

    g_autoptr (DbnMsgRunsheetCreated) ev = dbn_msg_runsheet_created_new ();
    dbn_origin_stamp (&emitter, &ev->env, DBN_MSG_RUNSHEET_CREATED_WIRE, NULL);
    ev->sheet = g_strdup (sheet);
    ev->station = g_strdup (station->id);
    const DbnArea *area = dbn_org_lookup_area_for_station (self->org, station->id);
    ev->area = g_strdup (area ? area->id : "");
    ev->date = g_strdup (date);
    ev->cases = g_new0 (char *, carried->len + 1);
    ev->windows = g_new0 (char *, carried->len + 1);
    /* Published on the station's and area's topics and on the queue of
     * every window whose matters travel, so each window sees what comes. */
    g_autoptr (GPtrArray) topics = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_add (topics, NULL); /* the station's, below */
    g_ptr_array_add (topics, g_strdup_printf ("a/%s", ev->area));
    for (guint i = 0; i < carried->len; i++) {
        RoutingCase *c = g_ptr_array_index (carried, i);
        /* D-INT-8: a petitions' sheet stays off the area's topic. */
        if (c->restricted)
            *ev->area = '\0';
        ev->cases[i] = g_strdup (c->case_no);
        ev->windows[i] = g_strdup (c->window);
        if (*c->window != '\0')
            g_ptr_array_add (topics, g_strdup_printf ("q/%s", c->window));
    }
    g_ptr_array_add (topics, NULL);
    g_autoptr (GBytes) body = dbn_msg_runsheet_created_encode (ev, error);
    char *primary = body != NULL ? dbn_topic_dup_queue ('s', station->id, error) : NULL;
    if (primary == NULL)
        return NULL;
    topics->pdata[0] = primary;
    if (!*ev->area) /* the area's topic out: the station's comes first still */
        g_ptr_array_remove_index (topics, 1);
    if (!dbn_origin_emit (&emitter, (const char *const *) topics->pdata, &ev->env, body, error)
        || !routing_store_add_sheet (self->store, sheet, station->id, date, emitter.now_ms, emitter.actor,
                                     ev->env.seq, error))
        return NULL;
    for (guint i = 0; i < carried->len; i++) {
        RoutingCase *c = g_ptr_array_index (carried, i);
        c->updated_at = emitter.now_ms;
        c->updated_seq = ev->env.seq;
        if (!routing_store_add_sheet_item (self->store, sheet, c->case_no, error)
            || !routing_store_save_case (self->store, c, error))
            return NULL;
    }

    g_autoptr (DbnMsgRunsheetNewReply) reply = dbn_msg_runsheet_new_reply_new ();
    reply->sheet = g_strdup (sheet);
    reply->station = g_strdup (station->id);
    reply->date = g_strdup (date);
    reply->cases = g_strdupv (ev->cases);
    return dbn_msg_runsheet_new_reply_encode (reply, error);
}

GBytes *
routing_runsheet_ack (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    RoutingActions *self = user_data;
    g_autoptr (DbnMsgRunsheetAck) req = ROUTING_DECODE (runsheet_ack, command, error);
    if (req == NULL)
        return NULL;
    DbnOrigin emitter = dbn_command_get_origin (command);
    g_autoptr (RoutingCase) c = routing_store_load_case (self->store, req->case_no, error);
    if (c == NULL)
        return NULL;
    g_autoptr (GPtrArray) effects = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
    RoutingArgs args = { .input = ROUTING_INPUT_ACKNOWLEDGE, .actor = emitter.actor, .sheet = req->sheet };
    if (!routing_machine_step (self->machine, c, &args, effects, error))
        return NULL;
    gboolean found = FALSE;
    gint64 remaining = 0;
    if (!routing_store_ack_item (self->store, req->sheet, req->case_no, emitter.now_ms, emitter.actor, &found,
                                 error)
        || !routing_store_count_in_transit (self->store, req->sheet, &remaining, error))
        return NULL;
    if (!found) {
        /* The case says it travels on this sheet but the sheet disagrees:
         * refuse rather than acknowledge half. */
        g_set_error (error, ROUTING_ERROR, ROUTING_ERROR_NOT_ON_SHEET,
                     "run sheet %s has no item %s in transit", req->sheet, req->case_no);
        return NULL;
    }
    for (guint i = 0; i < effects->len; i++)
        ((RoutingEffect *) g_ptr_array_index (effects, i))->remaining = remaining;
    if (!routing_commit_case (self, &emitter, c, effects, error))
        return NULL;
    g_autoptr (DbnMsgRunsheetAckReply) reply = dbn_msg_runsheet_ack_reply_new ();
    reply->sheet = g_strdup (req->sheet);
    reply->case_no = g_strdup (req->case_no);
    reply->remaining = remaining;
    reply->seq = emitter.last_seq;
    return dbn_msg_runsheet_ack_reply_encode (reply, error);
}
