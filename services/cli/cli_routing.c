/* cli_routing.c: `daiban case <routing command>`, `daiban runsheet`,
 * `daiban queue`: the operator's side of daiban-routing.
 *
 * The case commands differ only in their options and message, so they are
 * rows of one table: name, the options it takes (a bit mask over one
 * option list), which are required, and a builder that fills the message.
 * Parsing, calling routing, printing and exit statuses are shared. Every
 * command takes --key (a retry with the same key gets the first answer),
 * --actor (who acts, until CURVE principals say it), --json and --data.
 *
 * Output: the first line of a case command is the case number and where
 * it is now; `runsheet new` prints the sheet id alone on its first line
 * (scripts read it, as they read the case number of `case submit`).
 */
#include "cli_routing.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

typedef struct {
    char *data;         /* --data */
    char *key;          /* --key */
    char *actor;        /* --actor */
    gboolean json;      /* --json */
    char *kind;         /* classify */
    char *reason;       /* classify, assign, handoff, escalate, return, reply */
    char *parts;        /* classify: comma-separated departments */
    char *window;       /* assign */
    char *agent;        /* assign */
    char *to;           /* handoff */
    char *part;         /* complete */
    char *result;       /* complete, reply */
    char *county;       /* escalate */
    char *answer;       /* county-answer */
    gboolean approved;  /* county-answer */
    gboolean refused;   /* county-answer */
    char *apply_to;     /* return */
    char *rating;       /* reply: satisfied | basic | unsatisfied, to evaluation */
    gboolean confirmed; /* reply */
    char *note;         /* accompany */
    char *fee;          /* reply: D-AUD-3, the fee charged in yuan */
} CaseOptions;

static void
case_options_clear (CaseOptions *o)
{
    char **strings[] = { &o->data,   &o->key,      &o->actor,  &o->kind, &o->reason, &o->parts,
                         &o->window, &o->agent,    &o->to,     &o->part, &o->result, &o->county,
                         &o->answer, &o->apply_to, &o->rating, &o->note, &o->fee };
    for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
        g_clear_pointer (strings[i], g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaseOptions, case_options_clear)

enum {
    O_KIND = 1 << 0,
    O_REASON = 1 << 1,
    O_PARTS = 1 << 2,
    O_WINDOW = 1 << 3,
    O_AGENT = 1 << 4,
    O_TO = 1 << 5,
    O_PART = 1 << 6,
    O_RESULT = 1 << 7,
    O_COUNTY = 1 << 8,
    O_ANSWER = 1 << 9,
    O_APPROVED = 1 << 10,
    O_REFUSED = 1 << 11,
    O_APPLY_TO = 1 << 12,
    O_RATING = 1 << 13,
    O_CONFIRMED = 1 << 14,
    O_NOTE = 1 << 15,
    O_FEE = 1 << 16,
};

typedef struct {
    guint bit;        /* O_* */
    const char *name; /* long option */
    GOptionArg arg;   /* string or flag */
    gsize offset;     /* of the field in CaseOptions */
    const char *help;
    const char *arg_description;
} OptionSpec;

static const OptionSpec option_specs[] = {
    { O_KIND, "kind", G_OPTION_ARG_STRING, offsetof (CaseOptions, kind),
      "immediate 即办 | committed 承办 | joint 联办 | escalated 上报 | returned 退回", "KIND" },
    { O_REASON, "reason", G_OPTION_ARG_STRING, offsetof (CaseOptions, reason), "Why (理由)", "TEXT" },
    { O_PARTS, "parts", G_OPTION_ARG_STRING, offsetof (CaseOptions, parts),
      "Joint: the departments, comma-separated (default: the catalog's)", "A,B,..." },
    { O_WINDOW, "window", G_OPTION_ARG_STRING, offsetof (CaseOptions, window), "Window id (窗口)", "ID" },
    { O_AGENT, "agent", G_OPTION_ARG_STRING, offsetof (CaseOptions, agent), "Township agent id (乡级代办员)",
      "ID" },
    { O_TO, "to", G_OPTION_ARG_STRING, offsetof (CaseOptions, to),
      "window:ID, agent:ID, county:ID or station:ID (转交给)", "WHO" },
    { O_PART, "part", G_OPTION_ARG_STRING, offsetof (CaseOptions, part),
      "Joint: the department whose part is done", "DEPT" },
    { O_RESULT, "result", G_OPTION_ARG_STRING, offsetof (CaseOptions, result), "The result (办理结果)",
      "TEXT" },
    { O_COUNTY, "county", G_OPTION_ARG_STRING, offsetof (CaseOptions, county),
      "County department id (default: the matter's)", "ID" },
    { O_ANSWER, "answer", G_OPTION_ARG_STRING, offsetof (CaseOptions, answer),
      "The county's answer (县级答复)", "TEXT" },
    { O_APPROVED, "approved", G_OPTION_ARG_NONE, offsetof (CaseOptions, approved), "The county approved",
      NULL },
    { O_REFUSED, "refused", G_OPTION_ARG_NONE, offsetof (CaseOptions, refused), "The county refused", NULL },
    { O_APPLY_TO, "apply-to", G_OPTION_ARG_STRING, offsetof (CaseOptions, apply_to),
      "Where the applicant can apply instead (告知去处)", "WHERE" },
    { O_RATING, "rating", G_OPTION_ARG_STRING, offsetof (CaseOptions, rating),
      "The applicant's rating, sent to evaluation (满意/基本满意/不满意, D-EV-1)",
      "satisfied|basic|unsatisfied" },
    { O_CONFIRMED, "confirmed", G_OPTION_ARG_NONE, offsetof (CaseOptions, confirmed),
      "The applicant signed the completion card (落实卡签字)", NULL },
    { O_NOTE, "note", G_OPTION_ARG_STRING, offsetof (CaseOptions, note), "Where and with whom (陪同情况)",
      "TEXT" },
    { O_FEE, "fee", G_OPTION_ARG_STRING, offsetof (CaseOptions, fee),
      "The fee actually charged, in yuan, 0 when free (实收费用, D-AUD-3)", "YUAN" },
};

static void
fill_env (DbnEnvCommand *env, const CaseOptions *o)
{
    env->key = o->key ? g_strdup (o->key) : g_uuid_string_random ();
    env->actor = g_strdup (o->actor ? o->actor : "cli");
}

/* Builders: the message of one command. NULL with G_OPTION_ERROR for a
 * usage problem, or with the encoder's error. */
typedef GBytes *(*BuildFunc) (const CaseOptions *o, const char *case_no, GError **error);

static GBytes *
build_classify (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseClassify) m = dbn_msg_case_classify_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->kind = g_strdup (o->kind);
    m->reason = g_strdup (o->reason);
    m->parts = o->parts ? cli_split_list (o->parts) : NULL;
    return dbn_msg_case_classify_encode (m, error);
}

