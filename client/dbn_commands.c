/* dbn_commands.c: helpers the clerk and station views share. */
#include "dbn_commands.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

char *
dbn_command_new_key (void)
{
    return g_uuid_string_random ();
}

const char *
dbn_event_display (const char *type)
{
    static const struct {
        const char *id, *name;
    } names[] = {
        { "case.routed", N_ ("流转登记") },
        { "case.classified", N_ ("分类") },
        { "case.assigned", N_ ("分派") },
        { "case.handed_off", N_ ("移交") },
        { "case.started", N_ ("开始办理") },
        { "case.part_completed", N_ ("部分办结") },
        { "case.completed", N_ ("办结") },
        { "case.escalated", N_ ("上报") },
        { "case.county_answered", N_ ("县级答复") },
        { "case.returned", N_ ("退回") },
        { "case.replied", N_ ("答复申办人") },
        { "case.archived", N_ ("归档") },
        { "case.accompanied", N_ ("陪同办理") },
        { "runsheet.created", N_ ("列入交接清单") },
        { "runsheet.acknowledged", N_ ("中心签收") },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_strcmp0 (type, names[i].id) == 0)
            return _ (names[i].name);
    return type != NULL ? type : "";
}

static const char *
str (JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member (o, name);
    return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
               ? json_node_get_string (n)
               : NULL;
}

char *
dbn_timeline_line (GBytes *event)
{
    gsize len;
    const guint8 *data = g_bytes_get_data (event, &len);
    g_autofree char *json = dbn_codec_to_json (data, len, NULL);
    if (json == NULL)
        return NULL;
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (!json_parser_load_from_data (parser, json, -1, NULL)
        || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return NULL;
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));
    JsonNode *ts = json_object_get_member (o, "ts");
    gint64 ms = ts != NULL && JSON_NODE_HOLDS_VALUE (ts) ? json_node_get_int (ts) : 0;
    g_autoptr (GDateTime) t = dbn_clock_local_from_ms (ms);
    g_autofree char *when = g_date_time_format (t, "%Y-%m-%d %H:%M");
    GString *s = g_string_new (NULL);
    g_string_append_printf (s, "%s  %s  %s", when, dbn_event_display (str (o, "type")),
                            str (o, "actor") ? str (o, "actor") : "");
    const char *extra[] = { "to", "reason", "result", "text", "apply_to", "sheet", "note" };
    for (gsize i = 0; i < G_N_ELEMENTS (extra); i++)
        if (str (o, extra[i]) != NULL && *str (o, extra[i]) != '\0')
            g_string_append_printf (s, "  %s", str (o, extra[i]));
    return g_string_free (s, FALSE);
}

gboolean
dbn_ui_is_english (void)
{
    /* Translated only by en.po: gettext's own choice, as for every label. */
    return g_strcmp0 (_ ("中文"), "中文") != 0;
}

char *
dbn_error_line (const GError *error)
{
    if (g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT))
        return g_strdup (_ ("服务无应答，命令已存入待发箱，恢复后自动发送"));
    /* A service's refusal reads "[code] sentence" already (dbn_connection). */
    if (error->message != NULL && error->message[0] == '[')
        return g_strdup (error->message);
    return g_strdup_printf ("[%s] %s", dbn_error_wire_code (error), error->message);
}
