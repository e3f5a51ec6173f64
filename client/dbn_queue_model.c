/* dbn_queue_model.c: rows in a GPtrArray, found by case number through a
 * hash table.
 *
 * Positions are found by a linear scan (g_ptr_array_find) when a row
 * changes: one scan of 100,000 pointers costs well under a millisecond, and
 * a queue changes a few times a minute, so an index kept in step with every
 * insertion and removal would cost more code than it saves. A changed row is
 * reported as items-changed (pos, 1, 1), which makes the views rebind it
 * and the sort and filter models re-place it.
 *
 * Events are read through dbn_msg_case_row_read(), the generated reader of
 * the case_row record that every routing case event carries (routing.xml):
 * the model needs only those fields, whatever the type, and reads them
 * typed and strictly. What one event type adds (case.routed's matter,
 * runsheet.acknowledged's sheet, runsheet.created's list) is read with that
 * type's own decoder; deadline.due_changed likewise.
 *
 * The due column is the deadline service's, on that service's own journal.
 * The model keeps its rows (case → Due) apart from the items, because the
 * two services' snapshots and events arrive independently: a row may come
 * from deadline before routing's event brings the case, and is copied into
 * the item when it does. A paged snapshot is collected aside and swapped in
 * at its last page; each page's seq is remembered with the range of case
 * numbers it covers, so an event is compared with the snapshot page that
 * reflects its case, even for a case the page did not list (no open clock).
 */
#include "dbn_queue_model.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

/* Fields with few distinct values (codes, names of the catalog and org,
 * states, principals) are interned: a queue of 100,000 rows holds them once
 * instead of 100,000 times. */
/* A case's row of deadline.queue (deadline_due), as the column needs it. */
typedef struct {
    guint32 day;            /* Julian day of the due date, 0 none */
    int remaining;          /* while stopped: days left on resuming; G_MININT unknown */
    const char *stage;      /* none, warning, overdue, violation; interned */
    gboolean suspended;     /* clocks stopped (D-DL-7) */
    gboolean covered;       /* FALSE: counted on weekends only (D-DL-5) */
    gboolean calendar_days; /* the clock counts calendar days, not working days (D-DL-3) */
    gint64 seq;             /* deadline journal seq it reflects */
} Due;

struct _DbnQueueItem {
    GObject parent_instance;
    char *case_no;           /* case number, owned */
    const char *matter;      /* catalog code, interned */
    const char *matter_name; /* Chinese name, interned */
    char *applicant;         /* masked name, "" until known, owned */
    const char *kind;        /* handling kind, interned */
    const char *state;       /* routing state, interned */
    const char *holder;      /* who has it now, interned */
    const char *responsible; /* who stays responsible (D-INT-6), interned */
    const char *location;    /* station, in_transit, centre, interned */
    const char *window;      /* queue coordinate, interned */
    const char *area;        /* the case's area (the calendar's closures), interned */
    char *sheet;             /* run sheet while in transit, owned */
    Due due;                 /* the deadline row; meaningful when due_known */
    gboolean due_known;      /* the deadline service has a row for it */
    gint64 updated_seq;      /* journal seq of the last change applied */
    gboolean pending;        /* an outbox row, not yet a case */
};

G_DEFINE_TYPE (DbnQueueItem, dbn_queue_item, G_TYPE_OBJECT)

enum {
    ITEM_PROP_0,
    ITEM_PROP_CASE_NO,
    ITEM_PROP_MATTER_NAME,
    ITEM_PROP_APPLICANT,
    ITEM_PROP_KIND,
    ITEM_PROP_STATE,
    ITEM_PROP_RESPONSIBLE,
    ITEM_PROP_DUE,
    ITEM_N_PROPS
};
static GParamSpec *item_props[ITEM_N_PROPS];

static void
dbn_queue_item_finalize (GObject *object)
{
    DbnQueueItem *self = DBN_QUEUE_ITEM (object);
    g_free (self->case_no);
    g_free (self->applicant);
    g_free (self->sheet);
    G_OBJECT_CLASS (dbn_queue_item_parent_class)->finalize (object);
}