static GBytes *
build_assign (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseAssign) m = dbn_msg_case_assign_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->window = g_strdup (o->window);
    m->agent = g_strdup (o->agent);
    m->reason = g_strdup (o->reason);
    return dbn_msg_case_assign_encode (m, error);
}

static GBytes *
build_handoff (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseHandoff) m = dbn_msg_case_handoff_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->to = g_strdup (o->to);
    m->reason = g_strdup (o->reason);
    return dbn_msg_case_handoff_encode (m, error);
}

static GBytes *
build_start (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseStart) m = dbn_msg_case_start_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    return dbn_msg_case_start_encode (m, error);
}

static GBytes *
build_complete (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseComplete) m = dbn_msg_case_complete_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->part = g_strdup (o->part);
    m->result = g_strdup (o->result);
    return dbn_msg_case_complete_encode (m, error);
}

static GBytes *
build_escalate (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseEscalate) m = dbn_msg_case_escalate_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->county = g_strdup (o->county);
    m->reason = g_strdup (o->reason);
    return dbn_msg_case_escalate_encode (m, error);
}

static GBytes *
build_county_answer (const CaseOptions *o, const char *case_no, GError **error)
{
    if (o->approved == o->refused) {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                     "give --approved or --refused / 请注明同意或不同意");
        return NULL;
    }
    g_autoptr (DbnMsgCaseCountyAnswer) m = dbn_msg_case_county_answer_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->answer = g_strdup (o->answer);
    m->approved = o->approved;
    return dbn_msg_case_county_answer_encode (m, error);
}

static GBytes *
build_return (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseReturn) m = dbn_msg_case_return_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->reason = g_strdup (o->reason);
    m->apply_to = g_strdup (o->apply_to);
    return dbn_msg_case_return_encode (m, error);
}

