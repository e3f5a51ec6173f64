/* dbn_station_view.c: the station's three pages.
 *
 * The matter list is a GtkStringList of catalog codes behind a custom
 * filter that matches the typed text against the Chinese name, the code
 * and the pinyin initials (data/initials.ini in the resource: the catalog
 * carries no pinyin). The ID number is checked as it is typed
 * (dbn_idnumber_validate, GB 11643 check character), and the form refuses
 * to send without consent (D-INT-2) or with a bad ID, before intake would.
 *
 * A submit goes to the outbox and appears at once in the cases list as a
 * row marked 未发送 (the pending flag of DbnQueueItem); the row goes when
 * intake answers, and the case itself arrives on s/<station> from routing.
 * The answer's case number and missing materials (D-INT-4, told once) are
 * shown under the form and fill the acceptance form and the notification.
 *
 * The visit log (D-INT-1) records household visits through the outbox
 * (intake.visit) and lists them with intake.visit.list, one row per need
 * found; "turn into a request" fills the intake form from the need and
 * carries the visit number in intake.submit's `visit`. A case awaiting
 * materials (D-INT-4) shows its missing list (routing.case.get) as check
 * boxes for intake.supplement. A refusal (D-INT-5) takes the form's
 * applicant and request with a reason and where to apply instead. The
 * logbook (D-INT-3) is read with intake.logbook and prints on as many pages
 * as it needs. Reads go straight to the service; commands go through the
 * outbox, so visits, supplements and refusals are taken offline too.
 */
#include "dbn_station_view.h"
#include "dbn_text_rows.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "dbn_commands.h"
#include "dbn_queue_feed.h"
#include "dbn_print.h"
#include "dbn_queue_columns.h"
#include "dbn_signature_pad.h"

#define READ_TIMEOUT_MS 3000

struct _DbnStationView {
    GtkWidget           parent_instance;
    DbnConnection      *connection;  /* owned ref */
    DbnOutbox          *outbox;      /* owned ref */
    char               *station_id;  /* whose station */
    char               *village;     /* its village (org.ini), the submit's village */
    char               *client_dir;  /* local files: signatures, PDFs */
    GKeyFile           *initials;    /* matter code → pinyin initials */
    GtkFilterListModel *matters;     /* codes matching the search */
    GtkSingleSelection *matter_selection;
    const DbnMatter    *matter;      /* the chosen matter, borrowed from the catalog */
    GPtrArray          *material_checks; /* GtkCheckButton*, borrowed, one per material */
    DbnQueueModel      *model;       /* the station's queue */
    DbnQueueFeed       *feed;        /* keeps model with routing and deadline */
    GtkFilterListModel *filtered; /* by the case search */
    GtkFilter          *filter;      /* the search filter, set while the search is not empty */
    GtkSingleSelection *selection;   /* the case the reply acts on */
    GHashTable         *submits;     /* outbox id (gint64*) → TRUE: our submits */
    GHashTable         *others;      /* outbox id (gint64*) → TRUE: our other commands */
    char               *last_case;   /* case number of the last submit answered */
    char               *visit;       /* the visit whose need the form turns into a request */
    GtkStringList      *visit_lines; /* one line per need of the listed visits */
    GPtrArray          *visit_needs; /* VisitNeed*, owned, parallel to visit_lines */
    GtkSingleSelection *visit_selection;
    char               *supplement_case;   /* the awaiting case whose missing list shows */
    GPtrArray          *supplement_checks; /* GtkCheckButton*, borrowed */
    GtkStringList      *logbook_lines;
    DbnPrintForm       *logbook;     /* the logbook as last read */
    gint64              logbook_from; /* the page being read starts here (ms); 0: the first */
    char               *logbook_after; /* ... after this entry (the last one read) */
    guint               logbook_count; /* entries read so far */
    gboolean            refused;     /* result_label says why the form was refused */
    DbnPrintForm       *acceptance;  /* 承办单 of the last case */
    DbnPrintForm       *notice;      /* 一次性告知书, NULL when nothing was missing */
    DbnPrintForm       *runsheet;    /* the last run sheet */
    GtkWidget          *pad;         /* DbnSignaturePad */
    gulong              replied_id;  /* the outbox's */
    /* template children */
    GtkWidget      *root;
    GtkStack       *stack;
    GtkSearchEntry *matter_search;
    GtkListView    *matter_list;
    GtkBox         *materials_box;
    GtkLabel       *matter_label;
    GtkEntry       *applicant_entry;
    GtkEntry       *id_entry;
    GtkLabel       *id_check;
    GtkEntry       *phone_entry;
    GtkEntry       *address_entry;
    GtkEntry       *note_entry;
    GtkCheckButton *consent_check;
    GtkLabel       *result_label;
    GtkSearchEntry *case_search;
    GtkColumnView  *columns;
    GtkLabel       *runsheet_label;
    GtkLabel       *reply_case_label;
    GtkEntry       *reply_result_entry;
    GtkEntry       *reply_reason_entry;
    GtkDropDown    *rating_drop;
    GtkFrame       *pad_frame;
    GtkLabel       *reply_status;
    GtkLabel       *visit_label;
    GtkEntry       *refuse_reason_entry;
    GtkEntry       *refuse_apply_to_entry;
    GtkLabel       *supplement_label;
    GtkBox         *supplement_box;
    GtkLabel       *supplement_status;
    GtkEntry       *household_entry;
    GtkEntry       *visit_address_entry;
    GtkEntry       *needs_entry;
    GtkDropDown    *must_visit_drop;
    GtkEntry       *visit_note_entry;
    GtkLabel       *visit_status;
    GtkListView    *visit_list;
    GtkLabel       *logbook_status;
    GtkListView    *logbook_list;
};

/* One need of a listed visit: what "turn into a request" fills the form with. */
typedef struct {
    char *visit, *household, *address, *need;
} VisitNeed;

static void
visit_need_free (VisitNeed *v)
{
    g_free (v->visit);
    g_free (v->household);
    g_free (v->address);
    g_free (v->need);
    g_free (v);
}

static const char *const must_visits[] = { NULL, "hardship", "petitioner", "party_member" };

G_DEFINE_TYPE (DbnStationView, dbn_station_view, GTK_TYPE_WIDGET)

static const char *
text_of (GtkEntry *entry)
{
    const char *t = gtk_editable_get_text (GTK_EDITABLE (entry));
    return t != NULL && *t != '\0' ? t : NULL;
}

/* ---- the matter list ---- */

