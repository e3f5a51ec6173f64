/* dbn_clerk_view.c: the window clerk's queue, detail and actions.
 *
 * Models: DbnQueueModel (the window's queue, kept by snapshot + events) →
 * GtkFilterListModel (search entry) → GtkSortListModel (the column view's
 * sorter, so a click on a header sorts) → GtkSingleSelection. Selecting a
 * row loads routing.case.get: the detail and the whole timeline.
 *
 * Every action builds its routing command, gives it a fresh idempotency
 * key and stores it in the outbox, which sends it in order; the queue row
 * changes when routing's event comes back on q/<window>, not when the
 * reply does, so the screen always shows what routing holds.
 *
 * The detail also shows the case's clocks (deadline.case.due) and, for a
 * case awaiting materials (D-INT-4), its missing list as check boxes: what
 * the applicant hands in at the window goes out as intake.supplement.
 * "Request materials" during handling stops the clocks with the awaited
 * materials as the reason (deadline.case.suspend, D-DL-7); "explain delay"
 * records why the date cannot be met (deadline.case.explain, D-DL-6).
 * These go through the same outbox, to intake and deadline. The applicant
 * at the window rates the window's handling there (D-EV-1, stage window):
 * "clerk.rate" sends eval.rate to evaluation through the outbox as well.
 */
#include "dbn_clerk_view-private.h"
#include "dbn_text_row.h"

#include <glib/gi18n.h>

#include "dbn_case_papers.h"
#include "dbn_commands.h"
#include "dbn_eval_panel.h"
#include "dbn_queue_feed.h"
#include "dbn_queue_columns.h"

#define READ_TIMEOUT_MS 3000

static const char *const kinds[] = { "immediate", "committed", "joint", "escalated", "returned", NULL };

struct _DbnClerkView {
    GtkWidget parent_instance;
    DbnConnection *connection;     /* owned ref */
    gboolean accompanied;          /* D-RTE-4: the selected case's accompaniment is recorded */
    DbnOutbox *outbox;             /* owned ref */
    char *kind;                    /* window or area */
    char *window_id;               /* whose queue: the window's (or area's) id */
    char *topic;                   /* q/<id>/ or a/<id>/ */
    DbnQueueModel *model;          /* the queue */
    DbnQueueFeed *feed;            /* keeps model with routing and deadline */
    GtkFilterListModel *filtered;  /* by the search entry */
    GtkFilter *filter;             /* the search filter, set while the search is not empty */
    GtkSingleSelection *selection; /* the selected case */
    GtkStringList *timeline;       /* lines of the selected case's timeline */
    char *selected;                /* case number the detail shows */
    GHashTable *asked;             /* case numbers whose applicant was fetched */
    GHashTable *sent;              /* outbox row ids this view sent (gint64*) */
    gulong replied_id;             /* the outbox's */
    gulong due_event_id;           /* deadline's events: the open case's clocks */
    /* template children */
    GtkWidget *paned;
    GtkColumnView *columns;
    GtkSearchEntry *search;
    GtkLabel *count_label;
    GtkLabel *detail_title;
    GtkLabel *detail_body;
    GtkListView *timeline_view;
    GtkDropDown *kind_drop;
    GtkEntry *reason_entry;
    GtkEntry *target_entry;
    GtkDropDown *target_drop;
    GtkEntry *result_entry;
    GtkEntry *apply_to_entry;
    GtkLabel *status_label;
    GtkLabel *clocks_label;
    GtkBox *materials_box;
    DbnCasePapers *papers; /* the selected case's papers, from the services */
    GtkEntry *explain_entry;
    GPtrArray *missing_checks; /* GtkCheckButton*, borrowed: the missing list shown */
    gboolean suspended;        /* the selected case's clocks are stopped (deadline.case.due) */
};

G_DEFINE_TYPE (DbnClerkView, dbn_clerk_view, GTK_TYPE_WIDGET)

static void
set_status (DbnClerkView *self, const char *text)
{
    gtk_label_set_text (self->status_label, text);
}

static void
update_count (DbnClerkView *self)
{
    g_autofree char *text =
        g_strdup_printf (_ ("共 %u 件，显示 %u 件"), g_list_model_get_n_items (G_LIST_MODEL (self->model)),
                         g_list_model_get_n_items (G_LIST_MODEL (self->filtered)));
    gtk_label_set_text (self->count_label, text);
}

/* ---- snapshot and events (DbnQueueFeed) ---- */

static void
on_feed_failed (gpointer user_data, const GError *error)
{
    /* The next resync (routing heard again) asks again. */
    g_autofree char *line = dbn_error_line (error);
    set_status (user_data, line);
}

static void load_detail (DbnClerkView *self);
static void load_clocks (DbnClerkView *self);

