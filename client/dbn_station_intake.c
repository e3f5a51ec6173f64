/* dbn_station_intake.c: the station's intake page.
 *
 * The matter list is a GtkStringList of catalog codes behind a custom
 * filter that matches the typed text against the Chinese name, the code
 * and the pinyin initials (data/initials.ini in the resource: the catalog
 * carries no pinyin). The ID number is checked as it is typed
 * (dbn_idnumber_validate, GB 11643 check character), and the form refuses
 * to send without consent (D-INT-2) or with a bad ID, before intake would.
 *
 * A submit goes to the outbox and appears at once in the station's cases
 * as a row marked 未发送 (the pending flag of DbnQueueItem); the row goes
 * when intake answers, and the case itself arrives on s/<station> from
 * routing. The answer's case number and missing materials (D-INT-4, told
 * once) are shown under the form and fill the acceptance form and the
 * notification. A refusal (D-INT-5) takes the form's applicant and request
 * with a reason and where to apply instead; it goes into the logbook.
 */
#include "dbn_station_intake-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "dbn_commands.h"
#include "dbn_matter_row.h"
#include "dbn_print.h"
#include "dbn_station_pages.h"

struct _DbnStationIntake {
    GtkWidget parent_instance;
    DbnConnection *connection;            /* owned ref */
    DbnOutbox *outbox;                    /* owned ref */
    DbnQueueModel *model;                 /* owned ref: the station's queue, for the pending rows */
    char *station_id;                     /* whose station */
    char *village;                        /* its village (org.ini), the submit's village */
    char *client_dir;                     /* local files: PDFs */
    GKeyFile *initials;                   /* matter code → pinyin initials */
    GtkFilterListModel *matters;          /* codes matching the search */
    GtkSingleSelection *matter_selection; /* the chosen row of matters */
    const DbnMatter *matter;              /* the chosen matter, borrowed from the catalog */
    GPtrArray *material_checks;           /* GtkCheckButton*, borrowed, one per material */
    GHashTable *submits;                  /* outbox id (gint64*) → our submit (DbnMsgIntakeSubmit*, NULL
                                           * for one restored from an earlier run) */
    GHashTable *refusals;                 /* outbox id (gint64*) → TRUE: our refusals */
    char *last_case;                      /* case number of the last submit answered */
    char *visit;                          /* the visit whose need the form turns into a request */
    gboolean refused;                     /* result_label says why the form was refused */
    DbnPrintForm *acceptance;             /* 承办单 of the last case */
    DbnPrintForm *notice;                 /* 一次性告知书, NULL when nothing was missing */
    gulong replied_id;                    /* the outbox's */
    /* template children */
    GtkSearchEntry *matter_search;
    GtkListView *matter_list;
    GtkBox *materials_box;
    GtkLabel *matter_label;
    GtkEntry *applicant_entry;
    GtkEntry *id_entry;
    GtkLabel *id_check;
    GtkEntry *phone_entry;
    GtkEntry *address_entry;
    GtkEntry *note_entry;
    GtkCheckButton *consent_check;
    GtkLabel *result_label;
    GtkLabel *visit_label;
    GtkEntry *refuse_reason_entry;
    GtkEntry *refuse_apply_to_entry;
};