static GBytes *
build_reply (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseReply) m = dbn_msg_case_reply_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->result = g_strdup (o->result);
    m->reason = g_strdup (o->reason);
    /* D-EV-1: the rating has three levels and goes to evaluation after the
     * reply (run_case_command), not as routing's yes/no, which counted
     * 基本满意 as 满意. */
    if (o->rating != NULL && g_strcmp0 (o->rating, "satisfied") != 0 && g_strcmp0 (o->rating, "basic") != 0
        && g_strcmp0 (o->rating, "unsatisfied") != 0) {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--rating takes satisfied, basic or unsatisfied, not '%s'", o->rating);
        return NULL;
    }
    if (o->confirmed) {
        m->has_confirmed = TRUE;
        m->confirmed = TRUE;
    }
    if (o->fee != NULL) {
        if (!dbn_text_parse_yuan (o->fee, &m->fee_charged)) {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "--fee takes yuan such as 0, 20 or 12.50, not '%s' / 请以元填写实收费用", o->fee);
            return NULL;
        }
        m->has_fee_charged = TRUE;
    }
    return dbn_msg_case_reply_encode (m, error);
}

static GBytes *
build_archive (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseArchive) m = dbn_msg_case_archive_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    return dbn_msg_case_archive_encode (m, error);
}

static GBytes *
build_accompany (const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgCaseAccompany) m = dbn_msg_case_accompany_new ();
    fill_env (&m->env, o);
    m->case_no = g_strdup (case_no);
    m->note = g_strdup (o->note);
    return dbn_msg_case_accompany_encode (m, error);
}

typedef struct {
    const char *name;    /* subcommand */
    const char *summary; /* one line for --help */
    guint options;       /* O_* it takes */
    guint required;      /* O_* it needs */
    BuildFunc build;
} CaseCommand;

static const CaseCommand case_commands[] = {
    { "classify", "分类（即办/承办/联办/上报/退回）/ classify (D-RTE-2)", O_KIND | O_REASON | O_PARTS,
      O_KIND | O_REASON, build_classify },
    { "assign", "交办窗口或乡级代办员 / assign to a window or township agent (D-RTE-1)",
      O_WINDOW | O_AGENT | O_REASON, 0, build_assign },
    { "handoff", "转交并登记 / hand over, registered (D-RTE-5)", O_TO | O_REASON, O_TO | O_REASON,
      build_handoff },
    { "start", "开始办理 / start handling", 0, 0, build_start },
    { "complete", "办结（联办件：一个部门）/ complete (joint: one part)", O_PART | O_RESULT, 0,
      build_complete },
    { "escalate", "上报县级部门 / escalate to the county (D-RTE-1)", O_COUNTY | O_REASON, 0, build_escalate },
    { "county-answer", "登记县级答复 / record the county's answer", O_ANSWER | O_APPROVED | O_REFUSED,
      O_ANSWER, build_county_answer },
    { "return", "退回并书面说明 / return with a written reason (D-INT-5)", O_REASON | O_APPLY_TO,
      O_REASON | O_APPLY_TO, build_return },
    { "reply", "回复申办人 / reply to the applicant (D-RPL-1/2)",
      O_RESULT | O_REASON | O_RATING | O_CONFIRMED | O_FEE, 0, build_reply },
    { "archive", "建档（此后只读）/ archive, read-only afterwards (D-RPL-4)", 0, 0, build_archive },
    { "accompany", "登记带领当事人办理 / record accompanying the applicant (D-RTE-4)", O_NOTE, 0,
      build_accompany },
};

static char *usage_lines;

const char *
cli_routing_case_usage (void)
{
    if (usage_lines == NULL) {
        GString *s = g_string_new (NULL);
        for (gsize i = 0; i < G_N_ELEMENTS (case_commands); i++)
            g_string_append_printf (s, "  %-14s %s\n", case_commands[i].name, case_commands[i].summary);
        g_string_append_printf (s, "  %-14s %s\n", "timeline", "流转状态与经过 / routing state and timeline");
        usage_lines = g_string_free (s, FALSE);
    }
    return usage_lines;
}

gboolean
cli_routing_is_case_command (const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS (case_commands); i++)
        if (g_strcmp0 (case_commands[i].name, name) == 0)
            return TRUE;
    return g_strcmp0 (name, "timeline") == 0;
}