static void
dbn_queue_item_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    DbnQueueItem *self = DBN_QUEUE_ITEM (object);
    switch (id) {
    case ITEM_PROP_CASE_NO: g_value_set_string (value, self->case_no); break;
    case ITEM_PROP_MATTER_NAME: g_value_set_string (value, self->matter_name); break;
    case ITEM_PROP_APPLICANT: g_value_set_string (value, self->applicant); break;
    case ITEM_PROP_KIND: g_value_set_string (value, self->kind); break;
    case ITEM_PROP_STATE: g_value_set_string (value, self->state); break;
    case ITEM_PROP_RESPONSIBLE: g_value_set_string (value, self->responsible); break;
    case ITEM_PROP_DUE: g_value_set_int64 (value, self->due_known ? self->due.day : 0); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
dbn_queue_item_class_init (DbnQueueItemClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    object_class->finalize = dbn_queue_item_finalize;
    object_class->get_property = dbn_queue_item_get_property;
    /* Read-only properties: the sorters' and filters' expressions read them. */
    const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
    item_props[ITEM_PROP_CASE_NO] = g_param_spec_string ("case-no", NULL, NULL, "", f);
    item_props[ITEM_PROP_MATTER_NAME] = g_param_spec_string ("matter-name", NULL, NULL, "", f);
    item_props[ITEM_PROP_APPLICANT] = g_param_spec_string ("applicant", NULL, NULL, "", f);
    item_props[ITEM_PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, "", f);
    item_props[ITEM_PROP_STATE] = g_param_spec_string ("state", NULL, NULL, "", f);
    item_props[ITEM_PROP_RESPONSIBLE] = g_param_spec_string ("responsible", NULL, NULL, "", f);
    /* The due date as a Julian day, 0 when none. */
    item_props[ITEM_PROP_DUE] = g_param_spec_int64 ("due", NULL, NULL, 0, G_MAXINT64, 0, f);
    g_object_class_install_properties (object_class, ITEM_N_PROPS, item_props);
}

static void
dbn_queue_item_init (DbnQueueItem *self)
{
}

static void
set_str (char **field, const char *value)
{
    if (value == NULL)
        return;
    g_free (*field);
    *field = g_strdup (value);
}

static void
set_interned (const char **field, const char *value)
{
    if (value != NULL)
        *field = g_intern_string (value);
}

DbnQueueItem *
dbn_queue_item_new (const char *case_no)
{
    DbnQueueItem *self = g_object_new (DBN_TYPE_QUEUE_ITEM, NULL);
    self->case_no = g_strdup (case_no);
    return self;
}

#define S(x) ((x) != NULL ? (x) : "")
const char *
dbn_queue_item_get_case_no (DbnQueueItem *self)
{
    return S (self->case_no);
}
const char *
dbn_queue_item_get_matter (DbnQueueItem *self)
{
    return S (self->matter);
}
const char *
dbn_queue_item_get_matter_name (DbnQueueItem *self)
{
    return S (self->matter_name);
}
const char *
dbn_queue_item_get_applicant (DbnQueueItem *self)
{
    return S (self->applicant);
}
const char *
dbn_queue_item_get_kind (DbnQueueItem *self)
{
    return S (self->kind);
}
const char *
dbn_queue_item_get_state (DbnQueueItem *self)
{
    return S (self->state);
}
const char *
dbn_queue_item_get_holder (DbnQueueItem *self)
{
    return S (self->holder);
}
const char *
dbn_queue_item_get_responsible (DbnQueueItem *self)
{
    return S (self->responsible);
}
const char *
dbn_queue_item_get_location (DbnQueueItem *self)
{
    return S (self->location);
}
const char *
dbn_queue_item_get_window (DbnQueueItem *self)
{
    return S (self->window);
}
const char *
dbn_queue_item_get_sheet (DbnQueueItem *self)
{
    return S (self->sheet);
}
const char *
dbn_queue_item_get_area (DbnQueueItem *self)
{
    return S (self->area);
}
gboolean
dbn_queue_item_get_due_known (DbnQueueItem *self)
{
    return self->due_known;
}
const char *
dbn_queue_item_get_stage (DbnQueueItem *self)
{
    return self->due_known ? S (self->due.stage) : "";
}
gboolean
dbn_queue_item_get_suspended (DbnQueueItem *self)
{
    return self->due_known && self->due.suspended;
}
int
dbn_queue_item_get_remaining (DbnQueueItem *self)
{
    return self->due_known ? self->due.remaining : G_MININT;
}
gboolean
dbn_queue_item_get_covered (DbnQueueItem *self)
{
    return !self->due_known || self->due.covered;
}
gboolean
dbn_queue_item_get_calendar_days (DbnQueueItem *self)
{
    return self->due_known && self->due.calendar_days;
}

gboolean
dbn_queue_item_get_due_date (DbnQueueItem *self, GDate *due)
{
    if (!self->due_known || self->due.day == 0)
        return FALSE;
    g_date_clear (due, 1);
    g_date_set_julian (due, self->due.day);
    return TRUE;
}
gint64
dbn_queue_item_get_updated_seq (DbnQueueItem *self)
{
    return self->updated_seq;
}
gboolean
dbn_queue_item_get_pending (DbnQueueItem *self)
{
    return self->pending;
}

void
dbn_queue_item_set (DbnQueueItem *self, const char *matter, const char *matter_name, const char *kind,
                    const char *state, const char *responsible)
{
    set_interned (&self->matter, matter);
    set_interned (&self->matter_name, matter_name);
    set_interned (&self->kind, kind);
    set_interned (&self->state, state);
    set_interned (&self->responsible, responsible);
}

void
dbn_queue_item_set_applicant (DbnQueueItem *self, const char *a)
{
    set_str (&self->applicant, a);
}
void
dbn_queue_item_set_pending (DbnQueueItem *self, gboolean pending)
{
    self->pending = pending;
}
/* YYYY-MM-DD → Julian day; 0 for anything else (a bounded parse of wire text). */
static guint32
parse_day (const char *text)
{
    int y, m, d;
    char tail;
    if (text == NULL || strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1
        || y > 9999 || !g_date_valid_dmy (d, m, y))
        return 0;
    GDate date;
    g_date_clear (&date, 1);
    g_date_set_dmy (&date, d, m, y);
    return g_date_get_julian (&date);
}

void
dbn_queue_item_set_due (DbnQueueItem *self, const char *due, const char *stage, gboolean suspended)
{
    self->due_known = TRUE;
    self->due.day = parse_day (due);
    self->due.remaining = G_MININT;
    self->due.stage = g_intern_string (stage ? stage : "none");
    self->due.suspended = suspended;
    self->due.covered = TRUE;
    self->due.calendar_days = FALSE;
}

void
dbn_queue_item_set_due_unit (DbnQueueItem *self, const char *unit)
{
    self->due.calendar_days = g_strcmp0 (unit, "calendar") == 0;
}

char *
dbn_mask_name (const char *name)
{
    if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
        return g_strdup ("");
    GString *s = g_string_new (NULL);
    g_string_append_unichar (s, g_utf8_get_char (name));
    for (const char *p = g_utf8_next_char (name); *p; p = g_utf8_next_char (p))
        g_string_append (s, "*");
    return g_string_free (s, FALSE);
}

const char *
dbn_state_display (const char *state)
{
    static const struct {
        const char *id, *name;
    } names[] = {
        { "received", N_ ("已接收") },
        { "awaiting_materials", N_ ("待补材料") },
        { "classified", N_ ("已分类") },
        { "assigned", N_ ("已分派") },
        { "in_progress", N_ ("办理中") },
        { "escalated", N_ ("已上报") },
        { "county_answered", N_ ("县级已答复") },
        { "completed", N_ ("已办结") },
        { "returned", N_ ("已退回") },
        { "replied", N_ ("已答复") },
        { "archived", N_ ("已归档") },
        { "pending", N_ ("未发送") },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_strcmp0 (state, names[i].id) == 0)
            return _ (names[i].name);
    return state != NULL ? state : "";
}

const char *
dbn_kind_display (const char *kind)
{
    static const struct {
        const char *id, *name;
    } names[] = {
        { "immediate", N_ ("即办件") }, { "committed", N_ ("承办件") }, { "joint", N_ ("联办件") },
        { "escalated", N_ ("上报件") }, { "returned", N_ ("退回件") },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_strcmp0 (kind, names[i].id) == 0)
            return _ (names[i].name);
    return kind != NULL ? kind : "";
}

const char *
dbn_location_display (const char *location)
{
    if (g_strcmp0 (location, "station") == 0)
        return _ ("在站点");
    if (g_strcmp0 (location, "in_transit") == 0)
        return _ ("在途（未签收）");
    if (g_strcmp0 (location, "centre") == 0)
        return _ ("中心已签收");
    return location != NULL ? location : "";
}

/* ---- the model ---- */

struct _DbnQueueModel {
    GObject parent_instance;
    GPtrArray *items;    /* DbnQueueItem*, owned, in arrival order */
    GHashTable *by_case; /* case number (the item's) → item, borrowed */
    DbnCatalog *catalog; /* borrowed, names matters; may be NULL */
    gint64 seq;          /* seq of the last snapshot */
    gboolean resyncing;  /* a snapshot is on its way: events wait */
    GPtrArray *waiting;  /* GBytes events kept while resyncing */
    /* the due column (deadline's journal) */
    GHashTable *dues;     /* case number → Due*, both owned */
    GHashTable *incoming; /* the paged snapshot being collected, NULL otherwise */
    GArray *ranges;       /* Range: what each page of the last snapshot covers */
    GArray *new_ranges;   /* the same for the snapshot being collected */
    gint64 due_seq;       /* seq of the last due snapshot's first page */
    gboolean due_resyncing;
    GPtrArray *due_waiting; /* GBytes deadline events kept while resyncing */
};

/* One page of a due snapshot: cases numbered up to upto (NULL: to the end)
 * and after the previous range's upto are as of deadline seq seq. */
typedef struct {
    char *upto;
    gint64 seq;
} Range;

static void
range_clear (gpointer data)
{
    g_free (((Range *) data)->upto);
}

static GArray *
ranges_new (void)
{
    GArray *a = g_array_new (FALSE, FALSE, sizeof (Range));
    g_array_set_clear_func (a, range_clear);
    return a;
}

static void dbn_queue_model_list_init (GListModelInterface *iface);

G_DEFINE_TYPE_WITH_CODE (DbnQueueModel, dbn_queue_model, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, dbn_queue_model_list_init))