enum { SIGNAL_LOGBOOK_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (DbnStationIntake, dbn_station_intake, GTK_TYPE_WIDGET)

#define text_of dbn_station_entry_text

/* ---- the matter list ---- */

static gboolean
matter_match (gpointer item, gpointer user_data)
{
    DbnStationIntake *self = user_data;
    const char *needle = gtk_editable_get_text (GTK_EDITABLE (self->matter_search));
    if (needle == NULL || *needle == '\0')
        return TRUE;
    const char *code = gtk_string_object_get_string (item);
    const DbnMatter *m = dbn_catalog_lookup (dbn_connection_get_catalog (self->connection), code);
    if (m == NULL)
        return FALSE;
    g_autofree char *folded = g_utf8_casefold (needle, -1);
    g_autofree char *fcode = g_utf8_casefold (code, -1);
    if (strstr (m->name_zh, needle) != NULL || strstr (fcode, folded) != NULL)
        return TRUE;
    g_autofree char *initials = g_key_file_get_string (self->initials, "initials", code, NULL);
    if (initials != NULL) {
        g_auto (GStrv) words = g_strsplit (initials, ";", -1);
        for (int i = 0; words[i] != NULL; i++)
            if (g_str_has_prefix (words[i], folded))
                return TRUE;
    }
    return FALSE;
}

static void
on_matter_search (DbnStationIntake *self, GtkSearchEntry *entry)
{
    gtk_filter_changed (gtk_filter_list_model_get_filter (self->matters), GTK_FILTER_CHANGE_DIFFERENT);
}

static void on_form_changed (DbnStationIntake *self);

static void
choose (DbnStationIntake *self, const DbnMatter *m)
{
    on_form_changed (self);
    self->matter = m;
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->materials_box))) != NULL)
        gtk_box_remove (self->materials_box, child);
    g_ptr_array_set_size (self->material_checks, 0);
    if (m == NULL) {
        gtk_label_set_text (self->matter_label, _ ("未选择事项"));
        return;
    }
    g_autofree char *title =
        g_strdup_printf (_ ("%s（%s，时限 %d 个工作日）"), m->name_zh,
                         dbn_kind_display (dbn_handling_kind_to_string (m->kind)), m->limit_days);
    gtk_label_set_text (self->matter_label, title);
    for (int i = 0; m->materials[i] != NULL; i++) {
        GtkWidget *check = gtk_check_button_new_with_label (m->materials[i]);
        gtk_box_append (self->materials_box, check);
        g_ptr_array_add (self->material_checks, check);
    }
}

static void
on_matter_selected (GtkSingleSelection *selection, GParamSpec *pspec, gpointer user_data)
{
    DbnStationIntake *self = user_data;
    GtkStringObject *item = gtk_single_selection_get_selected_item (selection);
    if (item == NULL)
        return;
    choose (self, dbn_catalog_lookup (dbn_connection_get_catalog (self->connection),
                                      gtk_string_object_get_string (item)));
}

/* The form's own refusal (a missing field, a bad ID, no consent) is about
 * what is typed: it goes as soon as the input changes, so it never stays
 * under a form that is now right. Intake's answers stay. */
static void
form_refuse (DbnStationIntake *self, const char *why)
{
    gtk_label_set_text (self->result_label, why);
    self->refused = TRUE;
}

static void
on_form_changed (DbnStationIntake *self)
{
    if (!self->refused)
        return;
    self->refused = FALSE;
    gtk_label_set_text (self->result_label, "");
}

static void
on_id_changed (DbnStationIntake *self, GtkEditable *entry)
{
    on_form_changed (self);
    const char *id = gtk_editable_get_text (entry);
    g_autoptr (GError) error = NULL;
    gtk_widget_remove_css_class (GTK_WIDGET (self->id_check), "error");
    gtk_widget_remove_css_class (GTK_WIDGET (self->id_check), "success");
    if (id == NULL || *id == '\0') {
        gtk_label_set_text (self->id_check, "");
    } else if (strlen (id) < 18) {
        g_autofree char *t = g_strdup_printf (_ ("已输入 %zu 位，共 18 位"), strlen (id));
        gtk_label_set_text (self->id_check, t);
    } else if (!dbn_idnumber_validate (id, &error)) {
        gtk_label_set_text (self->id_check, _ ("身份证号校验不通过，请核对"));
        gtk_widget_add_css_class (GTK_WIDGET (self->id_check), "error");
    } else {
        gtk_label_set_text (self->id_check, _ ("身份证号校验通过"));
        gtk_widget_add_css_class (GTK_WIDGET (self->id_check), "success");
    }
}

static void
set_form_visit (DbnStationIntake *self, const char *visit)
{
    g_free (self->visit);
    self->visit = g_strdup (visit);
    g_autofree char *text = visit ? g_strdup_printf (_ ("来自走访 %s 的需求"), visit) : NULL;
    gtk_label_set_text (self->visit_label, text ? text : "");
    gtk_widget_set_visible (GTK_WIDGET (self->visit_label), visit != NULL);
}

/* ---- sending ---- */

static char *
pending_key (gint64 id)
{
    return g_strdup_printf ("#%" G_GINT64_FORMAT, id);
}