static gboolean
matter_match (gpointer item, gpointer user_data)
{
    DbnStationView *self = user_data;
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
on_matter_search (DbnStationView *self, GtkSearchEntry *entry)
{
    gtk_filter_changed (gtk_filter_list_model_get_filter (self->matters), GTK_FILTER_CHANGE_DIFFERENT);
}

static void on_form_changed (DbnStationView *self);

static void
choose (DbnStationView *self, const DbnMatter *m)
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
    g_autofree char *title = g_strdup_printf (_ ("%s（%s，时限 %d 个工作日）"), m->name_zh,
                                              dbn_kind_display (dbn_handling_kind_to_string (m->kind)),
                                              m->limit_days);
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
    DbnStationView *self = user_data;
    GtkStringObject *item = gtk_single_selection_get_selected_item (selection);
    if (item == NULL)
        return;
    choose (self, dbn_catalog_lookup (dbn_connection_get_catalog (self->connection),
                                      gtk_string_object_get_string (item)));
}

static void
setup_matter_row (GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
    GtkWidget *label = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    gtk_list_item_set_child (li, label);
}

static void
bind_matter_row (GtkSignalListItemFactory *f, GtkListItem *li, gpointer user_data)
{
    DbnStationView *self = user_data;
    const char *code = gtk_string_object_get_string (gtk_list_item_get_item (li));
    const DbnMatter *m = dbn_catalog_lookup (dbn_connection_get_catalog (self->connection), code);
    g_autofree char *text = g_strdup_printf ("%s  %s", m ? m->name_zh : "", code);
    gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (li)), text);
}

/* The form's own refusal (a missing field, a bad ID, no consent) is about
 * what is typed: it goes as soon as the input changes, so it never stays
 * under a form that is now right. Intake's answers stay. */
static void
form_refuse (DbnStationView *self, const char *why)
{
    gtk_label_set_text (self->result_label, why);
    self->refused = TRUE;
}

static void
on_form_changed (DbnStationView *self)
{
    if (!self->refused)
        return;
    self->refused = FALSE;
    gtk_label_set_text (self->result_label, "");
}

static void
on_id_changed (DbnStationView *self, GtkEditable *entry)
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

/* ---- the station's cases ---- */

static void load_missing (DbnStationView *self, const char *case_no);
static void clear_supplement (DbnStationView *self);
static void set_form_visit (DbnStationView *self, const char *visit);
static void refresh_visits (DbnStationView *self);
static void refresh_logbook (DbnStationView *self);

static void
on_feed_failed (gpointer user_data, const GError *error)
{
    DbnStationView *self = user_data;
    g_autofree char *line = dbn_error_line (error);
    gtk_label_set_text (self->runsheet_label, line);
}

static const DbnQueueFeedHooks feed_hooks = { on_feed_failed, NULL, NULL };

static void
on_case_search (DbnStationView *self, GtkSearchEntry *entry)
{
    dbn_queue_filter_update (self->filtered, self->filter, GTK_EDITABLE (self->case_search));
}

static void
on_case_selected (GtkSingleSelection *selection, GParamSpec *pspec, gpointer user_data)
{
    DbnStationView *self = user_data;
    DbnQueueItem *item = gtk_single_selection_get_selected_item (selection);
    if (item == NULL || dbn_queue_item_get_pending (item))
        return;
    clear_supplement (self);
    if (g_strcmp0 (dbn_queue_item_get_state (item), "awaiting_materials") == 0) {
        load_missing (self, dbn_queue_item_get_case_no (item));
    } else {
        g_autofree char *line = g_strdup_printf (_ ("%s：%s，无需补交材料"), dbn_queue_item_get_case_no (item),
                                                 dbn_state_display (dbn_queue_item_get_state (item)));
        gtk_label_set_text (self->supplement_label, line);
    }
    g_autofree char *text = g_strdup_printf (_ ("答复：%s  %s（%s）"), dbn_queue_item_get_case_no (item),
                                             dbn_queue_item_get_matter_name (item),
                                             dbn_state_display (dbn_queue_item_get_state (item)));
    gtk_label_set_text (self->reply_case_label, text);
}

static const char *
selected_case (DbnStationView *self)
{
    DbnQueueItem *item = gtk_single_selection_get_selected_item (self->selection);
    return item != NULL && !dbn_queue_item_get_pending (item) ? dbn_queue_item_get_case_no (item) : NULL;
}

/* ---- sending ---- */

static char *
pending_key (gint64 id)
{
    return g_strdup_printf ("#%" G_GINT64_FORMAT, id);
}

static void
add_pending_row (DbnStationView *self, gint64 id, const char *label)
{
    g_autofree char *key = pending_key (id);
    g_autoptr (DbnQueueItem) item = dbn_queue_item_new (key);
    dbn_queue_item_set (item, NULL, label, NULL, "pending", dbn_connection_get_principal (self->connection));
    dbn_queue_item_set_pending (item, TRUE);
    dbn_queue_model_add (self->model, item);
}

static gint64
enqueue (DbnStationView *self, const char *service, const char *cmd, const char *key,
         GBytes *body, const char *label, GtkLabel *status)
{
    g_autoptr (GError) error = NULL;
    if (body == NULL) {
        gtk_label_set_text (status, _ ("命令无法编码（字段过长？）"));
        return 0;
    }
    gint64 id = dbn_outbox_enqueue (self->outbox, service, cmd, key, body, label, &error);
    if (id == 0) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (status, line);
    }
    return id;
}