static void
add_common_entries (GOptionContext *options, CaseOptions *o, gboolean writes)
{
    GOptionEntry common[] = {
        { "key", 0, 0, G_OPTION_ARG_STRING, &o->key,
          "Idempotency key: repeat it to retry safely (default: random)", "KEY" },
        { "actor", 0, 0, G_OPTION_ARG_STRING, &o->actor,
          "Who acts, e.g. window:shebao (default: cli; a CURVE key overrides it)", "WHO" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print JSON (机器可读)", NULL },
        { NULL },
    };
    /* Reads take neither a key nor an actor. */
    g_option_context_add_main_entries (options, writes ? common : common + 2, NULL);
    cli_add_data_option (options, &o->data);
}

/* D-EV-1: the reply's rating to evaluation, stage "reply", under the key
 * <reply's key>/rating. */
static gboolean
send_rating (CliContext *ctx, const CaseOptions *o, const char *case_no, GError **error)
{
    g_autoptr (DbnMsgEvalRate) m = dbn_msg_eval_rate_new ();
    m->env.key = g_strdup_printf ("%s/rating", o->key);
    m->env.actor = g_strdup (o->actor ? o->actor : "cli");
    m->case_no = g_strdup (case_no);
    m->stage = g_strdup ("reply");
    m->level = g_strdup (o->rating);
    g_autoptr (GBytes) body = dbn_msg_eval_rate_encode (m, error);
    g_autoptr (GBytes) reply = body ? cli_call (ctx, "evaluation", body, 3, error) : NULL;
    return reply != NULL;
}

static int
run_case_command (const CaseCommand *cmd, int argc, char **argv, const char *data_option)
{
    g_auto (CaseOptions) o = { .data = g_strdup (data_option) };
    g_autofree char *parameter = g_strdup_printf ("NUMBER — %s", cmd->summary);
    g_autoptr (GOptionContext) options = g_option_context_new (parameter);
    GOptionEntry entries[G_N_ELEMENTS (option_specs) + 1];
    guint n = 0;
    for (gsize i = 0; i < G_N_ELEMENTS (option_specs); i++) {
        const OptionSpec *spec = &option_specs[i];
        if (!(cmd->options & spec->bit))
            continue;
        entries[n++] =
            (GOptionEntry){ spec->name,           0, 0, spec->arg, (char *) &o + spec->offset, spec->help,
                            spec->arg_description };
    }
    entries[n] = (GOptionEntry){ NULL };
    g_option_context_add_main_entries (options, entries, NULL);
    add_common_entries (options, &o, TRUE);
    g_autofree char *what = g_strdup_printf ("case %s", cmd->name);
    g_autoptr (GError) error = NULL;
    int status = CLI_EXIT_OK;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        fprintf (stderr, "daiban %s: %s\n", what, error->message);
        return CLI_EXIT_USAGE;
    }
    if (argc != 2) {
        fprintf (stderr, "daiban %s: give one case number / 请给出一个案件编号\n", what);
        return CLI_EXIT_USAGE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS (option_specs); i++) {
        const OptionSpec *spec = &option_specs[i];
        if ((cmd->required & spec->bit) && *(char **) ((char *) &o + spec->offset) == NULL) {
            fprintf (stderr, "daiban %s: --%s is required / 缺少 --%s\n", what, spec->name, spec->name);
            return CLI_EXIT_USAGE;
        }
    }
    /* One key for the reply and its rating (the rating's is derived), so a
     * retry with --key sends both again and each counts once. */
    if (o.key == NULL)
        o.key = g_uuid_string_random ();
    g_autoptr (GBytes) body = cmd->build (&o, argv[1], &error);
    if (body == NULL) {
        if (error->domain != G_OPTION_ERROR)
            return cli_report_error (what, error);
        fprintf (stderr, "daiban %s: %s\n", what, error->message);
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliContext) ctx = cli_context_new (o.data, &error);
    if (ctx == NULL)
        return cli_report_error (what, error);
    g_autoptr (GBytes) reply_bytes = cli_call (ctx, "routing", body, 3, &error);
    g_autoptr (DbnMsgRoutingCaseReply) reply =
        reply_bytes ? dbn_msg_routing_case_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                         g_bytes_get_size (reply_bytes), &error)
                    : NULL;
    if (reply == NULL)
        return cli_report_error (what, error);
    if (o.rating != NULL && !send_rating (ctx, &o, reply->case_no, &error)) {
        fprintf (stderr,
                 "daiban %s: 已回复，评价未送达，请用同一 --key %s 重试 / replied; the rating did not reach "
                 "evaluation: retry with --key %s\n",
                 what, o.key, o.key);
        return cli_report_error ("eval.rate", error);
    }
    if (o.json)
        status = cli_print_json (reply_bytes, what);
    else
        printf ("%s  状态 state: %s  类别 kind: %s  位置 location: %s\n", reply->case_no, reply->state,
                reply->kind, reply->location);
    return status;
}

/* ---- reading a case ---- */

/* Pads a label to 24 terminal columns (a Chinese character is two). */
static void
print_row (const char *label, const char *value)
{
    int width = 0;
    for (const char *p = label; *p; p = g_utf8_next_char (p))
        width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
    printf ("%s%*s %s\n", label, MAX (0, 24 - width), "", value && *value ? value : "—");
}

