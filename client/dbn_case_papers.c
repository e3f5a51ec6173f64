/* dbn_case_papers.c: the papers of any case (see dbn_case_papers.h).
 *
 * An action asks every service the paper needs at once (one job), builds
 * the form when the last answer is in, and prints it or writes the PDF.
 */
#include "dbn_case_papers.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dbn_commands.h"
#include "dbn_queue_model.h"

#define READ_TIMEOUT_MS 3000

/* ---- filling the papers ---- */

static const char *const acceptance_services[] = { "intake", "routing", "deadline", NULL };
static const char *const result_services[] = { "intake", "routing", NULL };
static const char *const progress_services[] = { "intake", "routing", "deadline", NULL };
static const char *const card_services[] = { "intake", "routing", "evaluation", NULL };
static const char *const missing_services[] = { "intake", "routing", NULL };

const char *const *
dbn_case_paper_services (DbnCasePaper paper)
{
    switch (paper) {
    case DBN_CASE_PAPER_ACCEPTANCE: return acceptance_services;
    case DBN_CASE_PAPER_RESULT: return result_services;
    case DBN_CASE_PAPER_PROGRESS: return progress_services;
    case DBN_CASE_PAPER_CARD: return card_services;
    case DBN_CASE_PAPER_MISSING: return missing_services;
    }
    return result_services;
}

const char *
dbn_case_paper_file_name (DbnCasePaper paper)
{
    switch (paper) {
    case DBN_CASE_PAPER_ACCEPTANCE: return "acceptance-copy.pdf";
    case DBN_CASE_PAPER_RESULT: return "result-notice.pdf";
    case DBN_CASE_PAPER_PROGRESS: return "progress-notice.pdf";
    case DBN_CASE_PAPER_CARD: return "completion-card.pdf";
    case DBN_CASE_PAPER_MISSING: return "missing-notice.pdf";
    }
    return "paper.pdf";
}

static char *
format_ms (gint64 ms, const char *format)
{
    g_autoptr (GDateTime) t = dbn_clock_local_from_ms (ms);
    return t != NULL ? g_date_time_format (t, format) : g_strdup ("—");
}

static gboolean
missing_answer (const char *service, GError **error)
{
    g_set_error (error, DBN_ERROR, DBN_ERROR_UNAVAILABLE, _ ("%s 服务没有答复"), service);
    return FALSE;
}

/* The case's clocks by name (deadline_clock records), NULL when deadline
 * did not answer. */
static DbnMsgDeadlineClock *
clock_named (const DbnMsgDeadlineCaseDueReply *due, const char *name)
{
    for (guint i = 0; due != NULL && i < due->clocks->len; i++) {
        GBytes *b = due->clocks->pdata[i];
        DbnMsgDeadlineClock *c =
            dbn_msg_deadline_clock_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (c != NULL && g_strcmp0 (c->name, name) == 0)
            return c;
        g_clear_pointer (&c, dbn_msg_deadline_clock_free);
    }
    return NULL;
}

/* A frame's bytes, for the generated decoders. */
#define FRAME(b) g_bytes_get_data (b, NULL), g_bytes_get_size (b)

static const char *
level_display (const char *level)
{
    if (g_strcmp0 (level, "satisfied") == 0)
        return _ ("满意");
    if (g_strcmp0 (level, "basic") == 0)
        return _ ("基本满意");
    if (g_strcmp0 (level, "unsatisfied") == 0)
        return _ ("不满意");
    return level;
}

static void
add_applicant_rows (DbnPrintForm *form, const DbnMsgIntakeCaseGetReply *c, const DbnMsgRoutingCaseGetReply *r)
{
    g_autofree char *who = g_strdup_printf ("%s（%s）", c->applicant, c->village);
    dbn_print_form_add_row (form, _ ("申办人"), who);
    g_autofree char *matter = g_strdup_printf ("%s %s", c->matter, r->matter_name);
    dbn_print_form_add_row (form, _ ("代办事项"), matter);
    g_autofree char *accepted = format_ms (c->accepted_at, "%Y-%m-%d %H:%M");
    dbn_print_form_add_row (form, _ ("受理时间"), accepted);
}

