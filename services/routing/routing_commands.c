/* routing_commands.c: the commands on a case (D-RTE-*, D-RPL-*) and
 * catalog.reload. A handler only decodes its message into RoutingArgs and
 * hands it to routing_apply (routing_apply.c); the reply says where the case
 * is now.
 */
#include "routing_private.h"

#include <string.h>

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

GBytes *
routing_case_classify (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseClassify) req = ROUTING_DECODE (case_classify, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = {
        .input = ROUTING_INPUT_CLASSIFY, .kind = req->kind, .reason = req->reason, .parts = req->parts
    };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_assign (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseAssign) req = ROUTING_DECODE (case_assign, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = {
        .input = ROUTING_INPUT_ASSIGN, .window = req->window, .agent = req->agent, .reason = req->reason
    };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_handoff (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseHandoff) req = ROUTING_DECODE (case_handoff, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_HANDOFF, .to = req->to, .reason = req->reason };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_start (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseStart) req = ROUTING_DECODE (case_start, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_START };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_complete (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseComplete) req = ROUTING_DECODE (case_complete, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_COMPLETE,
                         .part = req->part,
                         .result = req->result,
                         .unaccompanied = req->unaccompanied };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_escalate (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseEscalate) req = ROUTING_DECODE (case_escalate, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_ESCALATE, .county = req->county, .reason = req->reason };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_county_answer (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseCountyAnswer) req = ROUTING_DECODE (case_county_answer, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_COUNTY_ANSWER,
                         .answer = req->answer,
                         .approved = req->approved };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_return (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseReturn) req = ROUTING_DECODE (case_return, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_RETURN, .reason = req->reason, .apply_to = req->apply_to };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_reply_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseReply) req = ROUTING_DECODE (case_reply, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_REPLY,
                         .result = req->result,
                         .reason = req->reason,
                         .has_satisfied = req->has_satisfied,
                         .satisfied = req->satisfied,
                         .has_confirmed = req->has_confirmed,
                         .confirmed = req->confirmed,
                         .has_fee_charged = req->has_fee_charged,
                         .fee_charged = req->fee_charged };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_archive (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseArchive) req = ROUTING_DECODE (case_archive, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_ARCHIVE };
    return apply_command (user_data, command, req->case_no, &args, error);
}

GBytes *
routing_case_accompany (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    g_autoptr (DbnMsgCaseAccompany) req = ROUTING_DECODE (case_accompany, command, error);
    if (req == NULL)
        return NULL;
    RoutingArgs args = { .input = ROUTING_INPUT_ACCOMPANY, .note = req->note };
    return apply_command (user_data, command, req->case_no, &args, error);
}

/* D-CAT-3: the configured catalog file, checked against org.ini (a matter
 * whose window the organisation lacks could never be routed), swapped in
 * whole only when both agree; otherwise refused with the file's line and
 * reason, and the catalog in force stays. A read: it runs after the batch,
 * so no command of a batch sees two catalogs. */
GBytes *
routing_catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
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