/* Deadline follows routing on its own: the clocks read when routing's event
 * came may predate deadline's handling of it, so every deadline event about
 * the open case reads them again (the due feed updates the row itself). */
static void
on_due_event (DbnConnection *connection, const char *topic, GBytes *body, gpointer user_data)
{
    DbnClerkView *self = user_data;
    if (self->selected == NULL || !g_str_has_prefix (topic, self->topic))
        return;
    g_auto (DbnEnvEvent) env = { 0 };
    if (dbn_env_event_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &env, NULL)
        && g_strcmp0 (env.case_no, self->selected) == 0)
        load_clocks (self);
}

static void
on_feed_changed (gpointer user_data, gboolean open_moved)
{
    DbnClerkView *self = user_data;
    update_count (self);
    /* The timeline of the open case grows with its own events only. */
    if (open_moved)
        load_detail (self);
}

static const char *
feed_open_case (gpointer user_data)
{
    return DBN_CLERK_VIEW (user_data)->selected;
}

static const DbnQueueFeedHooks feed_hooks = { on_feed_failed, on_feed_changed, feed_open_case };

/* ---- detail ---- */

typedef struct {
    DbnClerkView *self; /* owned ref */
    char *case_no;
} Read;

static void
read_free (Read *r)
{
    g_object_unref (r->self);
    g_free (r->case_no);
    g_free (r);
}

/* The missing list of a case awaiting materials, as check boxes for what
 * the applicant hands in at the window. */
static void
show_missing (DbnClerkView *self, char **missing)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->materials_box))) != NULL)
        gtk_box_remove (self->materials_box, child);
    g_ptr_array_set_size (self->missing_checks, 0);
    if (missing == NULL || missing[0] == NULL)
        return;
    gtk_box_append (self->materials_box, gtk_label_new (_ ("待补材料：")));
    for (int i = 0; missing[i] != NULL; i++) {
        GtkWidget *check = gtk_check_button_new_with_label (missing[i]);
        gtk_box_append (self->materials_box, check);
        g_ptr_array_add (self->missing_checks, check);
    }
}

static const char *
clock_state_display (const char *state)
{
    static const struct {
        const char *id, *name;
    } names[] = {
        { "running", N_ ("计时中") },
        { "stopped", N_ ("已暂停") },
        { "met", N_ ("已按期") },
        { "cancelled", N_ ("已撤销") },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_strcmp0 (state, names[i].id) == 0)
            return _ (names[i].name);
    return state != NULL ? state : "";
}

static const char *
stage_display (const char *stage)
{
    if (g_strcmp0 (stage, "warning") == 0)
        return _ ("（黄牌预警）");
    if (g_strcmp0 (stage, "overdue") == 0)
        return _ ("（红牌超期）");
    if (g_strcmp0 (stage, "violation") == 0)
        return _ ("（超期未说明，已报监督）");
    return "";
}

static void
on_clocks (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Read *r = user_data;
    DbnClerkView *self = r->self;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgDeadlineCaseDueReply) d =
        reply == NULL ? NULL
                      : dbn_msg_deadline_case_due_reply_decode (g_bytes_get_data (reply, NULL),
                                                                g_bytes_get_size (reply), &error);
    if (self->clocks_label == NULL || g_strcmp0 (r->case_no, self->selected) != 0) {
        read_free (r);
        return;
    }
    self->suspended = d != NULL && d->suspended;
    GString *s = g_string_new (_ ("办理时限"));
    if (d == NULL) {
        g_autofree char *line = dbn_error_line (error);
        g_string_append_printf (s, "：%s", line);
    } else if (d->clocks->len == 0) {
        g_string_append (s, _ ("：无"));
    } else {
        if (d->suspended)
            g_string_append (s, _ ("（待补材料，时限暂停）"));
        for (guint i = 0; i < d->clocks->len; i++) {
            g_autoptr (DbnMsgDeadlineClock) c = dbn_msg_deadline_clock_decode (
                g_bytes_get_data (d->clocks->pdata[i], NULL), g_bytes_get_size (d->clocks->pdata[i]), NULL);
            if (c == NULL)
                continue;
            /* D-DL-3: the station-scope clock counts calendar days. */
            gboolean days = g_strcmp0 (c->unit, "calendar") == 0;
            g_string_append_printf (s, days ? _ ("\n%s（%s，%d 天）：%s") : _ ("\n%s（%s，%d 个工作日）：%s"),
                                    c->name, c->rule, (int) CLAMP (c->length, 0, 100000),
                                    clock_state_display (c->state));
            if (c->due != NULL)
                g_string_append_printf (s, _ ("，%s 到期"), c->due);
            if (g_strcmp0 (c->state, "running") == 0 || g_strcmp0 (c->state, "stopped") == 0)
                g_string_append_printf (s,
                                        c->remaining < 0
                                            ? (days ? _ ("，超期 %d 天") : _ ("，超期 %d 个工作日"))
                                            : (days ? _ ("，剩 %d 天") : _ ("，剩 %d 个工作日")),
                                        (int) CLAMP (ABS (c->remaining), 0, 100000));
            g_string_append (s, stage_display (c->stage));
            if (!c->covered)
                g_string_append (s, _ ("（超出工作日历，仅按周末计）"));
            if (c->explained)
                g_string_append (s, _ ("（已书面说明）"));
        }
    }
    gtk_label_set_text (self->clocks_label, s->str);
    g_string_free (s, TRUE);
    read_free (r);
}