static GType
list_get_item_type (GListModel *list)
{
    return DBN_TYPE_QUEUE_ITEM;
}

static guint
list_get_n_items (GListModel *list)
{
    return DBN_QUEUE_MODEL (list)->items->len;
}

static gpointer
list_get_item (GListModel *list, guint position)
{
    DbnQueueModel *self = DBN_QUEUE_MODEL (list);
    return position < self->items->len ? g_object_ref (self->items->pdata[position]) : NULL;
}

static void
dbn_queue_model_list_init (GListModelInterface *iface)
{
    iface->get_item_type = list_get_item_type;
    iface->get_n_items = list_get_n_items;
    iface->get_item = list_get_item;
}

static void
dbn_queue_model_finalize (GObject *object)
{
    DbnQueueModel *self = DBN_QUEUE_MODEL (object);
    g_hash_table_unref (self->by_case);
    g_ptr_array_unref (self->items);
    g_ptr_array_unref (self->waiting);
    g_hash_table_unref (self->dues);
    g_clear_pointer (&self->incoming, g_hash_table_unref);
    g_array_unref (self->ranges);
    g_clear_pointer (&self->new_ranges, g_array_unref);
    g_ptr_array_unref (self->due_waiting);
    G_OBJECT_CLASS (dbn_queue_model_parent_class)->finalize (object);
}

