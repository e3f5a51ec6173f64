/* dbn_station_cases.c: the station's cases page.
 *
 * Models: the station's DbnQueueModel (kept by the host's DbnQueueFeed,
 * with the intake page's not-yet-sent submits) → GtkFilterListModel (the
 * search) → GtkSortListModel (the column headers) → GtkSingleSelection,
 * which the reply page shares. A run sheet (runsheet.new) lists the cases
 * going to the centre and prints. A case awaiting materials (D-INT-4) shows
 * its missing list (routing.case.get) as check boxes for
 * intake.supplement; commands go through the outbox, so they are taken
 * offline too.
 */
#include "dbn_station_cases-private.h"

#include <glib/gi18n.h>

#include "dbn_case_papers.h"
#include "dbn_commands.h"
#include "dbn_print.h"
#include "dbn_queue_columns.h"
#include "dbn_station_pages.h"

struct _DbnStationCases {
    GtkWidget parent_instance;
    DbnConnection *connection;     /* owned ref */
    DbnOutbox *outbox;             /* owned ref */
    DbnQueueModel *model;          /* owned ref: the station's queue */
    char *station_id;              /* whose station */
    char *client_dir;              /* local files: the run sheets' PDFs */
    char *runsheet_id;             /* the sheet of runsheet, as a file name */
    GtkFilterListModel *filtered;  /* by the case search */
    GtkFilter *filter;             /* the search filter, set while the search is not empty */
    GtkSingleSelection *selection; /* the case the supplement and the reply act on */
    GHashTable *sent;              /* outbox id (gint64*) → TRUE: our commands */
    char *supplement_case;         /* the awaiting case whose missing list shows */
    GPtrArray *supplement_checks;  /* GtkCheckButton*, borrowed */
    DbnPrintForm *runsheet;        /* the last run sheet */
    gulong replied_id;             /* the outbox's */
    /* template children */
    GtkSearchEntry *case_search;
    GtkColumnView *columns;
    GtkLabel *runsheet_label;
    GtkLabel *supplement_label;
    GtkBox *supplement_box;
    GtkLabel *supplement_status;
    DbnCasePapers *papers; /* the selected case's papers, from the services */
};

G_DEFINE_TYPE (DbnStationCases, dbn_station_cases, GTK_TYPE_WIDGET)

static void load_missing (DbnStationCases *self, const char *case_no);

/* ---- the list ---- */

static void
on_case_search (DbnStationCases *self, GtkSearchEntry *entry)
{
    dbn_queue_filter_update (self->filtered, self->filter, GTK_EDITABLE (self->case_search));
}

static void
clear_supplement (DbnStationCases *self)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->supplement_box))) != NULL)
        gtk_box_remove (self->supplement_box, child);
    g_ptr_array_set_size (self->supplement_checks, 0);
    g_clear_pointer (&self->supplement_case, g_free);
}

static void
on_case_selected (GtkSingleSelection *selection, GParamSpec *pspec, gpointer user_data)
{
    DbnStationCases *self = user_data;
    DbnQueueItem *item = gtk_single_selection_get_selected_item (selection);
    if (item == NULL || dbn_queue_item_get_pending (item))
        return;
    dbn_case_papers_set_case (self->papers, dbn_queue_item_get_case_no (item));
    clear_supplement (self);
    if (g_strcmp0 (dbn_queue_item_get_state (item), "awaiting_materials") == 0) {
        load_missing (self, dbn_queue_item_get_case_no (item));
    } else {
        g_autofree char *line =
            g_strdup_printf (_ ("%s：%s，无需补交材料"), dbn_queue_item_get_case_no (item),
                             dbn_state_display (dbn_queue_item_get_state (item)));
        gtk_label_set_text (self->supplement_label, line);
    }
}

/* ---- the run sheet ---- */