static void
on_detail (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Read *r = user_data;
    DbnClerkView *self = r->self;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgRoutingCaseGetReply) c =
        reply == NULL ? NULL
                      : dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply, NULL),
                                                               g_bytes_get_size (reply), &error);
    if (c == NULL || g_strcmp0 (r->case_no, self->selected) != 0) {
        if (c == NULL) {
            g_autofree char *line = dbn_error_line (error);
            set_status (self, line);
        }
        read_free (r);
        return;
    }
    self->accompanied = c->accompanied;
    g_autofree char *title = g_strdup_printf ("%s  %s", c->case_no, c->matter_name);
    gtk_label_set_text (self->detail_title, title);
    g_autofree char *applicant = dbn_mask_name (c->applicant);
    g_autofree char *missing = c->missing && c->missing[0] ? g_strjoinv ("、", c->missing) : g_strdup ("—");
    g_autofree char *body =
        g_strdup_printf (_ ("状态：%s　类别：%s\n申办人：%s　村：%s\n现由：%s　首问责任人：%s\n材料位置：%s%"
                            "s%s\n缺少材料：%s"),
                         dbn_state_display (c->state), dbn_kind_display (c->kind), applicant, c->village,
                         c->holder, c->responsible, dbn_location_display (c->location), c->sheet ? "  " : "",
                         c->sheet ? c->sheet : "", missing);
    gtk_label_set_text (self->detail_body, body);
    show_missing (self, g_strcmp0 (c->state, "awaiting_materials") == 0 ? c->missing : NULL);
    guint n = g_list_model_get_n_items (G_LIST_MODEL (self->timeline));
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; i < c->timeline->len; i++) {
        char *line = dbn_timeline_line (c->timeline->pdata[i]);
        if (line != NULL)
            g_ptr_array_add (lines, line);
    }
    g_ptr_array_add (lines, NULL);
    gtk_string_list_splice (self->timeline, 0, n, (const char *const *) lines->pdata);
    read_free (r);
}

static void
load_detail (DbnClerkView *self)
{
    if (self->selected == NULL)
        return;
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = dbn_command_new_key ();
    m->case_no = g_strdup (self->selected);
    g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
    Read *r = g_new0 (Read, 1);
    r->self = g_object_ref (self);
    r->case_no = g_strdup (self->selected);
    dbn_connection_call_async (self->connection, "routing", body, READ_TIMEOUT_MS, on_detail, r);
    load_clocks (self);
}

/* The open case's clocks, read again from the deadline service. */
static void
load_clocks (DbnClerkView *self)
{
    if (self->selected == NULL)
        return;
    g_autoptr (DbnMsgDeadlineCaseDue) due = dbn_msg_deadline_case_due_new ();
    due->env.key = dbn_command_new_key ();
    due->case_no = g_strdup (self->selected);
    g_autoptr (GBytes) due_body = dbn_msg_deadline_case_due_encode (due, NULL);
    Read *clocks = g_new0 (Read, 1);
    clocks->self = g_object_ref (self);
    clocks->case_no = g_strdup (self->selected);
    dbn_connection_call_async (self->connection, "deadline", due_body, READ_TIMEOUT_MS, on_clocks, clocks);
}

static void
on_selection (GtkSingleSelection *selection, GParamSpec *pspec, gpointer user_data)
{
    DbnClerkView *self = user_data;
    DbnQueueItem *item = gtk_single_selection_get_selected_item (selection);
    const char *case_no = item ? dbn_queue_item_get_case_no (item) : NULL;
    if (g_strcmp0 (case_no, self->selected) == 0)
        return;
    g_free (self->selected);
    self->selected = g_strdup (case_no);
    if (case_no != NULL)
        dbn_case_papers_set_case (self->papers, case_no);
    self->suspended = FALSE;
    gtk_label_set_text (self->clocks_label, "");
    gtk_string_list_splice (self->timeline, 0, g_list_model_get_n_items (G_LIST_MODEL (self->timeline)),
                            NULL);
    load_detail (self);
}