static void
dbn_queue_model_class_init (DbnQueueModelClass *klass)
{
    G_OBJECT_CLASS (klass)->finalize = dbn_queue_model_finalize;
}

static void
dbn_queue_model_init (DbnQueueModel *self)
{
    self->items = g_ptr_array_new_with_free_func (g_object_unref);
    self->by_case = g_hash_table_new (g_str_hash, g_str_equal);
    self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    self->dues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    self->ranges = ranges_new ();
    self->due_waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

DbnQueueModel *
dbn_queue_model_new (DbnCatalog *catalog)
{
    DbnQueueModel *self = g_object_new (DBN_TYPE_QUEUE_MODEL, NULL);
    self->catalog = catalog;
    return self;
}

gint64
dbn_queue_model_get_seq (DbnQueueModel *self)
{
    return self->seq;
}

DbnQueueItem *
dbn_queue_model_lookup (DbnQueueModel *self, const char *case_no)
{
    return case_no != NULL ? g_hash_table_lookup (self->by_case, case_no) : NULL;
}

static gboolean
position_of (DbnQueueModel *self, DbnQueueItem *item, guint *pos)
{
    return g_ptr_array_find (self->items, item, pos);
}

void
dbn_queue_model_changed (DbnQueueModel *self, const char *case_no)
{
    guint pos;
    DbnQueueItem *item = dbn_queue_model_lookup (self, case_no);
    if (item != NULL && position_of (self, item, &pos))
        g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 1);
}