DbnPrintForm *
dbn_case_paper_build (DbnCasePaper paper, const DbnCaseAnswers *a, DbnCatalog *catalog, gint64 printed_at,
                      GError **error)
{
    if (a->intake == NULL)
        return missing_answer ("intake", error), NULL;
    if (a->routing == NULL)
        return missing_answer ("routing", error), NULL;
    g_autoptr (DbnMsgIntakeCaseGetReply) c = dbn_msg_intake_case_get_reply_decode (
        g_bytes_get_data (a->intake, NULL), g_bytes_get_size (a->intake), error);
    if (c == NULL)
        return NULL;
    g_autoptr (DbnMsgRoutingCaseGetReply) r = dbn_msg_routing_case_get_reply_decode (
        g_bytes_get_data (a->routing, NULL), g_bytes_get_size (a->routing), error);
    if (r == NULL)
        return NULL;
    g_autoptr (DbnMsgDeadlineCaseDueReply) due =
        a->deadline != NULL ? dbn_msg_deadline_case_due_reply_decode (g_bytes_get_data (a->deadline, NULL),
                                                                      g_bytes_get_size (a->deadline), NULL)
                            : NULL;
    g_autofree char *printed = format_ms (printed_at, "%Y-%m-%d %H:%M");
    g_autoptr (DbnPrintForm) form = NULL;
    switch (paper) {
    case DBN_CASE_PAPER_ACCEPTANCE: {
        form = dbn_print_form_new (DBN_FORM_ACCEPTANCE, c->case_no);
        dbn_print_form_add_row (form, _ ("申办人"), c->applicant);
        g_autofree char *accepted = format_ms (c->accepted_at, "%Y-%m-%d %H:%M");
        dbn_print_form_add_row (form, _ ("受理时间"), accepted);
        dbn_print_form_add_row (form, _ ("受理站点"), r->station);
        dbn_print_form_add_row (form, _ ("首问责任人"), c->accepted_by);
        dbn_print_form_add_row (form, _ ("代办事项"), r->matter_name);
        const DbnMatter *m = catalog != NULL ? dbn_catalog_lookup (catalog, c->matter) : NULL;
        if (m != NULL) {
            g_autofree char *limit = g_strdup_printf (_ ("%d 个工作日"), m->limit_days);
            dbn_print_form_add_row (form, _ ("办理时限"), limit);
        }
        g_autofree char *handed = c->materials && c->materials[0] ? g_strjoinv ("、", c->materials) : NULL;
        dbn_print_form_add_row (form, _ ("已收材料"), handed ? handed : _ ("无"));
        /* D-DL-4: the promised date is the committed clock's due date. */
        g_autoptr (DbnMsgDeadlineClock) committed = clock_named (due, "committed");
        if (committed != NULL && committed->due != NULL)
            dbn_print_form_add_row (form, _ ("承诺办结日期"), committed->due);
        dbn_print_form_add_row (form, _ ("状态"), dbn_state_display (r->state));
        g_autofree char *missing = c->missing && c->missing[0] ? g_strjoinv ("、", c->missing) : NULL;
        dbn_print_form_add_row (form, _ ("缺少材料"), missing ? missing : _ ("无"));
        dbn_print_form_add_row (form, _ ("补打时间"), printed);
        break;
    }
    case DBN_CASE_PAPER_RESULT: {
        /* The events the CLI's `case notice` reads too (dbn_timeline). */
        GBytes *replied_frame = dbn_timeline_find_last (r->timeline, DBN_MSG_CASE_REPLIED_WIRE);
        GBytes *returned_frame = dbn_timeline_find_last (r->timeline, DBN_MSG_CASE_RETURNED_WIRE);
        g_autoptr (DbnMsgCaseReplied) replied =
            replied_frame ? dbn_msg_case_replied_decode (FRAME (replied_frame), NULL) : NULL;
        if (replied == NULL) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, _ ("%s 尚未答复，还没有结果告知单（%s）"),
                         c->case_no, dbn_state_display (r->state));
            return NULL;
        }
        g_autoptr (DbnMsgCaseReturned) returned =
            returned_frame ? dbn_msg_case_returned_decode (FRAME (returned_frame), NULL) : NULL;
        gboolean done = g_strcmp0 (replied->outcome, "done") == 0;
        form = dbn_print_form_new (DBN_FORM_RESULT, c->case_no);
        add_applicant_rows (form, c, r);
        dbn_print_form_add_row (form, _ ("办理结果"), done ? _ ("已办结") : _ ("未办结"));
        dbn_print_form_add_row (form, done ? _ ("结果") : _ ("原因"), replied->text);
        if (returned != NULL)
            dbn_print_form_add_row (form, _ ("请向"), returned->apply_to);
        g_autofree char *when = format_ms (replied->env.ts, "%Y-%m-%d %H:%M");
        g_autofree char *by = g_strdup_printf ("%s  %s", when, replied->env.actor);
        dbn_print_form_add_row (form, _ ("答复"), by);
        dbn_print_form_add_row (form, _ ("首问责任人"), r->responsible);
        if (!done)
            dbn_print_form_add_row (form, _ ("再次申请"), _ ("可凭本告知单再次申请办理"));
        dbn_print_form_add_row (form, _ ("告知时间"), printed);
        break;
    }
    case DBN_CASE_PAPER_PROGRESS: {
        /* D-DL-2: only a matter the township may not decide (county level). */
        if (g_strcmp0 (r->level, "county") != 0) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, _ ("%s 由乡镇办理，无需书面进度告知（D-DL-2）"),
                         c->case_no);
            return NULL;
        }
        form = dbn_print_form_new (DBN_FORM_PROGRESS, c->case_no);
        add_applicant_rows (form, c, r);
        dbn_print_form_add_row (form, _ ("当前进度"), dbn_state_display (r->state));
        dbn_print_form_add_row (form, _ ("现由"), r->holder);
        if (r->county != NULL)
            dbn_print_form_add_row (form, _ ("报送县级部门"), r->county);
        g_autoptr (DbnMsgDeadlineClock) progress = clock_named (due, "progress");
        if (progress != NULL && progress->due != NULL)
            dbn_print_form_add_row (form, _ ("书面告知期限"), progress->due);
        g_autoptr (DbnMsgDeadlineClock) committed = clock_named (due, "committed");
        if (committed != NULL && committed->due != NULL)
            dbn_print_form_add_row (form, _ ("承诺办结日期"), committed->due);
        dbn_print_form_add_row (form, _ ("首问责任人"), r->responsible);
        dbn_print_form_add_row (form, _ ("告知时间"), printed);
        break;
    }
    case DBN_CASE_PAPER_CARD: {
        if (a->card == NULL)
            return missing_answer ("evaluation", error), NULL;
        g_autoptr (DbnMsgEvalCardReply) k = dbn_msg_eval_card_reply_decode (
            g_bytes_get_data (a->card, NULL), g_bytes_get_size (a->card), error);
        if (k == NULL)
            return NULL;
        form = dbn_print_form_new (DBN_FORM_CARD, c->case_no);
        add_applicant_rows (form, c, r);
        dbn_print_form_add_row (form, _ ("办理结果"), k->result);
        dbn_print_form_add_row (form, _ ("满意度评价"), level_display (k->level));
        dbn_print_form_add_row (form, _ ("申办人签字"),
                                k->signature != NULL ? _ ("已签字（见下）") : _ ("未签字"));
        if (k->signature_sha256 != NULL)
            dbn_print_form_add_row (form, _ ("签名校验值 SHA-256"), k->signature_sha256);
        g_autofree char *at = format_ms (k->at, "%Y-%m-%d %H:%M");
        g_autofree char *by = g_strdup_printf ("%s  %s", at, k->by);
        dbn_print_form_add_row (form, _ ("答复登记"), by);
        dbn_print_form_add_row (form, _ ("打印时间"), printed);
        if (k->signature != NULL && !dbn_print_form_set_signature (form, k->signature, error))
            return NULL;
        break;
    }
    case DBN_CASE_PAPER_MISSING: {
        /* D-INT-4: told once, all of it; again only while something is missing. */
        if (c->missing == NULL || c->missing[0] == NULL) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, _ ("%s 材料已齐，无需一次性告知"), c->case_no);
            return NULL;
        }
        form = dbn_print_form_new (DBN_FORM_NOTICE, c->case_no);
        dbn_print_form_add_row (form, _ ("代办事项"), r->matter_name);
        for (int i = 0; c->missing[i] != NULL; i++) {
            g_autofree char *n = g_strdup_printf (_ ("需补材料 %d"), i + 1);
            dbn_print_form_add_row (form, n, c->missing[i]);
        }
        dbn_print_form_add_row (form, _ ("告知时间"), printed);
        break;
    }
    }
    return g_steal_pointer (&form);
}