/* The applicant column: routing.case.get once per shown row (queue rows
 * carry no personal data); the name is masked before it reaches the row. */
static void
on_applicant (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Read *r = user_data;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, NULL);
    g_autoptr (DbnMsgRoutingCaseGetReply) c =
        reply == NULL ? NULL
                      : dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply, NULL),
                                                               g_bytes_get_size (reply), NULL);
    DbnQueueItem *item = dbn_queue_model_lookup (r->self->model, r->case_no);
    if (c != NULL && item != NULL) {
        g_autofree char *masked = dbn_mask_name (c->applicant);
        dbn_queue_item_set_applicant (item, masked);
        dbn_queue_model_changed (r->self->model, r->case_no);
    } else {
        g_hash_table_remove (r->self->asked, r->case_no);
    }
    read_free (r);
}

static void
need_applicant (DbnQueueItem *item, gpointer user_data)
{
    DbnClerkView *self = user_data;
    const char *case_no = dbn_queue_item_get_case_no (item);
    if (!g_hash_table_add (self->asked, g_strdup (case_no)))
        return;
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = dbn_command_new_key ();
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
    Read *r = g_new0 (Read, 1);
    r->self = g_object_ref (self);
    r->case_no = g_strdup (case_no);
    dbn_connection_call_async (self->connection, "routing", body, READ_TIMEOUT_MS, on_applicant, r);
}

/* ---- actions ---- */

static void
send_to (DbnClerkView *self, const char *service, const char *cmd, const char *key, GBytes *body)
{
    g_autoptr (GError) error = NULL;
    if (body == NULL) {
        set_status (self, _ ("命令无法编码（字段过长？）"));
        return;
    }
    g_autofree char *label = g_strdup_printf ("%s %s", cmd, self->selected);
    gint64 id = dbn_outbox_enqueue (self->outbox, service, cmd, key, body, label, &error);
    if (id == 0) {
        g_autofree char *line = dbn_error_line (error);
        set_status (self, line);
        return;
    }
    g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
    g_autofree char *text = g_strdup_printf (_ ("已提交：%s"), label);
    set_status (self, text);
}

static void
send (DbnClerkView *self, const char *cmd, const char *key, GBytes *body)
{
    send_to (self, "routing", cmd, key, body);
}

static const char *
entry_text (GtkEntry *entry)
{
    const char *t = gtk_editable_get_text (GTK_EDITABLE (entry));
    return t != NULL && *t != '\0' ? t : NULL;
}

#define NEED_CASE(self)                                                                                      \
    do {                                                                                                     \
        if ((self)->selected == NULL) {                                                                      \
            set_status ((self), _ ("请先选择一个案件"));                                                     \
            return;                                                                                          \
        }                                                                                                    \
    } while (0)

#define COMMAND(type, fn, var)                                                                               \
    g_autoptr (type) var = fn##_new ();                                                                      \
    g_autofree char *var##_key = dbn_command_new_key ();                                                     \
    var->env.key = g_strdup (var##_key);                                                                     \
    var->case_no = g_strdup (self->selected)

static void
action_classify (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgCaseClassify, dbn_msg_case_classify, m);
    m->kind = g_strdup (kinds[gtk_drop_down_get_selected (self->kind_drop)]);
    m->reason = g_strdup (entry_text (self->reason_entry) ? entry_text (self->reason_entry) : "");
    send (self, "case.classify", m_key, dbn_msg_case_classify_encode (m, NULL));
}

/* D-RTE-4: the selected case's matter needs the applicant in person and
 * the accompaniment is not recorded yet. */
static gboolean
needs_accompaniment (DbnClerkView *self)
{
    DbnQueueItem *item = dbn_queue_model_lookup (self->model, self->selected);
    DbnCatalog *catalog = dbn_connection_get_catalog (self->connection);
    const DbnMatter *m = item != NULL && catalog != NULL
                             ? dbn_catalog_lookup (catalog, dbn_queue_item_get_matter (item))
                             : NULL;
    return m != NULL && m->presence && !self->accompanied;
}

static void
action_assign (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgCaseAssign, dbn_msg_case_assign, m);
    send (self, "case.assign", m_key, dbn_msg_case_assign_encode (m, NULL));
    /* D-RTE-4: the agent takes the applicant along; said when assigned. */
    if (needs_accompaniment (self))
        set_status (self, _ ("该事项须申办人本人到场：请代办员陪同办理，办理后点“陪同办理”登记"));
}

/* D-EV-1: the applicant's rating at the window (a walk-in, D-INT-7), one of
 * the three balls; evaluation refuses a second (eval.already-rated), which
 * the status line then shows. */