void
dbn_queue_model_add (DbnQueueModel *self, DbnQueueItem *item)
{
    DbnQueueItem *old = dbn_queue_model_lookup (self, item->case_no);
    guint pos;
    if (old != NULL && position_of (self, old, &pos)) {
        g_hash_table_remove (self->by_case, old->case_no);
        g_ptr_array_index (self->items, pos) = g_object_ref (item);
        g_hash_table_insert (self->by_case, item->case_no, item);
        g_object_unref (old);
        g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 1);
        return;
    }
    g_ptr_array_add (self->items, g_object_ref (item));
    g_hash_table_insert (self->by_case, item->case_no, item);
    g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
}

void
dbn_queue_model_add_many (DbnQueueModel *self, GPtrArray *items)
{
    guint first = self->items->len;
    for (guint i = 0; i < items->len; i++) {
        DbnQueueItem *item = items->pdata[i];
        g_assert (dbn_queue_model_lookup (self, item->case_no) == NULL);
        g_ptr_array_add (self->items, g_object_ref (item));
        g_hash_table_insert (self->by_case, item->case_no, item);
    }
    g_list_model_items_changed (G_LIST_MODEL (self), first, 0, items->len);
}

void
dbn_queue_model_remove (DbnQueueModel *self, const char *case_no)
{
    DbnQueueItem *item = dbn_queue_model_lookup (self, case_no);
    guint pos;
    if (item == NULL || !position_of (self, item, &pos))
        return;
    g_hash_table_remove (self->by_case, case_no);
    g_ptr_array_remove_index (self->items, pos);
    g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
}

void
dbn_queue_model_begin_resync (DbnQueueModel *self)
{
    self->resyncing = TRUE;
}

/* The item's due column from the model's deadline rows. */
static void
copy_due (DbnQueueModel *self, DbnQueueItem *item)
{
    const Due *due = g_hash_table_lookup (self->dues, item->case_no);
    item->due_known = due != NULL;
    if (due != NULL)
        item->due = *due;
}

static void
fill_matter_name (DbnQueueModel *self, DbnQueueItem *item)
{
    if ((item->matter_name == NULL || *item->matter_name == '\0') && self->catalog != NULL) {
        const DbnMatter *m = dbn_catalog_lookup (self->catalog, item->matter);
        if (m != NULL)
            set_interned (&item->matter_name, m->name_zh);
    }
}

/* After a typed decoder refused an event: TRUE when only because it is
 * another type (the caller ignores it), else FALSE with the error. */
static gboolean
is_other_type (GError *local, GError **error)
{
    if (g_error_matches (local, DBN_CODEC_ERROR, DBN_CODEC_ERROR_UNKNOWN_TYPE))
        return TRUE;
    g_propagate_error (error, g_error_copy (local));
    return FALSE;
}

/* runsheet.created names no single case: it puts every case it lists in
 * transit (D-RTE-3), and no per-case event says so. FALSE with error when
 * the event is broken; TRUE when it is another event or was applied. */
static gboolean
apply_runsheet (DbnQueueModel *self, const guint8 *data, gsize len, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgRunsheetCreated) sheet = dbn_msg_runsheet_created_decode (data, len, &local);
    if (sheet == NULL)
        return is_other_type (local, error); /* another event without a row: deadline's, ... */
    gint64 seq = sheet->env.seq;
    if (seq <= self->seq)
        return TRUE;
    for (char **c = sheet->cases; *c != NULL; c++) {
        DbnQueueItem *item = dbn_queue_model_lookup (self, *c);
        if (item == NULL || seq <= item->updated_seq)
            continue;
        set_interned (&item->location, "in_transit");
        set_str (&item->sheet, sheet->sheet);
        item->updated_seq = seq;
        dbn_queue_model_changed (self, *c);
    }
    return TRUE;
}

/* What one event type carries beyond the row: case.routed the matter,
 * runsheet.acknowledged the sheet. */