static void
runsheet_made (DbnStationCases *self, GBytes *reply)
{
    g_autoptr (DbnMsgRunsheetNewReply) r =
        dbn_msg_runsheet_new_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
    if (r == NULL)
        return;
    g_autofree char *list = r->cases && r->cases[0] ? g_strjoinv ("、", r->cases) : g_strdup (_ ("（无）"));
    g_autofree char *text = g_strdup_printf (_ ("交接清单 %s（%s）：%s"), r->sheet, r->date, list);
    gtk_label_set_text (self->runsheet_label, text);
    g_clear_pointer (&self->runsheet, dbn_print_form_free);
    self->runsheet = dbn_print_form_new (DBN_FORM_RUNSHEET, r->sheet);
    g_free (self->runsheet_id);
    /* The sheet id names the PDF: routing made it, so keep to a file name. */
    self->runsheet_id = g_strcanon (g_strdup (r->sheet), G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_", '_');
    dbn_print_form_add_row (self->runsheet, _ ("站点"), r->station);
    dbn_print_form_add_row (self->runsheet, _ ("送达日期"), r->date);
    for (int i = 0; r->cases && r->cases[i] != NULL; i++) {
        DbnQueueItem *item = dbn_queue_model_lookup (self->model, r->cases[i]);
        dbn_print_form_add_row (self->runsheet, r->cases[i],
                                item ? dbn_queue_item_get_matter_name (item) : "");
    }
}

static void
action_runsheet_new (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationCases *self = DBN_STATION_CASES (widget);
    g_autoptr (DbnMsgRunsheetNew) m = dbn_msg_runsheet_new_new ();
    g_autofree char *key = dbn_command_new_key ();
    m->env.key = g_strdup (key);
    m->station = g_strdup (self->station_id);
    gint64 id =
        dbn_station_enqueue (self->outbox, "routing", "runsheet.new", key,
                             dbn_msg_runsheet_new_encode (m, NULL), self->station_id, self->runsheet_label);
    if (id != 0) {
        g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
        gtk_label_set_text (self->runsheet_label, _ ("交接清单已存入待发箱（未发送）"));
    }
}

static void
action_print_runsheet (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationCases *self = DBN_STATION_CASES (widget);
    if (self->runsheet == NULL) {
        gtk_label_set_text (self->runsheet_label, _ ("请先新建交接清单"));
        return;
    }
    dbn_print_form_print (self->runsheet, GTK_WINDOW (gtk_widget_get_root (widget)));
}

/* D-RTE-3: the run sheet as a PDF too, in runsheets/<sheet>.pdf of the
 * client's folder (to send or print elsewhere). */
static void
action_export_runsheet (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationCases *self = DBN_STATION_CASES (widget);
    if (self->runsheet == NULL) {
        gtk_label_set_text (self->runsheet_label, _ ("请先新建交接清单"));
        return;
    }
    g_autofree char *dir = g_build_filename (self->client_dir, "runsheets", NULL);
    g_mkdir_with_parents (dir, 0700);
    g_autofree char *file = g_strdup_printf ("%s.pdf", self->runsheet_id);
    g_autofree char *path = g_build_filename (dir, file, NULL);
    g_autoptr (GError) error = NULL;
    if (!dbn_print_form_export_pdf (self->runsheet, path, &error)) {
        gtk_label_set_text (self->runsheet_label, error->message);
        return;
    }
    g_autofree char *text = g_strdup_printf (_ ("已导出：%s"), path);
    gtk_label_set_text (self->runsheet_label, text);
}

/* ---- supplement (D-INT-4) ---- */

typedef struct {
    DbnStationCases *self; /* owned ref */
    char *case_no;
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
    DbnStationCases *self = r->self;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgRoutingCaseGetReply) c =
        reply == NULL ? NULL
                      : dbn_msg_routing_case_get_reply_decode (g_bytes_get_data (reply, NULL),
                                                               g_bytes_get_size (reply), &error);
    DbnQueueItem *item =
        self->supplement_checks != NULL ? gtk_single_selection_get_selected_item (self->selection) : NULL;
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
    g_autofree char *text =
        g_strdup_printf (_ ("%s 待补材料：%s（勾选申办人补交的材料）"), r->case_no, missing);
    gtk_label_set_text (self->supplement_label, text);
    read_free (r);
}

