/* dbn_station_visits.c: the station's household visit log.
 *
 * Visits are recorded through the outbox (intake.visit), so they are taken
 * offline too, and listed with intake.visit.list, one row per need found;
 * "turn into a request" hands the selected need to the intake form, whose
 * submit then carries the visit number in intake.submit's `visit`.
 *
 * Beside it, the station's must-visit list (三必访, D-INT-1; intake.must.list):
 * every listed household with its last visit and next due date, the
 * overdue and due ones first, as intake orders them.
 */
#include "dbn_station_visits-private.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"
#include "dbn_station_pages.h"
#include "dbn_text_row.h"

struct _DbnStationVisits {
    GtkWidget parent_instance;
    DbnConnection *connection;           /* owned ref */
    DbnOutbox *outbox;                   /* owned ref */
    char *village;                       /* whose visits */
    GtkStringList *visit_lines;          /* one line per need of the listed visits */
    GPtrArray *visit_needs;              /* VisitNeed*, owned, parallel to visit_lines */
    GtkSingleSelection *visit_selection; /* the need "to request" takes */
    GtkStringList *must_lines;           /* one line per household of the must-visit list */
    GHashTable *sent;                    /* outbox id (gint64*) → TRUE: our visits */
    gulong replied_id;                   /* the outbox's */
    /* template children */
    GtkEntry *household_entry;
    GtkEntry *visit_address_entry;
    GtkEntry *needs_entry;
    GtkDropDown *must_visit_drop;
    GtkEntry *visit_note_entry;
    GtkLabel *visit_status;
    GtkListView *visit_list;
    GtkListView *must_list;
    GtkLabel *must_status;
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

enum { SIGNAL_NEED_CHOSEN, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (DbnStationVisits, dbn_station_visits, GTK_TYPE_WIDGET)

#define text_of dbn_station_entry_text

static void
on_visit_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationVisits) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgIntakeVisitListReply) r =
        reply == NULL ? NULL
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
            g_ptr_array_add (lines,
                             g_strdup_printf ("%s  %s  %s  %s%s", v->visit, at, v->household,
                                              n > 0 ? v->needs[j] : _ ("无需求"), n > 0 ? case_text : ""));
        }
    }
    g_ptr_array_add (lines, NULL);
    gtk_string_list_splice (self->visit_lines, 0, g_list_model_get_n_items (G_LIST_MODEL (self->visit_lines)),
                            (const char *const *) lines->pdata);
    g_autofree char *text = g_strdup_printf (_ ("共 %u 次走访"), r->visits->len);
    gtk_label_set_text (self->visit_status, text);
}

static const char *
must_kind_text (const char *kind)
{
    if (g_strcmp0 (kind, "hardship") == 0)
        return _ ("困难户");
    if (g_strcmp0 (kind, "petitioner") == 0)
        return _ ("信访户");
    if (g_strcmp0 (kind, "party_member") == 0)
        return _ ("党员户");
    return kind;
}

static const char *
must_state_text (const char *state)
{
    if (g_strcmp0 (state, "overdue") == 0)
        return _ ("【逾期】");
    if (g_strcmp0 (state, "due") == 0)
        return _ ("【应访】");
    return _ ("【正常】");
}

static void
on_must_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr (DbnStationVisits) self = user_data;
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_connection_call_finish (DBN_CONNECTION (source), result, &error);
    g_autoptr (DbnMsgIntakeMustListReply) r =
        reply == NULL ? NULL
                      : dbn_msg_intake_must_list_reply_decode (g_bytes_get_data (reply, NULL),
                                                               g_bytes_get_size (reply), &error);
    if (self->must_lines == NULL)
        return; /* disposed meanwhile */
    if (r == NULL) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (self->must_status, line);
        return;
    }
    g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
    guint pressing = 0;
    for (guint i = 0; i < r->items->len; i++) {
        g_autoptr (DbnMsgIntakeMustItem) m = dbn_msg_intake_must_item_decode (
            g_bytes_get_data (r->items->pdata[i], NULL), g_bytes_get_size (r->items->pdata[i]), NULL);
        if (m == NULL)
            continue;
        g_autoptr (GDateTime) due = dbn_clock_local_from_ms (m->due_at);
        g_autofree char *due_text = g_date_time_format (due, "%Y-%m-%d");
        g_autofree char *last_text = NULL;
        if (m->has_last_visited_at) {
            g_autoptr (GDateTime) last = dbn_clock_local_from_ms (m->last_visited_at);
            last_text = g_date_time_format (last, "%Y-%m-%d");
        }
        pressing += g_strcmp0 (m->state, "ok") != 0;
        g_ptr_array_add (lines, g_strdup_printf (_ ("%s %s  %s  每 %d 天  上次走访 %s  应访 %s"),
                                                 must_state_text (m->state), m->household,
                                                 must_kind_text (m->kind), (int) m->interval_days,
                                                 last_text ? last_text : _ ("无"), due_text));
    }
    g_ptr_array_add (lines, NULL);
    gtk_string_list_splice (self->must_lines, 0, g_list_model_get_n_items (G_LIST_MODEL (self->must_lines)),
                            (const char *const *) lines->pdata);
    g_autofree char *text = g_strdup_printf (_ ("三必访 %u 户，应访或逾期 %u 户"), r->items->len, pressing);
    gtk_label_set_text (self->must_status, text);
}

