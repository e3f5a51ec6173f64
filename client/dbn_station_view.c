/* dbn_station_view.c: the station's screen, a thin host of its pages.
 *
 * The host's template is a stack of the five pages (each a widget with its
 * own .ui and actions); the host builds the station's queue model, sets
 * every page up, keeps the model with routing and deadline (DbnQueueFeed)
 * and carries what one page hands another: a need of the visit log to the
 * intake form (::need-chosen), a refusal to the logbook
 * (::logbook-changed), the cases page's selection to the reply page.
 *
 * Rejected: one widget for all pages (it was, 1,500 lines and 45 fields:
 * every feature could reach every other's state). Reads go straight to the
 * service; commands go through the outbox, so visits, supplements and
 * refusals are taken offline too.
 */
#include "dbn_station_view-private.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"
#include "dbn_eval_panel.h"
#include "dbn_queue_feed.h"
#include "dbn_station_cases-private.h"
#include "dbn_station_handovers.h"
#include "dbn_station_intake-private.h"
#include "dbn_station_logbook-private.h"
#include "dbn_station_reply-private.h"
#include "dbn_station_visits-private.h"

struct _DbnStationView {
    GtkWidget parent_instance;
    DbnQueueModel *model; /* the station's queue */
    DbnQueueFeed *feed;   /* keeps model with routing and deadline */
    /* template children */
    GtkWidget *root;
    GtkStack *stack;
    DbnStationIntake *intake;
    DbnStationCases *cases;
    DbnStationVisits *visits;
    DbnStationLogbook *logbook;
    DbnStationReply *reply;
    DbnStationHandovers *handovers; /* issue 16: the groups' requests; in code, not the template */
};

G_DEFINE_TYPE (DbnStationView, dbn_station_view, GTK_TYPE_WIDGET)

static void
on_feed_failed (gpointer user_data, const GError *error)
{
    DbnStationView *self = user_data;
    g_autofree char *line = dbn_error_line (error);
    dbn_station_cases_set_status (self->cases, line);
}

static const DbnQueueFeedHooks feed_hooks = { on_feed_failed, NULL, NULL };

/* D-INT-1: the need goes into the intake form, which is shown. */
static void
on_need_chosen (DbnStationVisits *visits, const char *visit, const char *household, const char *address,
                const char *need, gpointer user_data)
{
    DbnStationView *self = user_data;
    dbn_station_intake_take_need (self->intake, visit, household, address, need);
    gtk_stack_set_visible_child_name (self->stack, "intake");
}

/* Issue 16: a group's request may have come since the page was last read. */
static void
on_page_shown (GtkStack *stack, GParamSpec *pspec, gpointer user_data)
{
    DbnStationView *self = user_data;
    if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "handovers") == 0)
        dbn_station_handovers_refresh (self->handovers);
}

static void
dbn_station_view_dispose (GObject *object)
{
    DbnStationView *self = DBN_STATION_VIEW (object);
    g_clear_pointer (&self->feed, dbn_queue_feed_free);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_STATION_VIEW);
    g_clear_object (&self->model);
    G_OBJECT_CLASS (dbn_station_view_parent_class)->dispose (object);
}

static void
dbn_station_view_class_init (DbnStationViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_station_view_dispose;
    g_type_ensure (DBN_TYPE_STATION_INTAKE);
    g_type_ensure (DBN_TYPE_STATION_CASES);
    g_type_ensure (DBN_TYPE_STATION_VISITS);
    g_type_ensure (DBN_TYPE_STATION_LOGBOOK);
    g_type_ensure (DBN_TYPE_STATION_REPLY);
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_station_view.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, DbnStationView, name)
    CHILD (root);
    CHILD (stack);
    CHILD (intake);
    CHILD (cases);
    CHILD (visits);
    CHILD (logbook);
    CHILD (reply);
#undef CHILD
}