static JsonNode *
frame_to_json (GBytes *frame, GError **error)
{
    g_autofree char *text =
        dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), error);
    if (text == NULL)
        return NULL;
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (!json_parser_load_from_data (parser, text, -1, error))
        return NULL;
    return json_node_copy (json_parser_get_root (parser));
}

static const char *
member (JsonObject *o, const char *name)
{
    JsonNode *node = json_object_get_member (o, name);
    return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
               ? json_node_get_string (node)
               : NULL;
}

/* One line per event: seq, time, type, actor, and what it says. */
static void
print_timeline_line (GBytes *frame)
{
    g_autoptr (JsonNode) root = frame_to_json (frame, NULL);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        return;
    JsonObject *o = json_node_get_object (root);
    g_autofree char *when = cli_format_time (json_object_get_int_member_with_default (o, "ts", 0));
    GString *detail = g_string_new (NULL);
    const char *from = member (o, "from"), *to = member (o, "to");
    if (from || to)
        g_string_append_printf (detail, "%s → %s  ", from ? from : "?", to ? to : member (o, "holder"));
    /* Every event carries the kind; it is news only when classified. */
    if (g_strcmp0 (member (o, "type"), "case.classified") == 0)
        g_string_append_printf (detail, "kind=%s  ", member (o, "kind"));
    /* D-AUD-5: a correction reads as one; the earlier value stays beside it. */
    if (g_strcmp0 (member (o, "type"), "case.correction") == 0)
        g_string_append (detail, "更正 CORRECTION  ");
    static const char *const keys[] = { "previous", "part",   "county", "answer",   "outcome",
                                        "text",     "result", "reason", "apply_to", "note",
                                        "sheet",    "field",  "value",  NULL };
    for (int i = 0; keys[i] != NULL; i++) {
        const char *value = member (o, keys[i]);
        if (value != NULL && *value != '\0')
            g_string_append_printf (detail, "%s=%s  ", keys[i], value);
    }
    if (json_object_has_member (o, "fee_charged"))
        g_string_append_printf (detail, "fee_charged=%" G_GINT64_FORMAT "fen  ",
                                json_object_get_int_member (o, "fee_charged"));
    if (json_object_has_member (o, "approved"))
        g_string_append_printf (detail, "approved=%s  ",
                                json_object_get_boolean_member (o, "approved") ? "yes" : "no");
    printf ("  %-6" G_GINT64_FORMAT " %s  %-22s %-20s %s\n",
            json_object_get_int_member_with_default (o, "seq", 0), when, member (o, "type"),
            member (o, "actor"), detail->str);
    g_string_free (detail, TRUE);
}

static GBytes *
call_case_get (CliContext *ctx, const char *case_no, guint attempts, GError **error)
{
    g_autoptr (DbnMsgRoutingCaseGet) cmd = dbn_msg_routing_case_get_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (cmd, error);
    return body ? cli_call (ctx, "routing", body, attempts, error) : NULL;
}

static void
print_routing_case (const DbnMsgRoutingCaseGetReply *c)
{
    g_autofree char *location = c->sheet && g_strcmp0 (c->location, "in_transit") == 0
                                    ? g_strdup_printf ("in_transit 在途 (%s)", c->sheet)
                                    : g_strdup (c->location);
    g_autofree char *parts = NULL;
    if (c->parts != NULL && c->parts[0] != NULL) {
        GString *s = g_string_new (NULL);
        for (int i = 0; c->parts[i] != NULL; i++)
            g_string_append_printf (s, "%s%s%s", i ? "、" : "", c->parts[i],
                                    g_strv_contains ((const char *const *) c->parts_done, c->parts[i]) ? " ✓"
                                                                                                       : "");
        parts = g_string_free (s, FALSE);
    }
    print_row ("流转状态 Routing state", c->state);
    print_row ("办理类别 Kind", c->kind);
    print_row ("窗口 Window", c->window);
    print_row ("代办站 Station", c->station);
    print_row ("片区 Area", c->area);
    print_row ("当前经办 Holder", c->holder);
    print_row ("首问责任人 Responsible", c->responsible);
    print_row ("材料位置 Location", location);
    if (parts != NULL)
        print_row ("联办部门 Parts", parts);
    if (c->county)
        print_row ("上报部门 County", c->county);
    if (c->accompanied)
        print_row ("带领办理 Accompanied", "是 yes");
    if (c->outcome)
        print_row ("回复结果 Outcome", c->outcome);
    printf ("经过 Timeline:\n");
    for (guint i = 0; i < c->timeline->len; i++)
        print_timeline_line (g_ptr_array_index (c->timeline, i));
}