void
dbn_station_visits_refresh (DbnStationVisits *self)
{
    g_autoptr (DbnMsgIntakeMustList) must = dbn_msg_intake_must_list_new ();
    must->env.key = dbn_command_new_key ();
    must->village = g_strdup (self->village);
    g_autoptr (GBytes) must_body = dbn_msg_intake_must_list_encode (must, NULL);
    dbn_connection_call_async (self->connection, "intake", must_body, DBN_STATION_READ_TIMEOUT_MS,
                               on_must_list, g_object_ref (self));

    g_autoptr (DbnMsgIntakeVisitList) m = dbn_msg_intake_visit_list_new ();
    m->env.key = dbn_command_new_key ();
    m->village = g_strdup (self->village);
    g_autoptr (GBytes) body = dbn_msg_intake_visit_list_encode (m, NULL);
    dbn_connection_call_async (self->connection, "intake", body, DBN_STATION_READ_TIMEOUT_MS, on_visit_list,
                               g_object_ref (self));
}

static void
action_refresh (GtkWidget *widget, const char *name, GVariant *param)
{
    dbn_station_visits_refresh (DBN_STATION_VISITS (widget));
}

static void
action_record (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationVisits *self = DBN_STATION_VISITS (widget);
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
    gint64 id = dbn_station_enqueue (self->outbox, "intake", "intake.visit", key,
                                     dbn_msg_intake_visit_encode (m, NULL), label, self->visit_status);
    if (id == 0)
        return;
    g_hash_table_add (self->sent, g_memdup2 (&id, sizeof id));
    gtk_label_set_text (self->visit_status, _ ("走访已存入待发箱（未发送）"));
    GtkEntry *clear[] = { self->household_entry, self->visit_address_entry, self->needs_entry,
                          self->visit_note_entry };
    for (gsize i = 0; i < G_N_ELEMENTS (clear); i++)
        gtk_editable_set_text (GTK_EDITABLE (clear[i]), "");
    gtk_drop_down_set_selected (self->must_visit_drop, 0);
}

static void
on_replied (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer user_data)
{
    DbnStationVisits *self = user_data;
    if (!g_hash_table_remove (self->sent, &id))
        return;
    g_autoptr (DbnMsgIntakeVisitReply) r =
        reply == NULL ? NULL
                      : dbn_msg_intake_visit_reply_decode (g_bytes_get_data (reply, NULL),
                                                           g_bytes_get_size (reply), NULL);
    g_autofree char *text =
        r != NULL ? g_strdup_printf (_ ("已记录走访 %s"), r->visit) : dbn_error_line (error);
    gtk_label_set_text (self->visit_status, text);
    dbn_station_visits_refresh (self);
}

/* D-INT-1: a need found on a visit becomes a request (the intake form
 * takes it from ::need-chosen). */
static void
action_to_request (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnStationVisits *self = DBN_STATION_VISITS (widget);
    guint pos = gtk_single_selection_get_selected (self->visit_selection);
    VisitNeed *need = pos < self->visit_needs->len ? self->visit_needs->pdata[pos] : NULL;
    if (need == NULL || need->need == NULL) {
        gtk_label_set_text (self->visit_status, _ ("请先选择一项需求"));
        return;
    }
    g_signal_emit (self, signals[SIGNAL_NEED_CHOSEN], 0, need->visit, need->household, need->address,
                   need->need);
}

static void
dbn_station_visits_dispose (GObject *object)
{
    DbnStationVisits *self = DBN_STATION_VISITS (object);
    if (self->outbox != NULL)
        g_clear_signal_handler (&self->replied_id, self->outbox);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_STATION_VISITS);
    g_clear_object (&self->visit_selection);
    g_clear_object (&self->visit_lines);
    g_clear_object (&self->must_lines);
    g_clear_object (&self->connection);
    g_clear_object (&self->outbox);
    G_OBJECT_CLASS (dbn_station_visits_parent_class)->dispose (object);
}