static void
add_pending_row (DbnStationIntake *self, gint64 id, const char *label)
{
    g_autofree char *key = pending_key (id);
    g_autoptr (DbnQueueItem) item = dbn_queue_item_new (key);
    dbn_queue_item_set (item, NULL, label, NULL, "pending", dbn_connection_get_principal (self->connection));
    dbn_queue_item_set_pending (item, TRUE);
    dbn_queue_model_add (self->model, item);
}

static void
action_submit (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationIntake *self = DBN_STATION_INTAKE (widget);
    g_autoptr (GError) error = NULL;
    if (self->matter == NULL) {
        form_refuse (self, _ ("请先选择事项"));
        return;
    }
    if (text_of (self->applicant_entry) == NULL || text_of (self->phone_entry) == NULL) {
        form_refuse (self, _ ("请填写申办人和联系电话"));
        return;
    }
    if (!dbn_idnumber_validate (gtk_editable_get_text (GTK_EDITABLE (self->id_entry)), &error)) {
        form_refuse (self, _ ("身份证号校验不通过，请核对"));
        return;
    }
    /* D-INT-2: nothing is done for a resident who did not entrust it. */
    if (!gtk_check_button_get_active (self->consent_check)) {
        form_refuse (self, _ ("须申办人本人自愿委托后方可受理"));
        return;
    }
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_msg_intake_submit_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->applicant = g_strdup (text_of (self->applicant_entry));
    m->id_number = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->id_entry)));
    m->phone = g_strdup (text_of (self->phone_entry));
    m->village = g_strdup (self->village);
    m->matter = g_strdup (self->matter->code);
    m->consent = TRUE;
    m->channel = g_strdup ("station");
    m->address = g_strdup (text_of (self->address_entry));
    m->note = g_strdup (text_of (self->note_entry));
    m->visit = g_strdup (self->visit);
    GPtrArray *handed = g_ptr_array_new ();
    for (guint i = 0; i < self->material_checks->len; i++)
        if (gtk_check_button_get_active (self->material_checks->pdata[i]))
            g_ptr_array_add (handed, g_strdup (gtk_check_button_get_label (self->material_checks->pdata[i])));
    g_ptr_array_add (handed, NULL);
    m->materials = (char **) g_ptr_array_free (handed, FALSE);
    g_autofree char *masked = dbn_mask_name (m->applicant);
    g_autofree char *label = g_strdup_printf ("%s · %s", self->matter->name_zh, masked);
    gint64 id = dbn_station_enqueue (self->outbox, "intake", "intake.submit", key,
                                     dbn_msg_intake_submit_encode (m, NULL), label, self->result_label);
    if (id == 0)
        return;
    /* Kept for the 承办单: the applicant and the materials handed in. */
    g_hash_table_insert (self->submits, g_memdup2 (&id, sizeof id), g_steal_pointer (&m));
    add_pending_row (self, id, label);
    g_autofree char *text = g_strdup_printf (_ ("已存入待发箱（未发送）：%s"), label);
    gtk_label_set_text (self->result_label, text);
    self->refused = FALSE;
    /* The next applicant starts from a clean form; the matter stays chosen. */
    gtk_editable_set_text (GTK_EDITABLE (self->applicant_entry), "");
    gtk_editable_set_text (GTK_EDITABLE (self->id_entry), "");
    gtk_editable_set_text (GTK_EDITABLE (self->phone_entry), "");
    gtk_editable_set_text (GTK_EDITABLE (self->address_entry), "");
    gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
    gtk_check_button_set_active (self->consent_check, FALSE);
    set_form_visit (self, NULL);
}