void
cli_routing_print_case (CliContext *ctx, const char *case_no)
{
    g_autoptr (GError) error = NULL;
    /* One try: `case show` must not wait long on a routing that is down. */
    g_autoptr (GBytes) reply_bytes = call_case_get (ctx, case_no, 1, &error);
    g_autoptr (DbnMsgRoutingCaseGetReply) c =
        reply_bytes ? dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                             g_bytes_get_size (reply_bytes), &error)
                    : NULL;
    if (c == NULL) {
        if (g_error_matches (error, DBN_ERROR, DBN_ERROR_TIMEOUT))
            print_row ("流转状态 Routing state", "无法连接 routing / routing not reachable");
        else if (dbn_error_matches_wire (error, "not-found"))
            print_row ("流转状态 Routing state", "尚未流转 / not routed yet");
        else
            print_row ("流转状态 Routing state", error->message);
        return;
    }
    print_routing_case (c);
}

static int
case_timeline (int argc, char **argv, const char *data_option)
{
    g_auto (CaseOptions) o = { .data = g_strdup (data_option) };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("NUMBER — 流转状态与经过 / routing state and timeline");
    g_option_context_set_description (
        options, "The case as routing holds it: state, kind, holder, the first acceptor who stays\n"
                 "responsible (D-INT-6), where the papers are (in transit until the centre\n"
                 "acknowledges the run sheet item), and every event with who, when and why.\n"
                 "--json prints routing.case.get with the timeline as an array of events.");
    add_common_entries (options, &o, FALSE);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || argc != 2) {
        fprintf (stderr, "daiban case timeline: %s\n",
                 error ? error->message : "give one case number / 请给出一个案件编号");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliContext) ctx = cli_context_new (o.data, &error);
    g_autoptr (GBytes) reply_bytes = ctx ? call_case_get (ctx, argv[1], 2, &error) : NULL;
    g_autoptr (DbnMsgRoutingCaseGetReply) c =
        reply_bytes ? dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                             g_bytes_get_size (reply_bytes), &error)
                    : NULL;
    if (c == NULL)
        return cli_report_error ("case timeline", error);
    if (o.json) {
        g_autoptr (JsonNode) root = frame_to_json (reply_bytes, &error);
        if (root == NULL)
            return cli_report_error ("case timeline", error);
        /* Events as objects, not the base64 of their frames. */
        JsonArray *timeline = json_array_new ();
        for (guint i = 0; i < c->timeline->len; i++) {
            JsonNode *ev = frame_to_json (g_ptr_array_index (c->timeline, i), NULL);
            if (ev != NULL)
                json_array_add_element (timeline, ev);
        }
        json_object_set_array_member (json_node_get_object (root), "timeline", timeline);
        g_autofree char *text = json_to_string (root, FALSE);
        printf ("%s\n", text);
    } else {
        print_row ("案件编号 Case", c->case_no);
        g_autofree char *matter = g_strdup_printf ("%s %s", c->matter, c->matter_name);
        print_row ("事项 Matter", matter);
        print_routing_case (c);
    }
    return CLI_EXIT_OK;
}

int
cli_routing_case (int argc, char **argv, const char *data_option)
{
    if (g_strcmp0 (argv[0], "timeline") == 0)
        return case_timeline (argc, argv, data_option);
    for (gsize i = 0; i < G_N_ELEMENTS (case_commands); i++)
        if (g_strcmp0 (case_commands[i].name, argv[0]) == 0)
            return run_case_command (&case_commands[i], argc, argv, data_option);
    return CLI_EXIT_USAGE;
}

/* ---- run sheets ---- */

static const char runsheet_usage[] =
    "用法 Usage: daiban runsheet COMMAND [OPTIONS]\n"
    "  new STATION        把代办站待送事项汇成交接清单 / gather a station's matters into a run sheet "
    "(D-RTE-3)\n"
    "  ack SHEET CASE...  中心逐件签收 / the centre acknowledges items one by one\n"
    "Each takes --help.\n";