/* ---- the widget ---- */

struct _DbnCasePapers {
    GtkWidget parent_instance;
    DbnConnection *connection; /* owned ref */
    char *dir;                 /* the PC's client folder */
    char *last_pdf;            /* the last export */
    guint generation;          /* bumped per request: only the newest one's answer shows */
    GtkLabel *title;
    GtkEntry *case_entry; /* the case: the selected one, or any number typed (an archived case) */
    GtkDropDown *paper_drop;
    GtkLabel *status;
};

G_DEFINE_TYPE (DbnCasePapers, dbn_case_papers, GTK_TYPE_WIDGET)

typedef struct {
    DbnCasePapers *self; /* owned ref */
    DbnCasePaper paper;
    gboolean print; /* else export */
    char *case_no;
    guint generation;
    guint pending;       /* answers still to come */
    GHashTable *answers; /* service → GBytes* */
    GError *error;       /* the first refusal of intake, routing or evaluation */
} Job;

typedef struct {
    Job *job;
    char *service;
} Ask;

static void
job_free (Job *job)
{
    g_object_unref (job->self);
    g_free (job->case_no);
    g_hash_table_unref (job->answers);
    g_clear_error (&job->error);
    g_free (job);
}

static void
job_finish (Job *job)
{
    DbnCasePapers *self = job->self;
    if (self->status == NULL || job->generation != self->generation)
        return; /* disposed, or a newer request was made */
    g_autoptr (GError) error = g_steal_pointer (&job->error);
    DbnCaseAnswers answers = {
        g_hash_table_lookup (job->answers, "intake"),
        g_hash_table_lookup (job->answers, "routing"),
        g_hash_table_lookup (job->answers, "deadline"),
        g_hash_table_lookup (job->answers, "evaluation"),
    };
    g_autoptr (DbnPrintForm) form =
        error == NULL
            ? dbn_case_paper_build (job->paper, &answers, dbn_connection_get_catalog (self->connection),
                                    g_get_real_time () / 1000, &error)
            : NULL;
    if (form == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->status, line);
        return;
    }
    if (job->print) {
        GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
        dbn_print_form_print (form, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
        g_autofree char *text = g_strdup_printf (_ ("已送打印：%s"), dbn_print_form_get_title (form));
        gtk_label_set_text (self->status, text);
        return;
    }
    g_autofree char *folder = g_build_filename (self->dir, "cases", job->case_no, NULL);
    g_mkdir_with_parents (folder, 0700);
    g_autofree char *path = g_build_filename (folder, dbn_case_paper_file_name (job->paper), NULL);
    if (!dbn_print_form_export_pdf (form, path, &error)) {
        gtk_label_set_text (self->status, error->message);
        return;
    }
    g_free (self->last_pdf);
    self->last_pdf = g_steal_pointer (&path);
    g_autofree char *text =
        g_strdup_printf (_ ("已导出%s：%s"), dbn_print_form_get_title (form), self->last_pdf);
    gtk_label_set_text (self->status, text);
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Ask *ask = user_data;
    Job *job = ask->job;
    g_autoptr (GError) error = NULL;
    GBytes *reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    if (reply != NULL)
        g_hash_table_insert (job->answers, g_strdup (ask->service), reply);
    /* The deadline's clocks only add the dates: a paper goes without them. */
    else if (job->error == NULL && g_strcmp0 (ask->service, "deadline") != 0)
        job->error = g_steal_pointer (&error);
    g_free (ask->service);
    g_free (ask);
    if (--job->pending == 0) {
        job_finish (job);
        job_free (job);
    }
}