static void
action_submit (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
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
    gint64 id = enqueue (self, "intake", "intake.submit", key, dbn_msg_intake_submit_encode (m, NULL),
                         label, self->result_label);
    if (id == 0)
        return;
    g_hash_table_add (self->submits, g_memdup2 (&id, sizeof id));
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
submitted (DbnStationView *self, gint64 id, GBytes *reply, GError *error)
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
    dbn_print_form_add_row (self->acceptance, _ ("受理时间"), at);
    dbn_print_form_add_row (self->acceptance, _ ("受理站点"), self->station_id);
    dbn_print_form_add_row (self->acceptance, _ ("首问责任人"), dbn_connection_get_principal (self->connection));
    if (m != NULL) {
        dbn_print_form_add_row (self->acceptance, _ ("代办事项"), m->name_zh);
        g_autofree char *limit = g_strdup_printf (_ ("%d 个工作日"), m->limit_days);
        dbn_print_form_add_row (self->acceptance, _ ("办理时限"), limit);
    }
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
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error,
            gpointer user_data)
{
    DbnStationView *self = user_data;
    if (g_hash_table_remove (self->submits, &id)) {
        submitted (self, id, reply, error);
        return;
    }
    if (!g_hash_table_remove (self->others, &id))
        return;
    if (g_strcmp0 (cmd, "runsheet.new") == 0 && reply != NULL) {
        g_autoptr (DbnMsgRunsheetNewReply) r = dbn_msg_runsheet_new_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
        if (r != NULL) {
            g_autofree char *list = r->cases && r->cases[0] ? g_strjoinv ("、", r->cases) : g_strdup (_ ("（无）"));
            g_autofree char *text = g_strdup_printf (_ ("交接清单 %s（%s）：%s"), r->sheet, r->date, list);
            gtk_label_set_text (self->runsheet_label, text);
            g_clear_pointer (&self->runsheet, dbn_print_form_free);
            self->runsheet = dbn_print_form_new (DBN_FORM_RUNSHEET, r->sheet);
            dbn_print_form_add_row (self->runsheet, _ ("站点"), r->station);
            dbn_print_form_add_row (self->runsheet, _ ("送达日期"), r->date);
            for (int i = 0; r->cases && r->cases[i] != NULL; i++) {
                DbnQueueItem *item = dbn_queue_model_lookup (self->model, r->cases[i]);
                dbn_print_form_add_row (self->runsheet, r->cases[i],
                                        item ? dbn_queue_item_get_matter_name (item) : "");
            }
        }
        return;
    }
    if (g_strcmp0 (cmd, "intake.visit") == 0) {
        g_autoptr (DbnMsgIntakeVisitReply) r = reply == NULL ? NULL
            : dbn_msg_intake_visit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
        g_autofree char *text = r != NULL ? g_strdup_printf (_ ("已记录走访 %s"), r->visit)
                                          : dbn_error_line (error);
        gtk_label_set_text (self->visit_status, text);
        refresh_visits (self);
        return;
    }
    if (g_strcmp0 (cmd, "intake.refuse") == 0) {
        g_autoptr (DbnMsgIntakeRefuseReply) r = reply == NULL ? NULL
            : dbn_msg_intake_refuse_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
        g_autofree char *text = r != NULL ? g_strdup_printf (_ ("不予受理，编号 %s（已记入代办记录簿）"), r->refusal)
                                          : dbn_error_line (error);
        gtk_label_set_text (self->result_label, text);
        refresh_logbook (self);
        return;
    }
    if (g_strcmp0 (cmd, "intake.supplement") == 0) {
        g_autoptr (DbnMsgIntakeSupplementReply) r = reply == NULL ? NULL
            : dbn_msg_intake_supplement_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
        g_autofree char *missing = r != NULL && r->missing && r->missing[0] ? g_strjoinv ("、", r->missing) : NULL;
        g_autofree char *text = r == NULL ? dbn_error_line (error)
            : missing != NULL ? g_strdup_printf (_ ("%s 已补交，仍缺：%s"), r->case_no, missing)
                              : g_strdup_printf (_ ("%s 材料已齐，恢复办理"), r->case_no);
        gtk_label_set_text (self->supplement_status, text);
        if (r != NULL && missing != NULL && g_strcmp0 (self->supplement_case, r->case_no) == 0)
            load_missing (self, r->case_no);
        else if (r != NULL && g_strcmp0 (self->supplement_case, r->case_no) == 0) {
            clear_supplement (self);
            gtk_label_set_text (self->supplement_label, "");
        }
        return;
    }
    GtkLabel *status = g_strcmp0 (cmd, "case.reply") == 0 || g_strcmp0 (cmd, "case.archive") == 0
        ? self->reply_status : self->runsheet_label;
    g_autofree char *text = error != NULL ? dbn_error_line (error) : g_strdup_printf (_ ("%s：完成"), cmd);
    gtk_label_set_text (status, text);
}

static void
action_runsheet_new (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    g_autoptr (DbnMsgRunsheetNew) m = dbn_msg_runsheet_new_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->station = g_strdup (self->station_id);
    gint64 id = enqueue (self, "routing", "runsheet.new", key, dbn_msg_runsheet_new_encode (m, NULL),
                         self->station_id, self->runsheet_label);
    if (id != 0) {
        g_hash_table_add (self->others, g_memdup2 (&id, sizeof id));
        gtk_label_set_text (self->runsheet_label, _ ("交接清单已存入待发箱（未发送）"));
    }
}

static void
action_reply (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    const char *case_no = selected_case (self);
    if (case_no == NULL) {
        gtk_label_set_text (self->reply_status, _ ("请先在“本站案件”中选择案件"));
        return;
    }
    DbnQueueItem *item = dbn_queue_model_lookup (self->model, case_no);
    gboolean done = item != NULL && g_strcmp0 (dbn_queue_item_get_state (item), "completed") == 0;
    const char *result = text_of (self->reply_result_entry);
    const char *reason = text_of (self->reply_reason_entry);
    /* D-RPL-1/2: a completed case is told its result, any other the reason. */
    if ((done && result == NULL) || (!done && reason == NULL)) {
        gtk_label_set_text (self->reply_status, done ? _ ("请填写办理结果") : _ ("未办结的案件须告知理由"));
        return;
    }
    guint rating = gtk_drop_down_get_selected (self->rating_drop);
    static const char *const ratings[] = { "satisfied", "basically", "unsatisfied" };
    gboolean signed_card = !dbn_signature_pad_is_empty (DBN_SIGNATURE_PAD (self->pad));
    /* The signature and the three-level rating stay with the case on this
     * PC: the reply command carries only satisfied yes/no and "confirmed";
     * the evaluation service (not built yet) will take the rating. */
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_build_filename (self->client_dir, "cases", case_no, NULL);
    g_mkdir_with_parents (dir, 0700);
    if (signed_card) {
        g_autofree char *png = g_build_filename (dir, "signature.png", NULL);
        if (!dbn_signature_pad_save_png (DBN_SIGNATURE_PAD (self->pad), png, &error)) {
            gtk_label_set_text (self->reply_status, error->message);
            return;
        }
    }
    g_autoptr (GKeyFile) record = g_key_file_new ();
    g_key_file_set_string (record, "reply", "case", case_no);
    g_key_file_set_string (record, "reply", "rating", ratings[MIN (rating, 2)]);
    g_key_file_set_boolean (record, "reply", "signed", signed_card);
    g_key_file_set_string (record, "reply", "text", done ? result : reason);
    g_autofree char *ini = g_build_filename (dir, "reply.ini", NULL);
    g_key_file_save_to_file (record, ini, NULL);

    g_autoptr (DbnMsgCaseReply) m = dbn_msg_case_reply_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (case_no);
    m->result = g_strdup (done ? result : NULL);
    m->reason = g_strdup (done ? NULL : reason);
    m->has_satisfied = TRUE;
    m->satisfied = rating < 2;
    m->has_confirmed = TRUE;
    m->confirmed = signed_card;
    g_autofree char *label = g_strdup_printf ("case.reply %s", case_no);
    gint64 id = enqueue (self, "routing", "case.reply", key, dbn_msg_case_reply_encode (m, NULL),
                         label, self->reply_status);
    if (id != 0) {
        g_hash_table_add (self->others, g_memdup2 (&id, sizeof id));
        gtk_label_set_text (self->reply_status, _ ("答复已存入待发箱（未发送）"));
    }
}

/* D-RPL-4: a replied case is archived (建档) and read-only from then on; it
 * leaves every queue when routing's case.archived arrives. */