static void
submitted (DbnStationIntake *self, gint64 id, const DbnMsgIntakeSubmit *req, GBytes *reply, GError *error)
{
    g_autofree char *key = pending_key (id);
    self->refused = FALSE;
    dbn_queue_model_remove (self->model, key);
    if (error != NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->result_label, line);
        return;
    }
    g_autoptr (GError) decode_error = NULL;
    g_autoptr (DbnMsgIntakeSubmitReply) r = dbn_msg_intake_submit_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &decode_error);
    if (r == NULL) {
        gtk_label_set_text (self->result_label, decode_error->message);
        return;
    }
    g_free (self->last_case);
    self->last_case = g_strdup (r->case_no);
    GString *s = g_string_new (NULL);
    g_string_append_printf (s, _ ("已受理，案件编号 %s"), r->case_no);
    g_autofree char *missing = r->missing && r->missing[0] ? g_strjoinv ("、", r->missing) : NULL;
    if (missing != NULL)
        g_string_append_printf (s, _ ("\n一次性告知：尚缺 %s（补齐后办理）"), missing);
    gtk_label_set_text (self->result_label, s->str);
    g_string_free (s, TRUE);
    /* The papers of this case, printed from what intake answered. */
    g_clear_pointer (&self->acceptance, dbn_print_form_free);
    g_clear_pointer (&self->notice, dbn_print_form_free);
    self->acceptance = dbn_print_form_new (DBN_FORM_ACCEPTANCE, r->case_no);
    const DbnMatter *m = self->matter;
    g_autoptr (GDateTime) when = dbn_clock_local_from_ms (r->accepted_at);
    g_autofree char *at = g_date_time_format (when, "%Y-%m-%d %H:%M");
    if (req != NULL)
        dbn_print_form_add_row (self->acceptance, _ ("申办人"), req->applicant);
    dbn_print_form_add_row (self->acceptance, _ ("受理时间"), at);
    dbn_print_form_add_row (self->acceptance, _ ("受理站点"), self->station_id);
    dbn_print_form_add_row (self->acceptance, _ ("首问责任人"),
                            dbn_connection_get_principal (self->connection));
    if (m != NULL) {
        dbn_print_form_add_row (self->acceptance, _ ("代办事项"), m->name_zh);
        g_autofree char *limit = g_strdup_printf (_ ("%d 个工作日"), m->limit_days);
        dbn_print_form_add_row (self->acceptance, _ ("办理时限"), limit);
    }
    if (req != NULL && req->materials != NULL) {
        g_autofree char *handed = g_strjoinv ("、", req->materials);
        dbn_print_form_add_row (self->acceptance, _ ("已收材料"), *handed ? handed : _ ("无"));
    }
    /* D-DL-4: the date promised at acceptance, as intake computed it (the
     * committed clock's due date). */
    if (r->promised != NULL)
        dbn_print_form_add_row (self->acceptance, _ ("承诺办结日期"), r->promised);
    dbn_print_form_add_row (self->acceptance, _ ("状态"), dbn_state_display (r->state));
    dbn_print_form_add_row (self->acceptance, _ ("缺少材料"), missing ? missing : _ ("无"));
    if (missing != NULL) {
        self->notice = dbn_print_form_new (DBN_FORM_NOTICE, r->case_no);
        if (m != NULL)
            dbn_print_form_add_row (self->notice, _ ("代办事项"), m->name_zh);
        for (int i = 0; r->missing[i] != NULL; i++) {
            g_autofree char *n = g_strdup_printf (_ ("需补材料 %d"), i + 1);
            dbn_print_form_add_row (self->notice, n, r->missing[i]);
        }
        dbn_print_form_add_row (self->notice, _ ("告知时间"), at);
    }
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    DbnStationIntake *self = user_data;
    gpointer stolen_id = NULL, req = NULL;
    if (g_hash_table_steal_extended (self->submits, &id, &stolen_id, &req)) {
        /* Stolen, not removed: the request outlives the entry; both freed here. */
        g_free (stolen_id);
        g_autoptr (DbnMsgIntakeSubmit) submit = req;
        submitted (self, id, submit, reply, error);
        return;
    }
    if (!g_hash_table_remove (self->refusals, &id))
        return;
    g_autoptr (DbnMsgIntakeRefuseReply) r =
        reply == NULL ? NULL
                      : dbn_msg_intake_refuse_reply_decode (g_bytes_get_data (reply, NULL),
                                                            g_bytes_get_size (reply), NULL);
    g_autofree char *text = r != NULL
                                ? g_strdup_printf (_ ("不予受理，编号 %s（已记入代办记录簿）"), r->refusal)
                                : dbn_error_line (error);
    gtk_label_set_text (self->result_label, text);
    g_signal_emit (self, signals[SIGNAL_LOGBOOK_CHANGED], 0);
}

/* ---- refusal (D-INT-5) ---- */