static void
action_rate (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgEvalRate, dbn_msg_eval_rate, m);
    m->stage = g_strdup ("window");
    m->level = g_variant_dup_string (param, NULL);
    send_to (self, "evaluation", "eval.rate", m_key, dbn_msg_eval_rate_encode (m, NULL));
}

static void
action_start (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgCaseStart, dbn_msg_case_start, m);
    send (self, "case.start", m_key, dbn_msg_case_start_encode (m, NULL));
}

static void
action_hand_off (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgCaseHandoff, dbn_msg_case_handoff, m);
    m->to = g_strdup (entry_text (self->target_entry) ? entry_text (self->target_entry) : "");
    m->reason = g_strdup (entry_text (self->reason_entry) ? entry_text (self->reason_entry) : "");
    send (self, "case.handoff", m_key, dbn_msg_case_handoff_encode (m, NULL));
}

static void
action_complete (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    /* D-RTE-4: without the accompaniment, the reason it did not happen. */
    if (needs_accompaniment (self) && entry_text (self->reason_entry) == NULL) {
        set_status (self, _ ("该事项须申办人本人到场：未陪同办理的，请在“理由”中写明原因后再办结"));
        return;
    }
    COMMAND (DbnMsgCaseComplete, dbn_msg_case_complete, m);
    m->result = g_strdup (entry_text (self->result_entry));
    if (needs_accompaniment (self))
        m->unaccompanied = g_strdup (entry_text (self->reason_entry));
    send (self, "case.complete", m_key, dbn_msg_case_complete_encode (m, NULL));
}

/* D-RTE-1: a 上报件 goes to the county department (the target, else the
 * matter's first county department), with the reason as what is asked. */
static void
action_escalate (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgCaseEscalate, dbn_msg_case_escalate, m);
    m->county = g_strdup (entry_text (self->target_entry));
    m->reason = g_strdup (entry_text (self->reason_entry));
    send (self, "case.escalate", m_key, dbn_msg_case_escalate_encode (m, NULL));
}

/* D-RTE-1/2: the county's answer (the result field), approved or not (the
 * action's boolean target: one button each). */
static void
action_county_answer (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    if (entry_text (self->result_entry) == NULL) {
        set_status (self, _ ("请在办理结果中写明县级部门的答复"));
        return;
    }
    COMMAND (DbnMsgCaseCountyAnswer, dbn_msg_case_county_answer, m);
    m->answer = g_strdup (entry_text (self->result_entry));
    m->approved = param != NULL && g_variant_get_boolean (param);
    send (self, "case.county_answer", m_key, dbn_msg_case_county_answer_encode (m, NULL));
}

/* D-RTE-4: the agent accompanied the applicant in person (the reason field
 * says where and with whom). */
static void
action_accompany (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgCaseAccompany, dbn_msg_case_accompany, m);
    m->note = g_strdup (entry_text (self->reason_entry));
    send (self, "case.accompany", m_key, dbn_msg_case_accompany_encode (m, NULL));
    self->accompanied = TRUE;
}

static void
action_return (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    COMMAND (DbnMsgCaseReturn, dbn_msg_case_return, m);
    /* D-INT-5: routing refuses an empty reason or place; say so before sending. */
    if (entry_text (self->reason_entry) == NULL || entry_text (self->apply_to_entry) == NULL) {
        set_status (self, _ ("退回须写明理由和改向何处申请"));
        return;
    }
    m->reason = g_strdup (entry_text (self->reason_entry));
    m->apply_to = g_strdup (entry_text (self->apply_to_entry));
    send (self, "case.return", m_key, dbn_msg_case_return_encode (m, NULL));
}

static void
action_acknowledge (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    DbnQueueItem *item = dbn_queue_model_lookup (self->model, self->selected);
    if (item == NULL || *dbn_queue_item_get_sheet (item) == '\0') {
        set_status (self, _ ("该案件不在交接清单上"));
        return;
    }
    g_autoptr (DbnMsgRunsheetAck) m = dbn_msg_runsheet_ack_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->sheet = g_strdup (dbn_queue_item_get_sheet (item));
    m->case_no = g_strdup (self->selected);
    send (self, "runsheet.ack", key, dbn_msg_runsheet_ack_encode (m, NULL));
}

/* D-DL-7: materials asked for during handling stop the case's clocks;
 * what is awaited is the reason the applicant is told. */
static void
action_request_materials (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    if (entry_text (self->explain_entry) == NULL) {
        set_status (self, _ ("请在“补材料/延期说明”中写明请补的材料"));
        return;
    }
    COMMAND (DbnMsgDeadlineCaseSuspend, dbn_msg_deadline_case_suspend, m);
    m->reason = g_strdup (entry_text (self->explain_entry));
    send_to (self, "deadline", "deadline.case.suspend", m_key,
             dbn_msg_deadline_case_suspend_encode (m, NULL));
}