static int
runsheet_new (int argc, char **argv, const char *data_option)
{
    g_auto (CaseOptions) o = { .data = g_strdup (data_option) };
    g_autofree char *date = NULL;
    GOptionEntry entries[] = {
        { "date", 0, 0, G_OPTION_ARG_STRING, &date,
          "Trip date YYYY-MM-DD (default: the station's next run day)", "DATE" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("STATION — 生成交接清单 / make a run sheet");
    g_option_context_set_description (
        options, "Gathers every matter of the station whose papers wait there (village-level\n"
                 "matters are decided at the station and stay) into a run sheet for the\n"
                 "agent's next trip day (org.ini `days`, Sunday and Wednesday by default).\n"
                 "Prints the sheet id alone on the first line, then the date and the cases.");
    g_option_context_add_main_entries (options, entries, NULL);
    add_common_entries (options, &o, TRUE);
    g_autoptr (GError) error = NULL;
    int status = CLI_EXIT_OK;
    if (!g_option_context_parse (options, &argc, &argv, &error) || argc != 2) {
        fprintf (stderr, "daiban runsheet new: %s\n",
                 error ? error->message : "give one station id / 请给出代办站");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgRunsheetNew) cmd = dbn_msg_runsheet_new_new ();
    fill_env (&cmd->env, &o);
    cmd->station = g_strdup (argv[1]);
    cmd->date = g_strdup (date);
    g_autoptr (GBytes) body = dbn_msg_runsheet_new_encode (cmd, &error);
    g_autoptr (CliContext) ctx = body ? cli_context_new (o.data, &error) : NULL;
    g_autoptr (GBytes) reply_bytes = ctx ? cli_call (ctx, "routing", body, 3, &error) : NULL;
    g_autoptr (DbnMsgRunsheetNewReply) reply =
        reply_bytes ? dbn_msg_runsheet_new_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                         g_bytes_get_size (reply_bytes), &error)
                    : NULL;
    if (reply == NULL)
        return cli_report_error ("runsheet new", error);
    printf ("%s\n", reply->sheet);
    if (o.json) {
        status = cli_print_json (reply_bytes, "runsheet new");
    } else {
        g_autofree char *cases = g_strjoinv ("、", reply->cases);
        printf ("日期 date: %s  代办站 station: %s\n在途 in transit: %s\n", reply->date, reply->station,
                cases);
    }
    return status;
}

static int
runsheet_ack (int argc, char **argv, const char *data_option)
{
    g_auto (CaseOptions) o = { .data = g_strdup (data_option) };
    g_autoptr (GOptionContext) options =
        g_option_context_new ("SHEET CASE... — 逐件签收 / acknowledge items");
    g_option_context_set_description (
        options, "Acknowledges each case of the run sheet as received at the centre (a\n"
                 "registered handoff from the station, D-RTE-5). Items not acknowledged stay\n"
                 "in transit. With --key, each case uses KEY-<case> so a retry is safe.");
    add_common_entries (options, &o, TRUE);
    g_autoptr (GError) error = NULL;
    int status = CLI_EXIT_OK;
    if (!g_option_context_parse (options, &argc, &argv, &error) || argc < 3) {
        fprintf (stderr, "daiban runsheet ack: %s\n",
                 error ? error->message : "give a sheet and one or more cases / 请给出清单号和案件编号");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliContext) ctx = cli_context_new (o.data, &error);
    if (ctx == NULL)
        return cli_report_error ("runsheet ack", error);
    for (int i = 2; i < argc && status == CLI_EXIT_OK; i++) {
        g_autoptr (DbnMsgRunsheetAck) cmd = dbn_msg_runsheet_ack_new ();
        cmd->env.key = o.key ? g_strdup_printf ("%s-%s", o.key, argv[i]) : g_uuid_string_random ();
        cmd->env.actor = g_strdup (o.actor ? o.actor : "cli");
        cmd->sheet = g_strdup (argv[1]);
        cmd->case_no = g_strdup (argv[i]);
        g_autoptr (GBytes) body = dbn_msg_runsheet_ack_encode (cmd, &error);
        g_autoptr (GBytes) reply_bytes = body ? cli_call (ctx, "routing", body, 3, &error) : NULL;
        g_autoptr (DbnMsgRunsheetAckReply) reply =
            reply_bytes ? dbn_msg_runsheet_ack_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                             g_bytes_get_size (reply_bytes), &error)
                        : NULL;
        if (reply == NULL)
            status = cli_report_error ("runsheet ack", error);
        else if (o.json)
            status = cli_print_json (reply_bytes, "runsheet ack");
        else
            printf ("%s  已签收 acknowledged  在途 still in transit: %" G_GINT64_FORMAT "\n", reply->case_no,
                    reply->remaining);
    }
    return status;
}

int
cli_runsheet (int argc, char **argv, const char *data_option)
{
    static const CliSubcommand subcommands[] = {
        { "new", runsheet_new },
        { "ack", runsheet_ack },
        { NULL, NULL },
    };
    return cli_run_subcommand ("runsheet", runsheet_usage, subcommands, argc, argv, data_option);
}

/* ---- queues ---- */