static void
action_refuse (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationIntake *self = DBN_STATION_INTAKE (widget);
    const char *reason = text_of (self->refuse_reason_entry);
    const char *apply_to = text_of (self->refuse_apply_to_entry);
    if (text_of (self->applicant_entry) == NULL || text_of (self->note_entry) == NULL) {
        form_refuse (self, _ ("请填写申办人和诉求"));
        return;
    }
    if (reason == NULL || apply_to == NULL) {
        form_refuse (self, _ ("不予受理须写明理由和改向何处申请"));
        return;
    }
    g_autoptr (DbnMsgIntakeRefuse) m = dbn_msg_intake_refuse_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->applicant = g_strdup (text_of (self->applicant_entry));
    m->village = g_strdup (self->village);
    m->matter = g_strdup (self->matter ? self->matter->code : NULL);
    m->request = g_strdup (text_of (self->note_entry));
    m->reason = g_strdup (reason);
    m->apply_to = g_strdup (apply_to);
    m->channel = g_strdup ("station");
    g_autofree char *masked = dbn_mask_name (m->applicant);
    g_autofree char *label = g_strdup_printf ("intake.refuse %s", masked);
    gint64 id = dbn_station_enqueue (self->outbox, "intake", "intake.refuse", key,
                                     dbn_msg_intake_refuse_encode (m, NULL), label, self->result_label);
    if (id == 0)
        return;
    g_hash_table_add (self->refusals, g_memdup2 (&id, sizeof id));
    gtk_label_set_text (self->result_label, _ ("不予受理已存入待发箱（未发送）"));
    self->refused = FALSE;
    GtkEntry *clear[] = { self->applicant_entry,      self->id_entry,   self->phone_entry,
                          self->address_entry,        self->note_entry, self->refuse_reason_entry,
                          self->refuse_apply_to_entry };
    for (gsize i = 0; i < G_N_ELEMENTS (clear); i++)
        gtk_editable_set_text (GTK_EDITABLE (clear[i]), "");
    set_form_visit (self, NULL);
}

/* ---- the papers ---- */

static void
print_form (DbnStationIntake *self, DbnPrintForm *form, const char *missing_text)
{
    if (form == NULL) {
        gtk_label_set_text (self->result_label, missing_text);
        return;
    }
    dbn_print_form_print (form, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
}

static void
action_print_acceptance (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationIntake *self = DBN_STATION_INTAKE (widget);
    print_form (self, self->acceptance, _ ("尚无已受理的案件"));
}

static void
action_print_notice (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationIntake *self = DBN_STATION_INTAKE (widget);
    print_form (self, self->notice, _ ("本案材料齐全，无需一次性告知"));
}

static void
action_export_pdf (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationIntake *self = DBN_STATION_INTAKE (widget);
    if (self->acceptance == NULL) {
        gtk_label_set_text (self->result_label, _ ("尚无已受理的案件"));
        return;
    }
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_build_filename (self->client_dir, "cases", self->last_case, NULL);
    g_mkdir_with_parents (dir, 0700);
    g_autofree char *a = g_build_filename (dir, "acceptance.pdf", NULL);
    g_autofree char *n = g_build_filename (dir, "notice.pdf", NULL);
    if (!dbn_print_form_export_pdf (self->acceptance, a, &error)
        || (self->notice != NULL && !dbn_print_form_export_pdf (self->notice, n, &error))) {
        gtk_label_set_text (self->result_label, error->message);
        return;
    }
    g_autofree char *text =
        g_strdup_printf (_ ("已导出：%s%s%s"), a, self->notice ? "\n" : "", self->notice ? n : "");
    gtk_label_set_text (self->result_label, text);
}

/* ---- life ---- */

static void
dbn_station_intake_dispose (GObject *object)
{
    DbnStationIntake *self = DBN_STATION_INTAKE (object);
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_STATION_INTAKE);
    g_clear_object (&self->matter_selection);
    g_clear_object (&self->model);
    g_clear_object (&self->connection);
    g_clear_object (&self->outbox);
    G_OBJECT_CLASS (dbn_station_intake_parent_class)->dispose (object);
}

static void
dbn_station_intake_finalize (GObject *object)
{
    DbnStationIntake *self = DBN_STATION_INTAKE (object);
    g_free (self->station_id);
    g_free (self->village);
    g_free (self->client_dir);
    g_free (self->last_case);
    g_free (self->visit);
    g_key_file_unref (self->initials);
    g_ptr_array_unref (self->material_checks);
    g_hash_table_unref (self->submits);
    g_hash_table_unref (self->refusals);
    dbn_print_form_free (self->acceptance);
    dbn_print_form_free (self->notice);
    G_OBJECT_CLASS (dbn_station_intake_parent_class)->finalize (object);
}