/* D-INT-4 at the window: the ticked materials of the missing list arrived
 * (intake.supplement). A case whose clocks the window stopped itself has
 * no such list: its materials arriving resume the clocks (D-DL-7). */
static void
action_supplement (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    if (self->missing_checks->len == 0 && self->suspended) {
        COMMAND (DbnMsgDeadlineCaseResume, dbn_msg_deadline_case_resume, r);
        send_to (self, "deadline", "deadline.case.resume", r_key,
                 dbn_msg_deadline_case_resume_encode (r, NULL));
        return;
    }
    GPtrArray *handed = g_ptr_array_new ();
    for (guint i = 0; i < self->missing_checks->len; i++)
        if (gtk_check_button_get_active (self->missing_checks->pdata[i]))
            g_ptr_array_add (handed, g_strdup (gtk_check_button_get_label (self->missing_checks->pdata[i])));
    if (handed->len == 0) {
        g_ptr_array_free (handed, TRUE);
        set_status (self, self->missing_checks->len == 0 ? _ ("该案件不缺材料") : _ ("请勾选补交的材料"));
        return;
    }
    g_ptr_array_add (handed, NULL);
    COMMAND (DbnMsgIntakeSupplement, dbn_msg_intake_supplement, m);
    m->materials = (char **) g_ptr_array_free (handed, FALSE);
    send_to (self, "intake", "intake.supplement", m_key, dbn_msg_intake_supplement_encode (m, NULL));
}

/* D-DL-6: the written reason a case cannot meet its date, told to the applicant. */
static void
action_explain (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnClerkView *self = DBN_CLERK_VIEW (widget);
    NEED_CASE (self);
    if (entry_text (self->explain_entry) == NULL) {
        set_status (self, _ ("请在“补材料/延期说明”中写明原因"));
        return;
    }
    COMMAND (DbnMsgDeadlineCaseExplain, dbn_msg_deadline_case_explain, m);
    m->text = g_strdup (entry_text (self->explain_entry));
    send_to (self, "deadline", "deadline.case.explain", m_key,
             dbn_msg_deadline_case_explain_encode (m, NULL));
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    DbnClerkView *self = user_data;
    if (!g_hash_table_remove (self->sent, &id))
        return;
    g_autofree char *text = error != NULL ? dbn_error_line (error) : g_strdup_printf (_ ("%s：完成"), cmd);
    set_status (self, text);
    /* The clocks and the missing list changed with it. */
    if (error == NULL
        && (g_str_has_prefix (cmd, "deadline.case.") || g_strcmp0 (cmd, "intake.supplement") == 0))
        load_detail (self);
}

static void
on_search_changed (DbnClerkView *self, GtkSearchEntry *entry)
{
    dbn_queue_filter_update (self->filtered, self->filter, GTK_EDITABLE (self->search));
    update_count (self);
}

/* ---- life ---- */

static void
dbn_clerk_view_dispose (GObject *object)
{
    DbnClerkView *self = DBN_CLERK_VIEW (object);
    if (self->connection != NULL) {
        g_clear_signal_handler (&self->due_event_id, self->connection);
    }
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    g_clear_pointer (&self->feed, dbn_queue_feed_free);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_CLERK_VIEW);
    g_clear_object (&self->selection);
    g_clear_object (&self->timeline);
    g_clear_object (&self->model);
    g_clear_object (&self->filter);
    g_clear_object (&self->connection);
    g_clear_object (&self->outbox);
    g_clear_pointer (&self->missing_checks, g_ptr_array_unref);
    self->clocks_label = NULL;
    G_OBJECT_CLASS (dbn_clerk_view_parent_class)->dispose (object);
}

static void
dbn_clerk_view_finalize (GObject *object)
{
    DbnClerkView *self = DBN_CLERK_VIEW (object);
    g_free (self->kind);
    g_free (self->window_id);
    g_free (self->topic);
    g_free (self->selected);
    g_hash_table_unref (self->asked);
    g_hash_table_unref (self->sent);
    G_OBJECT_CLASS (dbn_clerk_view_parent_class)->finalize (object);
}