static gboolean
apply_extras (DbnQueueItem *row, const char *type, const guint8 *data, gsize len, GError **error)
{
    if (g_strcmp0 (type, DBN_MSG_CASE_ROUTED_WIRE) == 0) {
        g_autoptr (DbnMsgCaseRouted) routed = dbn_msg_case_routed_decode (data, len, error);
        if (routed == NULL)
            return FALSE;
        set_interned (&row->matter, routed->matter);
    } else if (g_strcmp0 (type, DBN_MSG_RUNSHEET_ACKNOWLEDGED_WIRE) == 0) {
        g_autoptr (DbnMsgRunsheetAcknowledged) ack = dbn_msg_runsheet_acknowledged_decode (data, len, error);
        if (ack == NULL)
            return FALSE;
        set_str (&row->sheet, ack->sheet);
    }
    return TRUE;
}

static gboolean
apply_now (DbnQueueModel *self, GBytes *event, GError **error)
{
    gsize len;
    const guint8 *data = g_bytes_get_data (event, &len);
    g_autoptr (DbnMsgCaseRow) r = NULL;
    if (!dbn_msg_case_row_read (data, len, &r, error))
        return FALSE;
    /* runsheet.created and heartbeats carry no case row; the snapshot
     * already holds what is not newer than it (Clone pattern). */
    if (r == NULL)
        return apply_runsheet (self, data, len, error);
    const char *case_no = r->env.case_no;
    gint64 seq = r->env.seq;
    if (case_no == NULL || seq <= self->seq)
        return TRUE;
    DbnQueueItem *item = dbn_queue_model_lookup (self, case_no);
    if (item != NULL && seq <= item->updated_seq)
        return TRUE;
    if (g_strcmp0 (r->env.type, DBN_MSG_CASE_ARCHIVED_WIRE) == 0) {
        /* Its due row goes too: an archived case has no open clock. */
        g_hash_table_remove (self->dues, case_no);
        dbn_queue_model_remove (self, case_no);
        return TRUE;
    }
    g_autoptr (DbnQueueItem) fresh = item == NULL ? dbn_queue_item_new (case_no) : NULL;
    DbnQueueItem *row = item != NULL ? item : fresh;
    /* Read before anything changes: a broken event leaves the row as it was. */
    if (!apply_extras (row, r->env.type, data, len, error))
        return FALSE;
    set_interned (&row->state, r->state);
    set_interned (&row->kind, r->kind);
    set_interned (&row->holder, r->holder);
    set_interned (&row->responsible, r->responsible);
    set_interned (&row->location, r->location);
    set_interned (&row->window, r->window);
    set_interned (&row->area, r->area);
    row->updated_seq = seq;
    if (item == NULL)
        copy_due (self, row);
    fill_matter_name (self, row);
    if (item != NULL)
        dbn_queue_model_changed (self, case_no);
    else
        dbn_queue_model_add (self, fresh);
    return TRUE;
}

gboolean
dbn_queue_model_apply_event (DbnQueueModel *self, GBytes *event, GError **error)
{
    g_return_val_if_fail (DBN_IS_QUEUE_MODEL (self) && event != NULL, FALSE);
    if (self->resyncing) {
        /* Bounded: a snapshot answers within seconds; past this many events
         * the snapshot that is coming reflects them anyway. */
        if (self->waiting->len < 100000)
            g_ptr_array_add (self->waiting, g_bytes_ref (event));
        return TRUE;
    }
    return apply_now (self, event, error);
}