static void
dbn_station_intake_class_init (DbnStationIntakeClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_intake_dispose;
    object_class->finalize = dbn_station_intake_finalize;
    /* ::logbook-changed: a refusal was answered; the logbook has it. */
    signals[SIGNAL_LOGBOOK_CHANGED] = g_signal_new ("logbook-changed", G_TYPE_FROM_CLASS (klass),
                                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_station_intake.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, DbnStationIntake, name)
    CHILD (matter_search);
    CHILD (matter_list);
    CHILD (materials_box);
    CHILD (matter_label);
    CHILD (applicant_entry);
    CHILD (id_entry);
    CHILD (id_check);
    CHILD (phone_entry);
    CHILD (address_entry);
    CHILD (note_entry);
    CHILD (consent_check);
    CHILD (result_label);
    CHILD (visit_label);
    CHILD (refuse_reason_entry);
    CHILD (refuse_apply_to_entry);
#undef CHILD
    gtk_widget_class_bind_template_callback (widget_class, on_matter_search);
    gtk_widget_class_bind_template_callback (widget_class, on_id_changed);
    gtk_widget_class_install_action (widget_class, "intake.submit", NULL, action_submit);
    gtk_widget_class_install_action (widget_class, "intake.refuse", NULL, action_refuse);
    gtk_widget_class_install_action (widget_class, "intake.print-acceptance", NULL, action_print_acceptance);
    gtk_widget_class_install_action (widget_class, "intake.print-notice", NULL, action_print_notice);
    gtk_widget_class_install_action (widget_class, "intake.export-pdf", NULL, action_export_pdf);
}

static void
dbn_station_intake_init (DbnStationIntake *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->material_checks = g_ptr_array_new ();
    self->submits = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify) dbn_msg_intake_submit_free);
    self->refusals = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->initials = g_key_file_new ();
    g_autoptr (GBytes) data = g_resources_lookup_data ("/org/daiban/Client/initials.ini", 0, NULL);
    if (data != NULL)
        g_key_file_load_from_bytes (self->initials, data, G_KEY_FILE_NONE, NULL);
    GtkWidget *inputs[] = {
        GTK_WIDGET (self->applicant_entry),     GTK_WIDGET (self->phone_entry),
        GTK_WIDGET (self->address_entry),       GTK_WIDGET (self->note_entry),
        GTK_WIDGET (self->refuse_reason_entry), GTK_WIDGET (self->refuse_apply_to_entry)
    };
    for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
        g_signal_connect_swapped (inputs[i], "changed", G_CALLBACK (on_form_changed), self);
    g_signal_connect_swapped (self->consent_check, "toggled", G_CALLBACK (on_form_changed), self);
}