static void
load_missing (DbnStationCases *self, const char *case_no)
{
    g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
    m->env.key = dbn_command_new_key ();
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, NULL);
    Read *r = g_new0 (Read, 1);
    r->self = g_object_ref (self);
    r->case_no = g_strdup (case_no);
    dbn_connection_call_async (self->connection, "routing", body, DBN_STATION_READ_TIMEOUT_MS, on_missing, r);
}

static void
action_supplement (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationCases *self = DBN_STATION_CASES (widget);
    if (self->supplement_case == NULL) {
        gtk_label_set_text (self->supplement_status, _ ("请先选择“待补材料”的案件"));
        return;
    }
    GPtrArray *handed = g_ptr_array_new ();
    for (guint i = 0; i < self->supplement_checks->len; i++)
        if (gtk_check_button_get_active (self->supplement_checks->pdata[i]))
            g_ptr_array_add (handed,
                             g_strdup (gtk_check_button_get_label (self->supplement_checks->pdata[i])));
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
    gint64 id =
        dbn_station_enqueue (self->outbox, "intake", "intake.supplement", key,
                             dbn_msg_intake_supplement_encode (m, NULL), label, self->supplement_status);
    if (id == 0)
        return;
    g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
    gtk_label_set_text (self->supplement_status, _ ("补交材料已存入待发箱（未发送）"));
}

static void
supplemented (DbnStationCases *self, GBytes *reply, GError *error)
{
    g_autoptr (DbnMsgIntakeSupplementReply) r =
        reply == NULL ? NULL
                      : dbn_msg_intake_supplement_reply_decode (g_bytes_get_data (reply, NULL),
                                                                g_bytes_get_size (reply), NULL);
    g_autofree char *missing =
        r != NULL && r->missing && r->missing[0] ? g_strjoinv ("、", r->missing) : NULL;
    g_autofree char *text = r == NULL ? dbn_error_line (error)
                            : missing != NULL
                                ? g_strdup_printf (_ ("%s 已补交，仍缺：%s"), r->case_no, missing)
                                : g_strdup_printf (_ ("%s 材料已齐，恢复办理"), r->case_no);
    gtk_label_set_text (self->supplement_status, text);
    if (r != NULL && missing != NULL && g_strcmp0 (self->supplement_case, r->case_no) == 0)
        load_missing (self, r->case_no);
    else if (r != NULL && g_strcmp0 (self->supplement_case, r->case_no) == 0) {
        clear_supplement (self);
        gtk_label_set_text (self->supplement_label, "");
    }
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    DbnStationCases *self = user_data;
    if (!g_hash_table_remove (self->sent, &id))
        return;
    if (g_strcmp0 (cmd, "runsheet.new") == 0 && reply != NULL) {
        runsheet_made (self, reply);
        return;
    }
    if (g_strcmp0 (cmd, "intake.supplement") == 0) {
        supplemented (self, reply, error);
        return;
    }
    g_autofree char *text = error != NULL ? dbn_error_line (error) : g_strdup_printf (_ ("%s：完成"), cmd);
    gtk_label_set_text (self->runsheet_label, text);
}

/* ---- life ---- */

static void
dbn_station_cases_dispose (GObject *object)
{
    DbnStationCases *self = DBN_STATION_CASES (object);
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_STATION_CASES);
    g_clear_pointer (&self->supplement_checks, g_ptr_array_unref);
    g_clear_object (&self->selection);
    g_clear_object (&self->filter);
    g_clear_object (&self->model);
    g_clear_object (&self->connection);
    g_clear_object (&self->outbox);
    G_OBJECT_CLASS (dbn_station_cases_parent_class)->dispose (object);
}

static void
dbn_station_cases_finalize (GObject *object)
{
    DbnStationCases *self = DBN_STATION_CASES (object);
    g_free (self->station_id);
    g_free (self->client_dir);
    g_free (self->runsheet_id);
    g_free (self->supplement_case);
    g_hash_table_unref (self->sent);
    dbn_print_form_free (self->runsheet);
    G_OBJECT_CLASS (dbn_station_cases_parent_class)->finalize (object);
}