gboolean
dbn_queue_model_apply_snapshot (DbnQueueModel *self, GBytes *reply, GError **error)
{
    gsize len;
    const guint8 *data = g_bytes_get_data (reply, &len);
    g_autoptr (DbnMsgRoutingQueueReply) r = dbn_msg_routing_queue_reply_decode (data, len, error);
    if (r == NULL)
        return FALSE;
    g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint i = 0; i < r->items->len; i++) {
        gsize ilen;
        const guint8 *idata = g_bytes_get_data (r->items->pdata[i], &ilen);
        g_autoptr (DbnMsgRoutingQueueItem) q = dbn_msg_routing_queue_item_decode (idata, ilen, error);
        if (q == NULL)
            return FALSE;
        DbnQueueItem *item = dbn_queue_item_new (q->case_no);
        DbnQueueItem *old = dbn_queue_model_lookup (self, q->case_no);
        if (old != NULL)
            set_str (&item->applicant, old->applicant);
        dbn_queue_item_set (item, q->matter, q->matter_name, q->kind, q->state, q->responsible);
        set_interned (&item->holder, q->holder);
        set_interned (&item->location, q->location);
        set_interned (&item->window, q->window);
        set_str (&item->sheet, q->sheet);
        set_interned (&item->area, q->area);
        copy_due (self, item);
        item->updated_seq = q->updated_seq;
        g_ptr_array_add (rows, item);
    }
    /* Keep the outbox's rows: they are not cases yet. */
    g_autoptr (GPtrArray) pending = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint i = 0; i < self->items->len; i++) {
        DbnQueueItem *item = self->items->pdata[i];
        if (item->pending)
            g_ptr_array_add (pending, g_object_ref (item));
    }
    guint old_len = self->items->len;
    g_hash_table_remove_all (self->by_case);
    g_ptr_array_set_size (self->items, 0);
    for (guint i = 0; i < pending->len; i++) {
        DbnQueueItem *item = pending->pdata[i];
        g_ptr_array_add (self->items, g_object_ref (item));
        g_hash_table_insert (self->by_case, item->case_no, item);
    }
    for (guint i = 0; i < rows->len; i++) {
        DbnQueueItem *item = rows->pdata[i];
        g_ptr_array_add (self->items, g_object_ref (item));
        g_hash_table_insert (self->by_case, item->case_no, item);
    }
    self->seq = r->seq;
    self->resyncing = FALSE;
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->items->len);
    g_autoptr (GPtrArray) waiting = g_steal_pointer (&self->waiting);
    self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < waiting->len; i++)
        apply_now (self, waiting->pdata[i], NULL);
    return TRUE;
}

/* ---- the due column ---- */

gint64
dbn_queue_model_get_due_seq (DbnQueueModel *self)
{
    return self->due_seq;
}

void
dbn_queue_model_begin_due_resync (DbnQueueModel *self)
{
    self->due_resyncing = TRUE;
    g_clear_pointer (&self->incoming, g_hash_table_unref);
    g_clear_pointer (&self->new_ranges, g_array_unref);
}

/* The seq of the snapshot page that covers case_no; 0 before any snapshot. */
static gint64
page_seq_of (DbnQueueModel *self, const char *case_no)
{
    for (guint i = 0; i < self->ranges->len; i++) {
        Range *r = &g_array_index (self->ranges, Range, i);
        if (r->upto == NULL || strcmp (case_no, r->upto) <= 0)
            return r->seq;
    }
    return 0;
}

static void
set_row_due (DbnQueueModel *self, const char *case_no, const Due *due)
{
    g_hash_table_replace (self->dues, g_strdup (case_no), g_memdup2 (due, sizeof *due));
    DbnQueueItem *item = dbn_queue_model_lookup (self, case_no);
    if (item != NULL) {
        copy_due (self, item);
        dbn_queue_model_changed (self, case_no);
    }
}

/* Working days are bounded here: a year of them is far more than any clock. */
static int
clamp_days (gint64 days)
{
    return (int) CLAMP (days, -100000, 100000);
}

/* A Due from deadline's row as a deadline_due record or a
 * deadline.due_changed event carries it (the same members, deadline.xml). */
#define DUE_OF(d, at_seq)                                                                                    \
    ((Due){ .day = parse_day ((d)->due),                                                                     \
            .remaining = (d)->has_remaining ? clamp_days ((d)->remaining) : G_MININT,                        \
            .stage = g_intern_string ((d)->stage),                                                           \
            .suspended = (d)->suspended,                                                                     \
            .covered = (d)->covered,                                                                         \
            .calendar_days = g_strcmp0 ((d)->unit, "calendar") == 0,                                         \
            .seq = (at_seq) })

static gboolean
apply_due_now (DbnQueueModel *self, GBytes *event, GError **error)
{
    gsize len;
    const guint8 *data = g_bytes_get_data (event, &len);
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgDeadlineDueChanged) d = dbn_msg_deadline_due_changed_decode (data, len, &local);
    /* deadline.warning, .overdue, ... share the topic; the row changes
     * with them anyway, and due_changed says so. */
    if (d == NULL)
        return is_other_type (local, error);
    const char *case_no = d->env.case_no;
    gint64 seq = d->env.seq;
    if (case_no == NULL)
        return TRUE;
    const Due *old = g_hash_table_lookup (self->dues, case_no);
    if (seq <= (old != NULL ? old->seq : page_seq_of (self, case_no)))
        return TRUE;
    Due due = DUE_OF (d, seq);
    set_row_due (self, case_no, &due);
    return TRUE;
}