static void
action_archive (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    const char *case_no = selected_case (self);
    if (case_no == NULL) {
        gtk_label_set_text (self->reply_status, _ ("请先在“本站案件”中选择案件"));
        return;
    }
    g_autoptr (DbnMsgCaseArchive) m = dbn_msg_case_archive_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (case_no);
    g_autofree char *label = g_strdup_printf ("case.archive %s", case_no);
    gint64 id = enqueue (self, "routing", "case.archive", key, dbn_msg_case_archive_encode (m, NULL),
                         label, self->reply_status);
    if (id != 0)
        g_hash_table_add (self->others, g_memdup2 (&id, sizeof id));
}

static void
action_clear_signature (GtkWidget *widget, const char *name, GVariant *param)
{
    dbn_signature_pad_clear (DBN_SIGNATURE_PAD (DBN_STATION_VIEW (widget)->pad));
}

static void
print_form (DbnStationView *self, DbnPrintForm *form, const char *missing_text)
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
    DbnStationView *self = DBN_STATION_VIEW (widget);
    print_form (self, self->acceptance, _ ("尚无已受理的案件"));
}

static void
action_print_notice (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    print_form (self, self->notice, _ ("本案材料齐全，无需一次性告知"));
}

static void
action_print_runsheet (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    print_form (self, self->runsheet, _ ("请先新建交接清单"));
}

static void
action_export_pdf (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    if (self->acceptance == NULL) {
        gtk_label_set_text (self->result_label, _ ("尚无已受理的案件"));
        return;
    }
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_build_filename (self->client_dir, "cases", self->last_case, NULL);
    g_mkdir_with_parents (dir, 0700);
    g_autofree char *a = g_build_filename (dir, "acceptance.pdf", NULL);
    g_autofree char *n = g_build_filename (dir, "notice.pdf", NULL);
    if (!dbn_print_form_export_pdf (self->acceptance, a, &error) ||
        (self->notice != NULL && !dbn_print_form_export_pdf (self->notice, n, &error))) {
        gtk_label_set_text (self->result_label, error->message);
        return;
    }
    g_autofree char *text = g_strdup_printf (_ ("已导出：%s%s%s"), a, self->notice ? "\n" : "",
                                             self->notice ? n : "");
    gtk_label_set_text (self->result_label, text);
}

/* ---- household visits (D-INT-1) ---- */

static void
on_visit_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationView) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgIntakeVisitListReply) r = reply == NULL ? NULL
        : dbn_msg_intake_visit_list_reply_decode (g_bytes_get_data (reply, NULL),
                                                  g_bytes_get_size (reply), &error);
    if (self->visit_lines == NULL)
        return; /* disposed meanwhile */
    if (r == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->visit_status, line);
        return;
    }
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    g_ptr_array_set_size (self->visit_needs, 0);
    for (guint i = 0; i < r->visits->len; i++) {
        g_autoptr (DbnMsgIntakeVisitItem) v = dbn_msg_intake_visit_item_decode (
            g_bytes_get_data (r->visits->pdata[i], NULL), g_bytes_get_size (r->visits->pdata[i]), NULL);
        if (v == NULL)
            continue;
        g_autoptr (GDateTime) when = dbn_clock_local_from_ms (v->visited_at);
        g_autofree char *at = g_date_time_format (when, "%Y-%m-%d %H:%M");
        g_autofree char *cases = v->cases && v->cases[0] ? g_strjoinv ("、", v->cases) : NULL;
        /* A visit without needs still shows, as one row with nothing to turn. */
        guint n = v->needs ? g_strv_length (v->needs) : 0;
        for (guint j = 0; j < MAX (n, 1); j++) {
            VisitNeed *need = g_new0 (VisitNeed, 1);
            need->visit = g_strdup (v->visit);
            need->household = g_strdup (v->household);
            need->address = g_strdup (v->address);
            need->need = g_strdup (n > 0 ? v->needs[j] : NULL);
            g_ptr_array_add (self->visit_needs, need);
            g_autofree char *case_text = cases ? g_strdup_printf (_ ("（已转：%s）"), cases) : g_strdup ("");
            g_ptr_array_add (lines, g_strdup_printf ("%s  %s  %s  %s%s", v->visit, at, v->household,
                                                     n > 0 ? v->needs[j] : _ ("无需求"),
                                                     n > 0 ? case_text : ""));
        }
    }
    g_ptr_array_add (lines, NULL);
    gtk_string_list_splice (self->visit_lines, 0, g_list_model_get_n_items (G_LIST_MODEL (self->visit_lines)),
                            (const char *const *) lines->pdata);
    g_autofree char *text = g_strdup_printf (_ ("共 %u 次走访"), r->visits->len);
    gtk_label_set_text (self->visit_status, text);
}

static void
refresh_visits (DbnStationView *self)
{
    g_autoptr (DbnMsgIntakeVisitList) m = dbn_msg_intake_visit_list_new ();
    m->env.key = dbn_command_new_key ();
    m->village = g_strdup (self->village);
    g_autoptr (GBytes) body = dbn_msg_intake_visit_list_encode (m, NULL);
    dbn_connection_call_async (self->connection, "intake", body, READ_TIMEOUT_MS, on_visit_list,
                               g_object_ref (self));
}

static void
action_visits_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    refresh_visits (DBN_STATION_VIEW (widget));
}

static void
action_visit (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    if (text_of (self->household_entry) == NULL) {
        gtk_label_set_text (self->visit_status, _ ("请填写户主"));
        return;
    }
    g_autoptr (DbnMsgIntakeVisit) m = dbn_msg_intake_visit_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->village = g_strdup (self->village);
    m->household = g_strdup (text_of (self->household_entry));
    m->address = g_strdup (text_of (self->visit_address_entry));
    m->note = g_strdup (text_of (self->visit_note_entry));
    guint must = gtk_drop_down_get_selected (self->must_visit_drop);
    m->must_visit = g_strdup (must < G_N_ELEMENTS (must_visits) ? must_visits[must] : NULL);
    /* Needs are typed one after another, separated by ； or ; */
    GPtrArray *needs = g_ptr_array_new ();
    g_autofree char *typed = g_strdup (text_of (self->needs_entry) ? text_of (self->needs_entry) : "");
    g_auto (GStrv) parts = g_regex_split_simple ("[；;]", typed, 0, 0);
    for (int i = 0; parts[i] != NULL; i++) {
        g_strstrip (parts[i]);
        if (*parts[i] != '\0')
            g_ptr_array_add (needs, g_strdup (parts[i]));
    }
    g_ptr_array_add (needs, NULL);
    m->needs = (char **) g_ptr_array_free (needs, FALSE);
    g_autofree char *label = g_strdup_printf ("intake.visit %s", m->household);
    gint64 id = enqueue (self, "intake", "intake.visit", key, dbn_msg_intake_visit_encode (m, NULL),
                         label, self->visit_status);
    if (id == 0)
        return;
    g_hash_table_add (self->others, g_memdup2 (&id, sizeof id));
    gtk_label_set_text (self->visit_status, _ ("走访已存入待发箱（未发送）"));
    GtkEntry *clear[] = { self->household_entry, self->visit_address_entry, self->needs_entry,
                          self->visit_note_entry };
    for (gsize i = 0; i < G_N_ELEMENTS (clear); i++)
        gtk_editable_set_text (GTK_EDITABLE (clear[i]), "");
    gtk_drop_down_set_selected (self->must_visit_drop, 0);
}