static void
dbn_station_cases_class_init (DbnStationCasesClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_cases_dispose;
    object_class->finalize = dbn_station_cases_finalize;
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    g_type_ensure (DBN_TYPE_CASE_PAPERS);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_station_cases.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, DbnStationCases, name)
    CHILD (case_search);
    CHILD (columns);
    CHILD (runsheet_label);
    CHILD (supplement_label);
    CHILD (supplement_box);
    CHILD (supplement_status);
    CHILD (papers);
#undef CHILD
    gtk_widget_class_bind_template_callback (widget_class, on_case_search);
    gtk_widget_class_install_action (widget_class, "cases.runsheet-new", NULL, action_runsheet_new);
    gtk_widget_class_install_action (widget_class, "cases.print-runsheet", NULL, action_print_runsheet);
    gtk_widget_class_install_action (widget_class, "cases.export-runsheet", NULL, action_export_runsheet);
    gtk_widget_class_install_action (widget_class, "cases.supplement", NULL, action_supplement);
}

static void
dbn_station_cases_init (DbnStationCases *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->supplement_checks = g_ptr_array_new ();
}

void
dbn_station_cases_set_up (DbnStationCases *self, DbnConnection *connection, DbnOutbox *outbox,
                          DbnQueueModel *model, const char *station_id, const char *client_dir)
{
    g_return_if_fail (DBN_IS_STATION_CASES (self) && self->connection == NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->model = g_object_ref (model);
    self->station_id = g_strdup (station_id);
    self->client_dir = g_strdup (client_dir);
    dbn_case_papers_set_up (self->papers, connection, client_dir);
    self->filter = dbn_queue_filter_new (GTK_EDITABLE (self->case_search));
    static const DbnColumn cols[] = { DBN_COLUMN_CASE,    DBN_COLUMN_MATTER, DBN_COLUMN_STATE,
                                      DBN_COLUMN_KIND,    DBN_COLUMN_WINDOW, DBN_COLUMN_DUE,
                                      DBN_COLUMN_LOCATION };
    self->selection = dbn_queue_columns_set_model (self->columns, self->model, cols, G_N_ELEMENTS (cols),
                                                   connection, NULL, NULL, &self->filtered);
    g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (on_case_selected), self);
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
}

GtkSingleSelection *
dbn_station_cases_get_selection (DbnStationCases *self)
{
    return self->selection;
}

void
dbn_station_cases_set_status (DbnStationCases *self, const char *text)
{
    gtk_label_set_text (self->runsheet_label, text);
}

/* ---- what the tests reach (dbn_station_cases-private.h) ---- */

const char *
dbn_station_cases_get_supplement_case (DbnStationCases *self)
{
    return self->supplement_case;
}
guint
dbn_station_cases_get_n_missing (DbnStationCases *self)
{
    return self->supplement_checks->len;
}
const char *
dbn_station_cases_get_status (DbnStationCases *self)
{
    return gtk_label_get_text (self->runsheet_label);
}

const char *
dbn_station_cases_get_supplement_status (DbnStationCases *self)
{
    return gtk_label_get_text (self->supplement_status);
}

GtkEditable *
dbn_station_cases_get_entry (DbnStationCases *self, const char *name)
{
    return g_strcmp0 (name, "case-search") == 0 ? GTK_EDITABLE (self->case_search) : NULL;
}

DbnCasePapers *
dbn_station_cases_get_papers (DbnStationCases *self)
{
    return self->papers;
}

gboolean
dbn_station_cases_select (DbnStationCases *self, const char *case_no)
{
    return dbn_queue_selection_select (self->selection, case_no);
}

void
dbn_station_cases_tick_supplement (DbnStationCases *self, guint n)
{
    for (guint i = 0; i < self->supplement_checks->len; i++)
        gtk_check_button_set_active (self->supplement_checks->pdata[i], i < n);
}