void
dbn_station_intake_set_up (DbnStationIntake *self, DbnConnection *connection, DbnOutbox *outbox,
                           DbnQueueModel *model, const char *station_id, const char *village,
                           const char *client_dir)
{
    g_return_if_fail (DBN_IS_STATION_INTAKE (self) && self->connection == NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->model = g_object_ref (model);
    self->station_id = g_strdup (station_id);
    self->village = g_strdup (village);
    self->client_dir = g_strdup (client_dir);

    DbnCatalog *catalog = dbn_connection_get_catalog (connection);
    GtkStringList *codes = gtk_string_list_new (NULL);
    for (guint i = 0; i < dbn_catalog_get_n_matters (catalog); i++)
        gtk_string_list_append (codes, dbn_catalog_get_matter (catalog, i)->code);
    self->matters = gtk_filter_list_model_new (G_LIST_MODEL (codes),
                                               GTK_FILTER (gtk_custom_filter_new (matter_match, self, NULL)));
    self->matter_selection = gtk_single_selection_new (G_LIST_MODEL (self->matters));
    gtk_single_selection_set_autoselect (self->matter_selection, FALSE);
    gtk_single_selection_set_can_unselect (self->matter_selection, TRUE);
    gtk_single_selection_set_selected (self->matter_selection, GTK_INVALID_LIST_POSITION);
    g_signal_connect (self->matter_selection, "notify::selected-item", G_CALLBACK (on_matter_selected), self);
    GtkListItemFactory *factory = dbn_matter_row_factory_new (catalog);
    gtk_list_view_set_factory (self->matter_list, factory);
    g_object_unref (factory);
    gtk_list_view_set_model (self->matter_list, GTK_SELECTION_MODEL (g_object_ref (self->matter_selection)));

    /* Submits still in the outbox from an earlier run show as not yet sent. */
    g_autoptr (GPtrArray) pending = dbn_outbox_dup_pending (outbox);
    for (guint i = 0; i < pending->len; i++) {
        DbnOutboxRow *row = pending->pdata[i];
        if (g_strcmp0 (row->cmd, "intake.submit") == 0) {
            g_hash_table_insert (self->submits, g_memdup2 (&row->id, sizeof row->id), NULL);
            add_pending_row (self, row->id, row->label);
        }
    }
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
}

/* D-INT-1: a need found on a visit becomes a request: the form is filled
 * from it and the submit names the visit. The agent still chooses the
 * matter, the materials, the ID and the consent with the applicant. */
void
dbn_station_intake_take_need (DbnStationIntake *self, const char *visit, const char *household,
                              const char *address, const char *need)
{
    gtk_editable_set_text (GTK_EDITABLE (self->applicant_entry), household);
    gtk_editable_set_text (GTK_EDITABLE (self->address_entry), address ? address : "");
    gtk_editable_set_text (GTK_EDITABLE (self->note_entry), need);
    set_form_visit (self, visit);
}

/* ---- what the tests reach (dbn_station_intake-private.h) ---- */

const char *
dbn_station_intake_get_result (DbnStationIntake *self)
{
    return gtk_label_get_text (self->result_label);
}
const char *
dbn_station_intake_get_last_case (DbnStationIntake *self)
{
    return self->last_case;
}
const char *
dbn_station_intake_get_visit (DbnStationIntake *self)
{
    return self->visit;
}

guint
dbn_station_intake_get_n_matches (DbnStationIntake *self)
{
    return g_list_model_get_n_items (G_LIST_MODEL (self->matters));
}

gboolean
dbn_station_intake_choose_matter (DbnStationIntake *self, const char *code)
{
    GListModel *list = G_LIST_MODEL (self->matter_selection);
    for (guint i = 0; i < g_list_model_get_n_items (list); i++) {
        g_autoptr (GtkStringObject) s = g_list_model_get_item (list, i);
        if (g_strcmp0 (gtk_string_object_get_string (s), code) == 0) {
            gtk_single_selection_set_selected (self->matter_selection, i);
            return TRUE;
        }
    }
    return FALSE;
}

void
dbn_station_intake_tick_materials (DbnStationIntake *self, guint n)
{
    for (guint i = 0; i < self->material_checks->len; i++)
        gtk_check_button_set_active (self->material_checks->pdata[i], i < n);
}

GtkEditable *
dbn_station_intake_get_entry (DbnStationIntake *self, const char *name)
{
    static const struct {
        const char *name;
        gsize offset;
    } fields[] = {
        { "matter-search", G_STRUCT_OFFSET (DbnStationIntake, matter_search) },
        { "applicant", G_STRUCT_OFFSET (DbnStationIntake, applicant_entry) },
        { "id-number", G_STRUCT_OFFSET (DbnStationIntake, id_entry) },
        { "phone", G_STRUCT_OFFSET (DbnStationIntake, phone_entry) },
        { "address", G_STRUCT_OFFSET (DbnStationIntake, address_entry) },
        { "note", G_STRUCT_OFFSET (DbnStationIntake, note_entry) },
        { "refuse-reason", G_STRUCT_OFFSET (DbnStationIntake, refuse_reason_entry) },
        { "refuse-apply-to", G_STRUCT_OFFSET (DbnStationIntake, refuse_apply_to_entry) },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
        if (g_strcmp0 (name, fields[i].name) == 0)
            return GTK_EDITABLE (G_STRUCT_MEMBER (gpointer, self, fields[i].offset));
    return NULL;
}

void
dbn_station_intake_set_consent (DbnStationIntake *self, gboolean consent)
{
    gtk_check_button_set_active (self->consent_check, consent);
}