gboolean
dbn_queue_model_apply_due_event (DbnQueueModel *self, GBytes *event, GError **error)
{
    g_return_val_if_fail (DBN_IS_QUEUE_MODEL (self) && event != NULL, FALSE);
    if (self->due_resyncing) {
        /* Bounded as the routing events are. */
        if (self->due_waiting->len < 100000)
            g_ptr_array_add (self->due_waiting, g_bytes_ref (event));
        return TRUE;
    }
    return apply_due_now (self, event, error);
}

static gboolean
page_error (DbnQueueModel *self, GError **error, const char *why)
{
    g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, "deadline.queue: %s", why);
    g_clear_pointer (&self->incoming, g_hash_table_unref);
    g_clear_pointer (&self->new_ranges, g_array_unref);
    return FALSE;
}

gboolean
dbn_queue_model_apply_due_page (DbnQueueModel *self, GBytes *reply, const char *after, char **next,
                                GError **error)
{
    g_return_val_if_fail (DBN_IS_QUEUE_MODEL (self) && reply != NULL && next != NULL, FALSE);
    *next = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (reply, &len);
    g_autoptr (DbnMsgDeadlineQueueReply) r = dbn_msg_deadline_queue_reply_decode (data, len, error);
    if (r == NULL) {
        g_clear_pointer (&self->incoming, g_hash_table_unref);
        g_clear_pointer (&self->new_ranges, g_array_unref);
        return FALSE;
    }
    if (after == NULL || self->incoming == NULL) {
        /* The first page (or a page of a snapshot begun without
         * begin_due_resync): collect from scratch. */
        g_clear_pointer (&self->incoming, g_hash_table_unref);
        g_clear_pointer (&self->new_ranges, g_array_unref);
        self->incoming = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        self->new_ranges = ranges_new ();
        self->due_resyncing = TRUE;
    }
    for (guint i = 0; i < r->items->len; i++) {
        gsize ilen;
        const guint8 *idata = g_bytes_get_data (r->items->pdata[i], &ilen);
        g_autoptr (DbnMsgDeadlineDue) d = dbn_msg_deadline_due_decode (idata, ilen, error);
        if (d == NULL) {
            g_clear_pointer (&self->incoming, g_hash_table_unref);
            g_clear_pointer (&self->new_ranges, g_array_unref);
            return FALSE;
        }
        Due due = DUE_OF (d, r->seq);
        g_hash_table_replace (self->incoming, g_strdup (d->case_no), g_memdup2 (&due, sizeof due));
    }
    if (r->truncated) {
        /* A page must move forward, or the pages would never end. */
        if (r->next == NULL || (after != NULL && strcmp (r->next, after) <= 0))
            return page_error (self, error, "a truncated page without a later next");
        if (self->new_ranges->len >= 10000)
            return page_error (self, error, "too many pages");
        Range range = { g_strdup (r->next), r->seq };
        g_array_append_val (self->new_ranges, range);
        *next = g_strdup (r->next);
        return TRUE;
    }
    Range last = { NULL, r->seq };
    g_array_append_val (self->new_ranges, last);
    /* The last page: swap the collected rows in and redraw every row once. */
    g_hash_table_unref (self->dues);
    self->dues = g_steal_pointer (&self->incoming);
    g_array_unref (self->ranges);
    self->ranges = g_steal_pointer (&self->new_ranges);
    self->due_seq = g_array_index (self->ranges, Range, 0).seq;
    self->due_resyncing = FALSE;
    for (guint i = 0; i < self->items->len; i++)
        copy_due (self, self->items->pdata[i]);
    if (self->items->len > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, self->items->len, self->items->len);
    g_autoptr (GPtrArray) waiting = g_steal_pointer (&self->due_waiting);
    self->due_waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < waiting->len; i++)
        apply_due_now (self, waiting->pdata[i], NULL);
    return TRUE;
}