static void
set_form_visit (DbnStationView *self, const char *visit)
{
    g_free (self->visit);
    self->visit = g_strdup (visit);
    g_autofree char *text = visit ? g_strdup_printf (_ ("来自走访 %s 的需求"), visit) : NULL;
    gtk_label_set_text (self->visit_label, text ? text : "");
    gtk_widget_set_visible (GTK_WIDGET (self->visit_label), visit != NULL);
}

/* D-INT-1: a need found on a visit becomes a request: the form is filled
 * from it and the submit names the visit. The agent still chooses the
 * matter, the materials, the ID and the consent with the applicant. */
static void
action_visit_to_request (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    guint pos = gtk_single_selection_get_selected (self->visit_selection);
    VisitNeed *need = pos < self->visit_needs->len ? self->visit_needs->pdata[pos] : NULL;
    if (need == NULL || need->need == NULL) {
        gtk_label_set_text (self->visit_status, _ ("请先选择一项需求"));
        return;
    }
    gtk_editable_set_text (GTK_EDITABLE (self->applicant_entry), need->household);
    gtk_editable_set_text (GTK_EDITABLE (self->address_entry), need->address ? need->address : "");
    gtk_editable_set_text (GTK_EDITABLE (self->note_entry), need->need);
    set_form_visit (self, need->visit);
    gtk_stack_set_visible_child_name (self->stack, "intake");
}

/* ---- refusal (D-INT-5) ---- */

static void
action_refuse (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
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
    gint64 id = enqueue (self, "intake", "intake.refuse", key, dbn_msg_intake_refuse_encode (m, NULL),
                         label, self->result_label);
    if (id == 0)
        return;
    g_hash_table_add (self->others, g_memdup2 (&id, sizeof id));
    gtk_label_set_text (self->result_label, _ ("不予受理已存入待发箱（未发送）"));
    self->refused = FALSE;
    GtkEntry *clear[] = { self->applicant_entry, self->id_entry, self->phone_entry, self->address_entry,
                          self->note_entry, self->refuse_reason_entry, self->refuse_apply_to_entry };
    for (gsize i = 0; i < G_N_ELEMENTS (clear); i++)
        gtk_editable_set_text (GTK_EDITABLE (clear[i]), "");
    set_form_visit (self, NULL);
}

/* ---- supplement (D-INT-4) ---- */

static void
clear_supplement (DbnStationView *self)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->supplement_box))) != NULL)
        gtk_box_remove (self->supplement_box, child);
    g_ptr_array_set_size (self->supplement_checks, 0);
    g_clear_pointer (&self->supplement_case, g_free);
}

typedef struct {
    DbnStationView *self; /* owned ref */
    char           *case_no;
} Read;

static void
read_free (Read *r)
{
    g_object_unref (r->self);
    g_free (r->case_no);
    g_free (r);
}

static void
on_missing (GObject *source, GAsyncResult *result, gpointer user_data)
{
    Read *r = user_data;
    DbnStationView *self = r->self;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgRoutingCaseGetReply) c = reply == NULL ? NULL
        : dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply, NULL),
                                                 g_bytes_get_size (reply), &error);
    DbnQueueItem *item = self->supplement_checks != NULL
        ? gtk_single_selection_get_selected_item (self->selection) : NULL;
    if (item == NULL || g_strcmp0 (dbn_queue_item_get_case_no (item), r->case_no) != 0) {
        read_free (r);
        return;
    }
    if (c == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->supplement_status, line);
        read_free (r);
        return;
    }
    clear_supplement (self);
    self->supplement_case = g_strdup (r->case_no);
    for (int i = 0; c->missing && c->missing[i] != NULL; i++) {
        GtkWidget *check = gtk_check_button_new_with_label (c->missing[i]);
        gtk_box_append (self->supplement_box, check);
        g_ptr_array_add (self->supplement_checks, check);
    }
    g_autofree char *missing = c->missing && c->missing[0] ? g_strjoinv ("、", c->missing) : g_strdup ("—");
    g_autofree char *text = g_strdup_printf (_ ("%s 待补材料：%s（勾选申办人补交的材料）"), r->case_no, missing);
    gtk_label_set_text (self->supplement_label, text);
    read_free (r);
}

static void
load_missing (DbnStationView *self, const char *case_no)
{
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = dbn_command_new_key ();
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
    Read *r = g_new0 (Read, 1);
    r->self = g_object_ref (self);
    r->case_no = g_strdup (case_no);
    dbn_connection_call_async (self->connection, "routing", body, READ_TIMEOUT_MS, on_missing, r);
}

static void
action_supplement (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    if (self->supplement_case == NULL) {
        gtk_label_set_text (self->supplement_status, _ ("请先选择“待补材料”的案件"));
        return;
    }
    GPtrArray *handed = g_ptr_array_new ();
    for (guint i = 0; i < self->supplement_checks->len; i++)
        if (gtk_check_button_get_active (self->supplement_checks->pdata[i]))
            g_ptr_array_add (handed, g_strdup (gtk_check_button_get_label (self->supplement_checks->pdata[i])));
    if (handed->len == 0) {
        g_ptr_array_free (handed, TRUE);
        gtk_label_set_text (self->supplement_status, _ ("请勾选补交的材料"));
        return;
    }
    g_ptr_array_add (handed, NULL);
    g_autoptr (DbnMsgIntakeSupplement) m = dbn_msg_intake_supplement_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->case_no = g_strdup (self->supplement_case);
    m->materials = (char **) g_ptr_array_free (handed, FALSE);
    g_autofree char *label = g_strdup_printf ("intake.supplement %s", m->case_no);
    gint64 id = enqueue (self, "intake", "intake.supplement", key,
                         dbn_msg_intake_supplement_encode (m, NULL), label, self->supplement_status);
    if (id == 0)
        return;
    g_hash_table_add (self->others, g_memdup2 (&id, sizeof id));
    gtk_label_set_text (self->supplement_status, _ ("补交材料已存入待发箱（未发送）"));
}

/* ---- the logbook (D-INT-3) ---- */

static const char *
entry_display (const char *entry)
{
    if (g_strcmp0 (entry, "accepted") == 0)
        return _ ("受理");
    if (g_strcmp0 (entry, "awaiting_materials") == 0)
        return _ ("受理（待补材料）");
    if (g_strcmp0 (entry, "refused") == 0)
        return _ ("不予受理");
    return entry != NULL ? entry : "";
}