static void
dbn_clerk_view_class_init (DbnClerkViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_clerk_view_dispose;
    object_class->finalize = dbn_clerk_view_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    g_type_ensure (DBN_TYPE_CASE_PAPERS);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_clerk_view.ui");
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, paned);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, columns);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, search);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, count_label);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, detail_title);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, detail_body);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, timeline_view);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, kind_drop);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, reason_entry);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, target_entry);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, target_drop);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, result_entry);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, apply_to_entry);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, status_label);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, clocks_label);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, materials_box);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, papers);
    gtk_widget_class_bind_template_child (widget_class, DbnClerkView, explain_entry);
    gtk_widget_class_install_action (widget_class, "clerk.request-materials", NULL, action_request_materials);
    gtk_widget_class_install_action (widget_class, "clerk.supplement", NULL, action_supplement);
    gtk_widget_class_install_action (widget_class, "clerk.explain", NULL, action_explain);
    gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
    gtk_widget_class_install_action (widget_class, "clerk.classify", NULL, action_classify);
    gtk_widget_class_install_action (widget_class, "clerk.assign", NULL, action_assign);
    gtk_widget_class_install_action (widget_class, "clerk.start", NULL, action_start);
    gtk_widget_class_install_action (widget_class, "clerk.hand-off", NULL, action_hand_off);
    gtk_widget_class_install_action (widget_class, "clerk.complete", NULL, action_complete);
    gtk_widget_class_install_action (widget_class, "clerk.return", NULL, action_return);
    gtk_widget_class_install_action (widget_class, "clerk.escalate", NULL, action_escalate);
    gtk_widget_class_install_action (widget_class, "clerk.county-answer", "b", action_county_answer);
    gtk_widget_class_install_action (widget_class, "clerk.accompany", NULL, action_accompany);
    gtk_widget_class_install_action (widget_class, "clerk.acknowledge", NULL, action_acknowledge);
    gtk_widget_class_install_action (widget_class, "clerk.rate", "s", action_rate);
}

static void
dbn_clerk_view_init (DbnClerkView *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    self->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->timeline = gtk_string_list_new (NULL);
    self->missing_checks = g_ptr_array_new ();
    GtkListItemFactory *factory = dbn_text_row_factory_new ();
    gtk_list_view_set_factory (self->timeline_view, factory);
    g_object_unref (factory);
    gtk_list_view_set_model (self->timeline_view, GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                      g_object_ref (G_LIST_MODEL (self->timeline)))));
    g_autoptr (GtkStringList) kind_names = gtk_string_list_new (NULL);
    for (int i = 0; kinds[i] != NULL; i++)
        gtk_string_list_append (kind_names, dbn_kind_display (kinds[i]));
    gtk_drop_down_set_model (self->kind_drop, G_LIST_MODEL (kind_names));
}

/* The hand-off targets of org.ini, "to  name": other windows, county
 * departments through their township agents (D-RTE-1), and stations. */
static GtkStringList *
targets_new (DbnOrg *org)
{
    GtkStringList *list = gtk_string_list_new (NULL);
    if (org == NULL)
        return list;
    for (guint i = 0; i < dbn_org_get_n_windows (org); i++) {
        const DbnWindow *w = dbn_org_get_window (org, i);
        g_autofree char *line = g_strdup_printf ("window:%s  %s", w->id, w->name_zh);
        gtk_string_list_append (list, line);
    }
    for (guint i = 0; i < dbn_org_get_n_county_departments (org); i++) {
        const DbnCountyDepartment *d = dbn_org_get_county_department (org, i);
        for (int j = 0; d->agents[j] != NULL; j++) {
            const DbnAgent *a = dbn_org_lookup_agent (org, d->agents[j]);
            g_autofree char *line =
                g_strdup_printf (_ ("agent:%s  %s（转%s）"), d->agents[j], a ? a->name : "", d->name_zh);
            gtk_string_list_append (list, line);
        }
    }
    for (guint i = 0; i < dbn_org_get_n_stations (org); i++) {
        const DbnStation *st = dbn_org_get_station (org, i);
        g_autofree char *line = g_strdup_printf ("station:%s  %s", st->id, st->name_zh);
        gtk_string_list_append (list, line);
    }
    return list;
}

static void
on_target_chosen (GtkDropDown *drop, GParamSpec *pspec, gpointer user_data)
{
    DbnClerkView *self = user_data;
    GtkStringObject *item = gtk_drop_down_get_selected_item (drop);
    if (item == NULL)
        return;
    g_auto (GStrv) parts = g_strsplit (gtk_string_object_get_string (item), " ", 2);
    gtk_editable_set_text (GTK_EDITABLE (self->target_entry), parts[0]);
}