int
cli_queue (int argc, char **argv, const char *data_option)
{
    g_auto (CaseOptions) o = { .data = g_strdup (data_option) };
    g_autofree char *after = NULL;
    int limit = 0;
    gboolean all = FALSE;
    GOptionEntry entries[] = {
        { "after", 0, 0, G_OPTION_ARG_STRING, &after,
          "Paging: the cases after this case number (the previous page's next)", "NUMBER" },
        { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Paging: at most N cases per page (default and cap 2000)",
          "N" },
        { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Fetch every page (any size of queue)", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("window|station|area ID — 队列 / a queue");
    g_option_context_set_description (
        options, "The open cases of a window (q/ID), a station (s/ID) or an area (a/ID), with\n"
                 "the journal seq the snapshot reflects: a client applies the events of that\n"
                 "topic with a greater seq to stay current (D-RTE-6). A queue longer than a\n"
                 "page comes in pages: --after the `next` case number, or --all.");
    g_option_context_add_main_entries (options, entries, NULL);
    add_common_entries (options, &o, FALSE);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || argc != 3) {
        fprintf (stderr, "daiban queue: %s\n",
                 error ? error->message : "give window|station|area and an id / 请给出队列类型和编号");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (CliContext) ctx = cli_context_new (o.data, &error);
    if (ctx == NULL)
        return cli_report_error ("queue", error);
    g_autoptr (DbnMsgRoutingQueueReply) reply = NULL;
    g_autoptr (GBytes) reply_bytes = NULL;
    g_autoptr (GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    gint64 first_seq = -1;
    /* Pages follow each other by case number (keyset); with --all, until
     * the last. The first page's seq is the one to apply events after. */
    do {
        g_autoptr (DbnMsgRoutingQueue) cmd = dbn_msg_routing_queue_new ();
        cmd->env.key = g_uuid_string_random ();
        cmd->kind = g_strdup (argv[1]);
        cmd->id = g_strdup (argv[2]);
        cmd->after = g_strdup (reply ? reply->next : after);
        cmd->has_limit = limit > 0;
        cmd->limit = limit;
        g_autoptr (GBytes) body = dbn_msg_routing_queue_encode (cmd, &error);
        g_clear_pointer (&reply_bytes, g_bytes_unref);
        reply_bytes = body ? cli_call (ctx, "routing", body, 2, &error) : NULL;
        g_clear_pointer (&reply, dbn_msg_routing_queue_reply_free);
        reply = reply_bytes ? dbn_msg_routing_queue_reply_decode (g_bytes_get_data (reply_bytes, NULL),
                                                                  g_bytes_get_size (reply_bytes), &error)
                            : NULL;
        if (reply == NULL)
            return cli_report_error ("queue", error);
        if (first_seq < 0)
            first_seq = reply->seq;
        for (guint i = 0; i < reply->items->len; i++)
            g_ptr_array_add (frames, g_bytes_ref (g_ptr_array_index (reply->items, i)));
    } while (all && reply->truncated && reply->next != NULL);
    g_autoptr (JsonArray) items = json_array_new ();
    if (!o.json)
        printf ("队列 queue %s %s  seq %" G_GINT64_FORMAT "  %u 件 cases%s%s%s\n", reply->kind, reply->id,
                first_seq, frames->len, reply->truncated ? " (更多 more: --after " : "",
                reply->truncated ? reply->next : "", reply->truncated ? ")" : "");
    for (guint i = 0; i < frames->len; i++) {
        GBytes *frame = g_ptr_array_index (frames, i);
        g_autoptr (DbnMsgRoutingQueueItem) item = dbn_msg_routing_queue_item_decode (
            g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
        if (item == NULL)
            return cli_report_error ("queue", error);
        if (o.json) {
            json_array_add_element (items, frame_to_json (frame, NULL));
            continue;
        }
        g_autofree char *location =
            item->sheet ? g_strdup_printf ("在途 in_transit %s", item->sheet) : g_strdup (item->location);
        printf ("%-16s %-20s %-10s %-16s %-28s %-18s %s\n", item->case_no, item->matter, item->kind,
                item->state, location, item->holder, item->responsible);
    }
    if (o.json) {
        g_autoptr (JsonNode) root = frame_to_json (reply_bytes, &error);
        if (root == NULL)
            return cli_report_error ("queue", error);
        json_object_set_array_member (json_node_get_object (root), "items", json_array_ref (items));
        json_object_set_int_member (json_node_get_object (root), "seq", first_seq);
        g_autofree char *text = json_to_string (root, FALSE);
        printf ("%s\n", text);
    }
    return CLI_EXIT_OK;
}