static void request_logbook_page (DbnStationView *self);

/* One page of intake.logbook. A full page asks for the next, from the time
 * after its last entry, until the book is read (the CLI reads it the same way). */
static void
on_logbook (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationView) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgIntakeLogbookReply) r = reply == NULL ? NULL
        : dbn_msg_intake_logbook_reply_decode (g_bytes_get_data (reply, NULL),
                                               g_bytes_get_size (reply), &error);
    if (self->logbook_lines == NULL)
        return;
    if (r == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->logbook_status, line);
        return;
    }
    if (self->logbook_after == NULL) {
        g_clear_pointer (&self->logbook, dbn_print_form_free);
        self->logbook = dbn_print_form_new (DBN_FORM_LOGBOOK, self->village);
        self->logbook_count = 0;
        gtk_string_list_splice (self->logbook_lines, 0,
                                g_list_model_get_n_items (G_LIST_MODEL (self->logbook_lines)), NULL);
    }
    DbnCatalog *catalog = dbn_connection_get_catalog (self->connection);
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    gint64 last_at = self->logbook_from;
    g_autofree char *last_number = NULL;
    for (guint i = 0; i < r->entries->len; i++) {
        g_autoptr (DbnMsgIntakeLogbookEntry) e = dbn_msg_intake_logbook_entry_decode (
            g_bytes_get_data (r->entries->pdata[i], NULL), g_bytes_get_size (r->entries->pdata[i]), NULL);
        if (e == NULL)
            continue;
        last_at = e->at; /* oldest first: the last is the newest */
        g_free (last_number);
        last_number = g_strdup (e->number);
        g_autoptr (GDateTime) when = dbn_clock_local_from_ms (e->at);
        g_autofree char *at = g_date_time_format (when, "%Y-%m-%d %H:%M");
        const DbnMatter *m = e->matter ? dbn_catalog_lookup (catalog, e->matter) : NULL;
        /* The book is read by many: the ID comes masked, the name is masked here. */
        g_autofree char *applicant = dbn_mask_name (e->applicant);
        g_autofree char *body = g_strdup_printf ("%s  %s  %s %s  %s  %s%s%s", at, entry_display (e->entry),
                                                 applicant, e->id_number ? e->id_number : "",
                                                 m ? m->name_zh : (e->matter ? e->matter : "—"), e->by,
                                                 e->detail ? "  " : "", e->detail ? e->detail : "");
        dbn_print_form_add_row (self->logbook, e->number, body);
        g_ptr_array_add (lines, g_strdup_printf ("%s  %s", e->number, body));
        self->logbook_count++;
    }
    g_ptr_array_add (lines, NULL);
    gtk_string_list_splice (self->logbook_lines,
                            g_list_model_get_n_items (G_LIST_MODEL (self->logbook_lines)), 0,
                            (const char *const *) lines->pdata);
    gboolean more = r->truncated && last_number != NULL;
    g_autofree char *text = g_strdup_printf (more ? _ ("读取中… 已读 %u 条") : _ ("共 %u 条"),
                                             self->logbook_count);
    gtk_label_set_text (self->logbook_status, text);
    if (more) {
        /* The next page starts after the last entry read (its time and number). */
        self->logbook_from = last_at;
        g_free (self->logbook_after);
        self->logbook_after = g_steal_pointer (&last_number);
        request_logbook_page (self);
    }
}

static void
request_logbook_page (DbnStationView *self)
{
    g_autoptr (DbnMsgIntakeLogbook) m = dbn_msg_intake_logbook_new ();
    m->env.key = dbn_command_new_key ();
    m->village = g_strdup (self->village);
    m->has_from_ms = self->logbook_after != NULL;
    m->from_ms = self->logbook_from;
    m->after = g_strdup (self->logbook_after);
    g_autoptr (GBytes) body = dbn_msg_intake_logbook_encode (m, NULL);
    dbn_connection_call_async (self->connection, "intake", body, READ_TIMEOUT_MS, on_logbook,
                               g_object_ref (self));
}

static void
refresh_logbook (DbnStationView *self)
{
    self->logbook_from = 0;
    g_clear_pointer (&self->logbook_after, g_free);
    request_logbook_page (self);
}

static void
action_logbook_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    refresh_logbook (DBN_STATION_VIEW (widget));
}

static void
action_print_logbook (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    if (self->logbook == NULL) {
        gtk_label_set_text (self->logbook_status, _ ("请先刷新记录簿"));
        return;
    }
    dbn_print_form_print (self->logbook, GTK_WINDOW (gtk_widget_get_root (widget)));
}

static void
action_export_logbook (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationView *self = DBN_STATION_VIEW (widget);
    if (self->logbook == NULL) {
        gtk_label_set_text (self->logbook_status, _ ("请先刷新记录簿"));
        return;
    }
    g_autoptr (GError) error = NULL;
    g_mkdir_with_parents (self->client_dir, 0700);
    g_autofree char *path = g_build_filename (self->client_dir, "logbook.pdf", NULL);
    if (!dbn_print_form_export_pdf (self->logbook, path, &error)) {
        gtk_label_set_text (self->logbook_status, error->message);
        return;
    }
    g_autofree char *text = g_strdup_printf (_ ("已导出：%s"), path);
    gtk_label_set_text (self->logbook_status, text);
}

/* ---- life ---- */

static void
dbn_station_view_dispose (GObject *object)
{
    DbnStationView *self = DBN_STATION_VIEW (object);
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    g_clear_pointer (&self->feed, dbn_queue_feed_free);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_STATION_VIEW);
    g_clear_object (&self->visit_selection);
    g_clear_object (&self->visit_lines);
    g_clear_object (&self->logbook_lines);
    g_clear_pointer (&self->supplement_checks, g_ptr_array_unref);
    g_clear_object (&self->selection);
    g_clear_object (&self->matter_selection);
    g_clear_object (&self->model);
    g_clear_object (&self->filter);
    g_clear_object (&self->connection);
    g_clear_object (&self->outbox);
    G_OBJECT_CLASS (dbn_station_view_parent_class)->dispose (object);
}

static void
dbn_station_view_finalize (GObject *object)
{
    DbnStationView *self = DBN_STATION_VIEW (object);
    g_free (self->station_id);
    g_free (self->village);
    g_free (self->client_dir);
    g_free (self->last_case);
    g_free (self->visit);
    g_free (self->supplement_case);
    g_ptr_array_unref (self->visit_needs);
    dbn_print_form_free (self->logbook);
    g_free (self->logbook_after);
    g_key_file_unref (self->initials);
    g_ptr_array_unref (self->material_checks);
    g_hash_table_unref (self->submits);
    g_hash_table_unref (self->others);
    dbn_print_form_free (self->acceptance);
    dbn_print_form_free (self->notice);
    dbn_print_form_free (self->runsheet);
    G_OBJECT_CLASS (dbn_station_view_parent_class)->finalize (object);
}