static void
dbn_station_view_init (DbnStationView *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
dbn_station_view_new (DbnConnection *connection, DbnOutbox *outbox, const char *station_id,
                      const char *client_dir)
{
    DbnStationView *self = g_object_new (DBN_TYPE_STATION_VIEW, NULL);
    DbnOrg *org = dbn_connection_get_org (connection);
    const DbnStation *st = org ? dbn_org_lookup_station (org, station_id) : NULL;
    /* By convention a station's id is its village's (org.ini). */
    const char *village = st ? st->village : station_id;
    self->model = dbn_queue_model_new (dbn_connection_get_catalog (connection));
    dbn_station_intake_set_up (self->intake, connection, outbox, self->model, station_id, village,
                               client_dir);
    dbn_station_cases_set_up (self->cases, connection, outbox, self->model, station_id, client_dir);
    dbn_station_reply_set_up (self->reply, connection, outbox, self->model,
                              dbn_station_cases_get_selection (self->cases), client_dir);
    dbn_station_visits_set_up (self->visits, connection, outbox, village);
    dbn_station_logbook_set_up (self->logbook, connection, village, client_dir);
    g_signal_connect_object (self->visits, "need-chosen", G_CALLBACK (on_need_chosen), self, 0);
    g_signal_connect_object (self->intake, "logbook-changed", G_CALLBACK (dbn_station_logbook_refresh),
                             self->logbook, G_CONNECT_SWAPPED);
    g_autofree char *topic = g_strdup_printf ("s/%s/", station_id);
    self->feed =
        dbn_queue_feed_new (connection, self->model, "station", station_id, topic, &feed_hooks, self);
    dbn_station_visits_refresh (self->visits);
    dbn_station_logbook_refresh (self->logbook);
    self->handovers = DBN_STATION_HANDOVERS (dbn_station_handovers_new (connection, station_id));
    gtk_stack_add_titled (self->stack, GTK_WIDGET (self->handovers), "handovers", _ ("组转交"));
    g_signal_connect_object (self->stack, "notify::visible-child-name", G_CALLBACK (on_page_shown), self, 0);
    dbn_station_handovers_refresh (self->handovers);
    /* The station's own stars and month (issue 13 item 8), under the pages. */
    gtk_box_append (GTK_BOX (self->root), dbn_eval_panel_new (connection, "station", station_id));
    return GTK_WIDGET (self);
}

DbnQueueModel *
dbn_station_view_get_model (DbnStationView *self)
{
    return self->model;
}
DbnDueFeed *
dbn_station_view_get_due_feed (DbnStationView *self)
{
    return dbn_queue_feed_get_due_feed (self->feed);
}

/* ---- what the tests reach (dbn_station_view-private.h): each page's own ---- */

DbnStationHandovers *
dbn_station_view_get_handovers (DbnStationView *self)
{
    return self->handovers;
}

GtkWidget *
dbn_station_view_get_page (DbnStationView *self, const char *name)
{
    return gtk_stack_get_child_by_name (self->stack, name);
}

void
dbn_station_view_show_page (DbnStationView *self, const char *name)
{
    gtk_stack_set_visible_child_name (self->stack, name);
}

gboolean
dbn_station_view_choose_matter (DbnStationView *self, const char *code)
{
    return dbn_station_intake_choose_matter (self->intake, code);
}

void
dbn_station_view_tick_materials (DbnStationView *self, guint n)
{
    dbn_station_intake_tick_materials (self->intake, n);
}

gboolean
dbn_station_view_select (DbnStationView *self, const char *case_no)
{
    return dbn_station_cases_select (self->cases, case_no);
}

GtkEditable *
dbn_station_view_get_entry (DbnStationView *self, const char *name)
{
    GtkEditable *e = dbn_station_intake_get_entry (self->intake, name);
    if (e == NULL)
        e = dbn_station_cases_get_entry (self->cases, name);
    if (e == NULL)
        e = dbn_station_reply_get_entry (self->reply, name);
    if (e == NULL)
        e = dbn_station_visits_get_entry (self->visits, name);
    return e;
}

void
dbn_station_view_set_consent (DbnStationView *self, gboolean consent)
{
    dbn_station_intake_set_consent (self->intake, consent);
}

GtkWidget *
dbn_station_view_get_signature_pad (DbnStationView *self)
{
    return dbn_station_reply_get_signature_pad (self->reply);
}
const char *
dbn_station_view_get_result (DbnStationView *self)
{
    return dbn_station_intake_get_result (self->intake);
}
const char *
dbn_station_view_get_last_case (DbnStationView *self)
{
    return dbn_station_intake_get_last_case (self->intake);
}
guint
dbn_station_view_get_n_matches (DbnStationView *self)
{
    return dbn_station_intake_get_n_matches (self->intake);
}
GListModel *
dbn_station_view_get_visits (DbnStationView *self)
{
    return dbn_station_visits_get_lines (self->visits);
}
const char *
dbn_station_view_get_visit (DbnStationView *self)
{
    return dbn_station_intake_get_visit (self->intake);
}
GListModel *
dbn_station_view_get_logbook (DbnStationView *self)
{
    return dbn_station_logbook_get_lines (self->logbook);
}
guint
dbn_station_view_get_n_missing (DbnStationView *self)
{
    return dbn_station_cases_get_n_missing (self->cases);
}

void
dbn_station_view_select_visit_need (DbnStationView *self, guint position)
{
    dbn_station_visits_select_need (self->visits, position);
}

const char *
dbn_station_view_get_supplement_case (DbnStationView *self)
{
    return dbn_station_cases_get_supplement_case (self->cases);
}

void
dbn_station_view_tick_supplement (DbnStationView *self, guint n)
{
    dbn_station_cases_tick_supplement (self->cases, n);
}

const char *
dbn_station_view_get_status (DbnStationView *self, const char *page)
{
    if (g_strcmp0 (page, "visits") == 0)
        return dbn_station_visits_get_status (self->visits);
    if (g_strcmp0 (page, "supplement") == 0)
        return dbn_station_cases_get_supplement_status (self->cases);
    if (g_strcmp0 (page, "logbook") == 0)
        return dbn_station_logbook_get_status (self->logbook);
    if (g_strcmp0 (page, "reply") == 0)
        return dbn_station_reply_get_status (self->reply);
    if (g_strcmp0 (page, "cases") == 0)
        return dbn_station_cases_get_status (self->cases);
    return dbn_station_intake_get_result (self->intake);
}