GtkWidget *
dbn_clerk_view_new (DbnConnection *connection, DbnOutbox *outbox, const char *kind, const char *id)
{
    g_return_val_if_fail (g_strcmp0 (kind, "window") == 0 || g_strcmp0 (kind, "area") == 0, NULL);
    DbnClerkView *self = g_object_new (DBN_TYPE_CLERK_VIEW, NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->kind = g_strdup (kind);
    self->window_id = g_strdup (id);
    self->topic = g_strdup_printf ("%s/%s/", g_strcmp0 (kind, "window") == 0 ? "q" : "a", id);
    self->model = dbn_queue_model_new (dbn_connection_get_catalog (connection));
    self->filter = dbn_queue_filter_new (GTK_EDITABLE (self->search));
    static const DbnColumn cols[] = { DBN_COLUMN_CASE,       DBN_COLUMN_MATTER, DBN_COLUMN_APPLICANT,
                                      DBN_COLUMN_KIND,       DBN_COLUMN_STATE,  DBN_COLUMN_DUE,
                                      DBN_COLUMN_RESPONSIBLE };
    self->selection = dbn_queue_columns_set_model (self->columns, self->model, cols, G_N_ELEMENTS (cols),
                                                   connection, need_applicant, self, &self->filtered);
    g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (on_selection), self);
    g_autoptr (GtkStringList) targets = targets_new (dbn_connection_get_org (connection));
    gtk_drop_down_set_expression (self->target_drop,
                                  gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
    gtk_drop_down_set_model (self->target_drop, G_LIST_MODEL (targets));
    gtk_drop_down_set_selected (self->target_drop, GTK_INVALID_LIST_POSITION);
    g_signal_connect (self->target_drop, "notify::selected", G_CALLBACK (on_target_chosen), self);
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
    self->feed = dbn_queue_feed_new (connection, self->model, self->kind, self->window_id, self->topic,
                                     &feed_hooks, self);
    self->due_event_id = g_signal_connect (connection, "deadline-event", G_CALLBACK (on_due_event), self);
    update_count (self);
    /* A window's own stars and month (issue 13 item 8), above its count. */
    if (g_strcmp0 (kind, "window") == 0)
        gtk_widget_insert_before (dbn_eval_panel_new (connection, "window", id),
                                  gtk_widget_get_parent (GTK_WIDGET (self->count_label)),
                                  GTK_WIDGET (self->count_label));
    return GTK_WIDGET (self);
}

DbnQueueModel *
dbn_clerk_view_get_model (DbnClerkView *self)
{
    return self->model;
}
DbnDueFeed *
dbn_clerk_view_get_due_feed (DbnClerkView *self)
{
    return dbn_queue_feed_get_due_feed (self->feed);
}
GListModel *
dbn_clerk_view_get_visible (DbnClerkView *self)
{
    return G_LIST_MODEL (self->selection);
}
const char *
dbn_clerk_view_get_selected (DbnClerkView *self)
{
    return self->selected;
}
GListModel *
dbn_clerk_view_get_timeline (DbnClerkView *self)
{
    return G_LIST_MODEL (self->timeline);
}

gboolean
dbn_clerk_view_select (DbnClerkView *self, const char *case_no)
{
    return dbn_queue_selection_select (self->selection, case_no);
}

GtkEditable *
dbn_clerk_view_get_entry (DbnClerkView *self, const char *name)
{
    if (g_strcmp0 (name, "reason") == 0)
        return GTK_EDITABLE (self->reason_entry);
    if (g_strcmp0 (name, "target") == 0)
        return GTK_EDITABLE (self->target_entry);
    if (g_strcmp0 (name, "result") == 0)
        return GTK_EDITABLE (self->result_entry);
    if (g_strcmp0 (name, "apply-to") == 0)
        return GTK_EDITABLE (self->apply_to_entry);
    if (g_strcmp0 (name, "search") == 0)
        return GTK_EDITABLE (self->search);
    if (g_strcmp0 (name, "explain") == 0)
        return GTK_EDITABLE (self->explain_entry);
    return NULL;
}

gboolean
dbn_clerk_view_set_kind (DbnClerkView *self, const char *kind)
{
    for (guint i = 0; kinds[i] != NULL; i++) {
        if (g_strcmp0 (kinds[i], kind) == 0) {
            gtk_drop_down_set_selected (self->kind_drop, i);
            return TRUE;
        }
    }
    return FALSE;
}

const char *
dbn_clerk_view_get_clocks_text (DbnClerkView *self)
{
    return gtk_label_get_text (self->clocks_label);
}
const char *
dbn_clerk_view_get_status (DbnClerkView *self)
{
    return gtk_label_get_text (self->status_label);
}
guint
dbn_clerk_view_get_n_missing (DbnClerkView *self)
{
    return self->missing_checks->len;
}

void
dbn_clerk_view_tick_missing (DbnClerkView *self, guint n)
{
    for (guint i = 0; i < self->missing_checks->len; i++)
        gtk_check_button_set_active (self->missing_checks->pdata[i], i < n);
}

void
dbn_clerk_view_set_papers_dir (DbnClerkView *self, const char *dir)
{
    dbn_case_papers_set_up (self->papers, self->connection, dir);
}

DbnCasePapers *
dbn_clerk_view_get_papers (DbnClerkView *self)
{
    return self->papers;
}