static void
dbn_station_view_class_init (DbnStationViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_view_dispose;
    object_class->finalize = dbn_station_view_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_station_view.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, DbnStationView, name)
    CHILD (root); CHILD (stack); CHILD (matter_search); CHILD (matter_list); CHILD (materials_box);
    CHILD (matter_label); CHILD (applicant_entry); CHILD (id_entry); CHILD (id_check);
    CHILD (phone_entry); CHILD (address_entry); CHILD (note_entry); CHILD (consent_check);
    CHILD (result_label); CHILD (case_search); CHILD (columns); CHILD (runsheet_label);
    CHILD (reply_case_label); CHILD (reply_result_entry); CHILD (reply_reason_entry);
    CHILD (rating_drop); CHILD (pad_frame); CHILD (reply_status);
    CHILD (visit_label); CHILD (refuse_reason_entry); CHILD (refuse_apply_to_entry);
    CHILD (supplement_label); CHILD (supplement_box); CHILD (supplement_status);
    CHILD (household_entry); CHILD (visit_address_entry); CHILD (needs_entry); CHILD (must_visit_drop);
    CHILD (visit_note_entry); CHILD (visit_status); CHILD (visit_list);
    CHILD (logbook_status); CHILD (logbook_list);
#undef CHILD
    gtk_widget_class_bind_template_callback (widget_class, on_matter_search);
    gtk_widget_class_bind_template_callback (widget_class, on_id_changed);
    gtk_widget_class_bind_template_callback (widget_class, on_case_search);
    gtk_widget_class_install_action (widget_class, "station.submit", NULL, action_submit);
    gtk_widget_class_install_action (widget_class, "station.runsheet-new", NULL, action_runsheet_new);
    gtk_widget_class_install_action (widget_class, "station.reply", NULL, action_reply);
    gtk_widget_class_install_action (widget_class, "station.clear-signature", NULL, action_clear_signature);
    gtk_widget_class_install_action (widget_class, "station.archive", NULL, action_archive);
    gtk_widget_class_install_action (widget_class, "station.print-acceptance", NULL, action_print_acceptance);
    gtk_widget_class_install_action (widget_class, "station.print-notice", NULL, action_print_notice);
    gtk_widget_class_install_action (widget_class, "station.print-runsheet", NULL, action_print_runsheet);
    gtk_widget_class_install_action (widget_class, "station.export-pdf", NULL, action_export_pdf);
    gtk_widget_class_install_action (widget_class, "station.visit", NULL, action_visit);
    gtk_widget_class_install_action (widget_class, "station.visits-refresh", NULL, action_visits_refresh);
    gtk_widget_class_install_action (widget_class, "station.visit-to-request", NULL, action_visit_to_request);
    gtk_widget_class_install_action (widget_class, "station.refuse", NULL, action_refuse);
    gtk_widget_class_install_action (widget_class, "station.supplement", NULL, action_supplement);
    gtk_widget_class_install_action (widget_class, "station.logbook-refresh", NULL, action_logbook_refresh);
    gtk_widget_class_install_action (widget_class, "station.print-logbook", NULL, action_print_logbook);
    gtk_widget_class_install_action (widget_class, "station.export-logbook", NULL, action_export_logbook);
}

static void
dbn_station_view_init (DbnStationView *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->material_checks = g_ptr_array_new ();
    self->submits = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->others = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->initials = g_key_file_new ();
    g_autoptr (GBytes) data = g_resources_lookup_data ("/org/daiban/Client/initials.ini", 0, NULL);
    if (data != NULL)
        g_key_file_load_from_bytes (self->initials, data, G_KEY_FILE_NONE, NULL);
    GtkWidget *inputs[] = { GTK_WIDGET (self->applicant_entry), GTK_WIDGET (self->phone_entry),
                            GTK_WIDGET (self->address_entry), GTK_WIDGET (self->note_entry),
                            GTK_WIDGET (self->refuse_reason_entry), GTK_WIDGET (self->refuse_apply_to_entry) };
    for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
        g_signal_connect_swapped (inputs[i], "changed", G_CALLBACK (on_form_changed), self);
    g_signal_connect_swapped (self->consent_check, "toggled", G_CALLBACK (on_form_changed), self);
    self->supplement_checks = g_ptr_array_new ();
    self->visit_needs = g_ptr_array_new_with_free_func ((GDestroyNotify) visit_need_free);
    self->visit_lines = gtk_string_list_new (NULL);
    self->visit_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->visit_lines)));
    gtk_single_selection_set_autoselect (self->visit_selection, FALSE);
    gtk_single_selection_set_can_unselect (self->visit_selection, TRUE);
    self->logbook_lines = gtk_string_list_new (NULL);
    GtkListItemFactory *lines_factory = dbn_text_rows_factory_new ();
    gtk_list_view_set_factory (self->visit_list, lines_factory);
    gtk_list_view_set_factory (self->logbook_list, lines_factory);
    g_object_unref (lines_factory);
    gtk_list_view_set_model (self->visit_list, GTK_SELECTION_MODEL (g_object_ref (self->visit_selection)));
    gtk_list_view_set_model (self->logbook_list,
        GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->logbook_lines)))));
    g_autoptr (GtkStringList) musts = gtk_string_list_new ((const char *[]) {
        _ ("（无）"), _ ("困难户"), _ ("信访户"), _ ("党员户"), NULL });
    gtk_drop_down_set_model (self->must_visit_drop, G_LIST_MODEL (musts));
    self->pad = dbn_signature_pad_new ();
    gtk_frame_set_child (self->pad_frame, self->pad);
    g_autoptr (GtkStringList) ratings = gtk_string_list_new ((const char *[]) {
        _ ("满意"), _ ("基本满意"), _ ("不满意"), NULL });
    gtk_drop_down_set_model (self->rating_drop, G_LIST_MODEL (ratings));
}