static GBytes *
question (const char *service, const char *case_no)
{
    g_autofree char *key = dbn_command_new_key ();
    if (g_strcmp0 (service, "intake") == 0) {
        g_autoptr (DbnMsgIntakeCaseGet) m = dbn_msg_intake_case_get_new ();
        m->env.key = g_strdup (key);
        m->case_no = g_strdup (case_no);
        return dbn_msg_intake_case_get_encode (m, NULL);
    }
    if (g_strcmp0 (service, "routing") == 0) {
        g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
        m->env.key = g_strdup (key);
        m->case_no = g_strdup (case_no);
        return dbn_msg_routing_case_get_encode (m, NULL);
    }
    if (g_strcmp0 (service, "deadline") == 0) {
        g_autoptr (DbnMsgDeadlineCaseDue) m = dbn_msg_deadline_case_due_new ();
        m->env.key = g_strdup (key);
        m->case_no = g_strdup (case_no);
        return dbn_msg_deadline_case_due_encode (m, NULL);
    }
    g_autoptr (DbnMsgEvalCard) m = dbn_msg_eval_card_new ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (case_no);
    return dbn_msg_eval_card_encode (m, NULL);
}

static void
start (DbnCasePapers *self, gboolean print)
{
    g_autofree char *case_no =
        g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->case_entry))));
    if (self->connection == NULL) {
        gtk_label_set_text (self->status, _ ("未连接服务"));
        return;
    }
    if (*case_no == '\0') {
        gtk_label_set_text (self->status, _ ("请先选择一个案件"));
        return;
    }
    Job *job = g_new0 (Job, 1);
    job->self = g_object_ref (self);
    job->paper = (DbnCasePaper) gtk_drop_down_get_selected (self->paper_drop);
    job->print = print;
    job->case_no = g_steal_pointer (&case_no);
    job->generation = ++self->generation;
    job->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
    const char *const *services = dbn_case_paper_services (job->paper);
    job->pending = g_strv_length ((char **) services);
    g_clear_pointer (&self->last_pdf, g_free);
    gtk_label_set_text (self->status, _ ("正在读取案件……"));
    for (guint i = 0; services[i] != NULL; i++) {
        g_autoptr (GBytes) body = question (services[i], job->case_no);
        Ask *ask = g_new0 (Ask, 1);
        ask->job = job;
        ask->service = g_strdup (services[i]);
        dbn_connection_call_async (self->connection, services[i], body, READ_TIMEOUT_MS, on_answer, ask);
    }
}