static void
dbn_station_visits_finalize (GObject *object)
{
    DbnStationVisits *self = DBN_STATION_VISITS (object);
    g_free (self->village);
    g_ptr_array_unref (self->visit_needs);
    g_hash_table_unref (self->sent);
    G_OBJECT_CLASS (dbn_station_visits_parent_class)->finalize (object);
}

static void
dbn_station_visits_class_init (DbnStationVisitsClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_visits_dispose;
    object_class->finalize = dbn_station_visits_finalize;
    /* ::need-chosen (visit, household, address or NULL, need). */
    signals[SIGNAL_NEED_CHOSEN] =
        g_signal_new ("need-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_station_visits.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, DbnStationVisits, name)
    CHILD (household_entry);
    CHILD (visit_address_entry);
    CHILD (needs_entry);
    CHILD (must_visit_drop);
    CHILD (visit_note_entry);
    CHILD (visit_status);
    CHILD (visit_list);
    CHILD (must_list);
    CHILD (must_status);
#undef CHILD
    gtk_widget_class_install_action (widget_class, "visits.record", NULL, action_record);
    gtk_widget_class_install_action (widget_class, "visits.refresh", NULL, action_refresh);
    gtk_widget_class_install_action (widget_class, "visits.to-request", NULL, action_to_request);
}

static void
dbn_station_visits_init (DbnStationVisits *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
    self->visit_needs = g_ptr_array_new_with_free_func ((GDestroyNotify) visit_need_free);
    self->visit_lines = gtk_string_list_new (NULL);
    self->visit_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->visit_lines)));
    gtk_single_selection_set_autoselect (self->visit_selection, FALSE);
    gtk_single_selection_set_can_unselect (self->visit_selection, TRUE);
    GtkListItemFactory *factory = dbn_text_row_factory_new ();
    gtk_list_view_set_factory (self->visit_list, factory);
    g_object_unref (factory);
    self->must_lines = gtk_string_list_new (NULL);
    GtkListItemFactory *must_factory = dbn_text_row_factory_new ();
    gtk_list_view_set_factory (self->must_list, must_factory);
    g_object_unref (must_factory);
    gtk_list_view_set_model (self->must_list, GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                  g_object_ref (G_LIST_MODEL (self->must_lines)))));
    gtk_list_view_set_model (self->visit_list, GTK_SELECTION_MODEL (g_object_ref (self->visit_selection)));
    g_autoptr (GtkStringList) musts = gtk_string_list_new (
        (const char *[]){ _ ("（无）"), _ ("困难户"), _ ("信访户"), _ ("党员户"), NULL });
    gtk_drop_down_set_model (self->must_visit_drop, G_LIST_MODEL (musts));
}

void
dbn_station_visits_set_up (DbnStationVisits *self, DbnConnection *connection, DbnOutbox *outbox,
                           const char *village)
{
    g_return_if_fail (DBN_IS_STATION_VISITS (self) && self->connection == NULL);
    self->connection = g_object_ref (connection);
    self->outbox = g_object_ref (outbox);
    self->village = g_strdup (village);
    self->replied_id = g_signal_connect (outbox, "replied", G_CALLBACK (on_replied), self);
}

/* ---- what the tests reach (dbn_station_visits-private.h) ---- */

GListModel *
dbn_station_visits_get_lines (DbnStationVisits *self)
{
    return G_LIST_MODEL (self->visit_lines);
}
GListModel *
dbn_station_visits_get_must_lines (DbnStationVisits *self)
{
    return G_LIST_MODEL (self->must_lines);
}

const char *
dbn_station_visits_get_must_status (DbnStationVisits *self)
{
    return gtk_label_get_text (self->must_status);
}

const char *
dbn_station_visits_get_status (DbnStationVisits *self)
{
    return gtk_label_get_text (self->visit_status);
}

void
dbn_station_visits_select_need (DbnStationVisits *self, guint position)
{
    gtk_single_selection_set_selected (self->visit_selection, position);
}

GtkEditable *
dbn_station_visits_get_entry (DbnStationVisits *self, const char *name)
{
    static const struct {
        const char *name;
        gsize offset;
    } fields[] = {
        { "household", G_STRUCT_OFFSET (DbnStationVisits, household_entry) },
        { "visit-address", G_STRUCT_OFFSET (DbnStationVisits, visit_address_entry) },
        { "needs", G_STRUCT_OFFSET (DbnStationVisits, needs_entry) },
        { "visit-note", G_STRUCT_OFFSET (DbnStationVisits, visit_note_entry) },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
        if (g_strcmp0 (name, fields[i].name) == 0)
            return GTK_EDITABLE (G_STRUCT_MEMBER (gpointer, self, fields[i].offset));
    return NULL;
}