GtkWidget *
dbn_station_view_new (DbnConnection *connection, DbnOutbox *outbox, const char *station_id,
                      const char *client_dir)
{
    DbnStationView *self = g_object_new (DBN_TYPE_STATION_VIEW, NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->station_id = g_strdup (station_id);
    self->client_dir = g_strdup (client_dir);
    DbnOrg *org = dbn_connection_get_org (connection);
    const DbnStation *st = org ? dbn_org_lookup_station (org, station_id) : NULL;
    /* By convention a station's id is its village's (org.ini). */
    self->village = g_strdup (st ? st->village : station_id);

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
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (setup_matter_row), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_matter_row), self);
    gtk_list_view_set_factory (self->matter_list, factory);
    g_object_unref (factory);
    gtk_list_view_set_model (self->matter_list, GTK_SELECTION_MODEL (g_object_ref (self->matter_selection)));

    self->model = dbn_queue_model_new (catalog);
    self->filter = dbn_queue_filter_new (GTK_EDITABLE (self->case_search));
    self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->model)), NULL);
    DbnColumn cols[] = { DBN_COLUMN_CASE, DBN_COLUMN_MATTER, DBN_COLUMN_STATE, DBN_COLUMN_KIND,
                         DBN_COLUMN_WINDOW, DBN_COLUMN_DUE, DBN_COLUMN_LOCATION };
    for (gsize i = 0; i < G_N_ELEMENTS (cols); i++)
        dbn_queue_columns_add (self->columns, cols[i], connection, NULL, NULL);
    GtkSorter *sorter = gtk_column_view_get_sorter (self->columns);
    GtkSortListModel *sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                                        sorter ? g_object_ref (sorter) : NULL);
    self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
    gtk_single_selection_set_autoselect (self->selection, FALSE);
    gtk_single_selection_set_can_unselect (self->selection, TRUE);
    gtk_column_view_set_model (self->columns, GTK_SELECTION_MODEL (g_object_ref (self->selection)));
    g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (on_case_selected), self);

    /* Submits still in the outbox from an earlier run show as not yet sent. */
    g_autoptr (GPtrArray) pending = dbn_outbox_dup_pending (outbox);
    for (guint i = 0; i < pending->len; i++) {
        DbnOutboxRow *row = pending->pdata[i];
        if (g_strcmp0 (row->cmd, "intake.submit") == 0) {
            g_hash_table_add (self->submits, g_memdup2 (&row->id, sizeof row->id));
            add_pending_row (self, row->id, row->label);
        }
    }
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
    g_autofree char *topic = g_strdup_printf ("s/%s/", station_id);
    self->feed = dbn_queue_feed_new (connection, self->model, "station", station_id, topic, &feed_hooks, self);
    refresh_visits (self);
    refresh_logbook (self);
    return GTK_WIDGET (self);
}

DbnQueueModel *dbn_station_view_get_model (DbnStationView *self) { return self->model; }
DbnDueFeed *dbn_station_view_get_due_feed (DbnStationView *self) { return dbn_queue_feed_get_due_feed (self->feed); }
const char *dbn_station_view_get_result (DbnStationView *self) { return gtk_label_get_text (self->result_label); }
const char *dbn_station_view_get_last_case (DbnStationView *self) { return self->last_case; }
GtkWidget *dbn_station_view_get_signature_pad (DbnStationView *self) { return self->pad; }

guint
dbn_station_view_get_n_matches (DbnStationView *self)
{
    return g_list_model_get_n_items (G_LIST_MODEL (self->matters));
}

void
dbn_station_view_show_page (DbnStationView *self, const char *name)
{
    gtk_stack_set_visible_child_name (self->stack, name);
}

gboolean
dbn_station_view_choose_matter (DbnStationView *self, const char *code)
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
dbn_station_view_tick_materials (DbnStationView *self, guint n)
{
    for (guint i = 0; i < self->material_checks->len; i++)
        gtk_check_button_set_active (self->material_checks->pdata[i], i < n);
}

gboolean
dbn_station_view_select (DbnStationView *self, const char *case_no)
{
    GListModel *list = G_LIST_MODEL (self->selection);
    for (guint i = 0; i < g_list_model_get_n_items (list); i++) {
        g_autoptr (DbnQueueItem) item = g_list_model_get_item (list, i);
        if (g_strcmp0 (dbn_queue_item_get_case_no (item), case_no) == 0) {
            gtk_single_selection_set_selected (self->selection, i);
            return TRUE;
        }
    }
    return FALSE;
}

GtkEditable *
dbn_station_view_get_entry (DbnStationView *self, const char *name)
{
    static const struct { const char *name; gsize offset; } fields[] = {
        { "matter-search", G_STRUCT_OFFSET (DbnStationView, matter_search) },
        { "applicant", G_STRUCT_OFFSET (DbnStationView, applicant_entry) },
        { "id-number", G_STRUCT_OFFSET (DbnStationView, id_entry) },
        { "phone", G_STRUCT_OFFSET (DbnStationView, phone_entry) },
        { "address", G_STRUCT_OFFSET (DbnStationView, address_entry) },
        { "note", G_STRUCT_OFFSET (DbnStationView, note_entry) },
        { "reply-result", G_STRUCT_OFFSET (DbnStationView, reply_result_entry) },
        { "reply-reason", G_STRUCT_OFFSET (DbnStationView, reply_reason_entry) },
        { "case-search", G_STRUCT_OFFSET (DbnStationView, case_search) },
        { "refuse-reason", G_STRUCT_OFFSET (DbnStationView, refuse_reason_entry) },
        { "refuse-apply-to", G_STRUCT_OFFSET (DbnStationView, refuse_apply_to_entry) },
        { "household", G_STRUCT_OFFSET (DbnStationView, household_entry) },
        { "visit-address", G_STRUCT_OFFSET (DbnStationView, visit_address_entry) },
        { "needs", G_STRUCT_OFFSET (DbnStationView, needs_entry) },
        { "visit-note", G_STRUCT_OFFSET (DbnStationView, visit_note_entry) },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
        if (g_strcmp0 (name, fields[i].name) == 0)
            return GTK_EDITABLE (G_STRUCT_MEMBER (gpointer, self, fields[i].offset));
    return NULL;
}

void
dbn_station_view_set_consent (DbnStationView *self, gboolean consent)
{
    gtk_check_button_set_active (self->consent_check, consent);
}

GListModel *dbn_station_view_get_visits (DbnStationView *self) { return G_LIST_MODEL (self->visit_lines); }
GListModel *dbn_station_view_get_logbook (DbnStationView *self) { return G_LIST_MODEL (self->logbook_lines); }
const char *dbn_station_view_get_visit (DbnStationView *self) { return self->visit; }
const char *dbn_station_view_get_supplement_case (DbnStationView *self) { return self->supplement_case; }

void
dbn_station_view_select_visit_need (DbnStationView *self, guint position)
{
    gtk_single_selection_set_selected (self->visit_selection, position);
}

guint
dbn_station_view_get_n_missing (DbnStationView *self)
{
    return self->supplement_checks->len;
}

void
dbn_station_view_tick_supplement (DbnStationView *self, guint n)
{
    for (guint i = 0; i < self->supplement_checks->len; i++)
        gtk_check_button_set_active (self->supplement_checks->pdata[i], i < n);
}

const char *
dbn_station_view_get_status (DbnStationView *self, const char *page)
{
    GtkLabel *label = g_strcmp0 (page, "visits") == 0 ? self->visit_status
        : g_strcmp0 (page, "supplement") == 0 ? self->supplement_status
        : g_strcmp0 (page, "logbook") == 0 ? self->logbook_status
        : g_strcmp0 (page, "reply") == 0 ? self->reply_status
        : g_strcmp0 (page, "cases") == 0 ? self->runsheet_label : self->result_label;
    return gtk_label_get_text (label);
}