static void
action_print (GtkWidget *widget, const char *name, GVariant *param)
{
    start (DBN_CASE_PAPERS (widget), TRUE);
}

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
    start (DBN_CASE_PAPERS (widget), FALSE);
}

static void
dbn_case_papers_dispose (GObject *object)
{
    DbnCasePapers *self = DBN_CASE_PAPERS (object);
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
        gtk_widget_unparent (child);
    self->title = NULL;
    self->case_entry = NULL;
    self->paper_drop = NULL;
    self->status = NULL;
    g_clear_object (&self->connection);
    G_OBJECT_CLASS (dbn_case_papers_parent_class)->dispose (object);
}

static void
dbn_case_papers_finalize (GObject *object)
{
    DbnCasePapers *self = DBN_CASE_PAPERS (object);
    g_free (self->dir);
    g_free (self->last_pdf);
    G_OBJECT_CLASS (dbn_case_papers_parent_class)->finalize (object);
}

static void
dbn_case_papers_class_init (DbnCasePapersClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_case_papers_dispose;
    object_class->finalize = dbn_case_papers_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
    gtk_widget_class_install_action (widget_class, "papers.print", NULL, action_print);
    gtk_widget_class_install_action (widget_class, "papers.export", NULL, action_export);
}

static void
dbn_case_papers_init (DbnCasePapers *self)
{
    /* A row of the controls, the status below it (it can run long). */
    GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
    gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
    gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 4);
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_parent (row, GTK_WIDGET (self));
    GtkWidget *title = gtk_label_new (_ ("本案文书"));
    gtk_widget_add_css_class (title, "heading");
    gtk_box_append (GTK_BOX (row), title);
    self->title = GTK_LABEL (title);
    GtkWidget *entry = gtk_entry_new ();
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _ ("案件编号"));
    gtk_editable_set_width_chars (GTK_EDITABLE (entry), 18);
    gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (row), entry);
    self->case_entry = GTK_ENTRY (entry);
    g_autoptr (GtkStringList) papers = gtk_string_list_new ((const char *[]){
        _ ("承办单（补打）"), _ ("办理结果告知单"), _ ("办理进度书面告知书"), _ ("代办事项落实卡"),
        _ ("一次性告知书（补打）"), NULL });
    GtkWidget *drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (papers)), NULL);
    gtk_widget_set_valign (drop, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (row), drop);
    self->paper_drop = GTK_DROP_DOWN (drop);
    GtkWidget *print = gtk_button_new_with_label (_ ("打印"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (print), "papers.print");
    gtk_widget_set_valign (print, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (row), print);
    GtkWidget *export = gtk_button_new_with_label (_ ("导出 PDF"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (export), "papers.export");
    gtk_widget_set_valign (export, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (row), export);
    GtkWidget *status = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (status), 0);
    gtk_label_set_wrap (GTK_LABEL (status), TRUE);
    gtk_label_set_selectable (GTK_LABEL (status), TRUE);
    gtk_widget_set_parent (status, GTK_WIDGET (self));
    self->status = GTK_LABEL (status);
}

void
dbn_case_papers_set_up (DbnCasePapers *self, DbnConnection *connection, const char *dir)
{
    g_return_if_fail (DBN_IS_CASE_PAPERS (self) && self->connection == NULL);
    self->connection = g_object_ref (connection);
    self->dir = g_strdup (dir);
}

void
dbn_case_papers_set_case (DbnCasePapers *self, const char *case_no)
{
    if (g_strcmp0 (case_no, gtk_editable_get_text (GTK_EDITABLE (self->case_entry))) == 0)
        return;
    gtk_editable_set_text (GTK_EDITABLE (self->case_entry), case_no ? case_no : "");
    gtk_label_set_text (self->status, "");
}

void
dbn_case_papers_choose (DbnCasePapers *self, DbnCasePaper paper)
{
    gtk_drop_down_set_selected (self->paper_drop, (guint) paper);
}

GtkEditable *
dbn_case_papers_get_entry (DbnCasePapers *self)
{
    return GTK_EDITABLE (self->case_entry);
}

const char *
dbn_case_papers_get_status (DbnCasePapers *self)
{
    return gtk_label_get_text (self->status);
}

const char *
dbn_case_papers_get_last_pdf (DbnCasePapers *self)
{
    return self->last_pdf;
}
