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
 * Events are read through dbn_codec_to_json (the codec's bounded pre-check,
 * then JSON) rather than through one generated decoder per event type: every
 * case event carries the same queue row (routing.xml), and the model needs
 * only those fields, whatever the type.
 */
#include "dbn_queue_model.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

/* Fields with few distinct values (codes, names of the catalog and org,
 * states, principals) are interned: a queue of 100,000 rows holds them once
 * instead of 100,000 times. */
struct _DbnQueueItem {
    GObject     parent_instance;
    char       *case_no;     /* case number, owned */
    const char *matter;      /* catalog code, interned */
    const char *matter_name; /* Chinese name, interned */
    char       *applicant;   /* masked name, "" until known, owned */
    const char *kind;        /* handling kind, interned */
    const char *state;       /* routing state, interned */
    const char *holder;      /* who has it now, interned */
    const char *responsible; /* who stays responsible (D-INT-6), interned */
    const char *location;    /* station, in_transit, centre, interned */
    const char *window;      /* queue coordinate, interned */
    char       *sheet;       /* run sheet while in transit, owned */
    gint64   due;         /* ms, 0 unknown */
    gint64   updated_seq; /* journal seq of the last change applied */
    gboolean pending;     /* an outbox row, not yet a case */
};

G_DEFINE_TYPE (DbnQueueItem, dbn_queue_item, G_TYPE_OBJECT)

enum { ITEM_PROP_0, ITEM_PROP_CASE_NO, ITEM_PROP_MATTER_NAME, ITEM_PROP_APPLICANT,
       ITEM_PROP_KIND, ITEM_PROP_STATE, ITEM_PROP_RESPONSIBLE, ITEM_PROP_DUE, ITEM_N_PROPS };
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
    case ITEM_PROP_DUE: g_value_set_int64 (value, self->due); break;
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
const char *dbn_queue_item_get_case_no (DbnQueueItem *self) { return S (self->case_no); }
const char *dbn_queue_item_get_matter (DbnQueueItem *self) { return S (self->matter); }
const char *dbn_queue_item_get_matter_name (DbnQueueItem *self) { return S (self->matter_name); }
const char *dbn_queue_item_get_applicant (DbnQueueItem *self) { return S (self->applicant); }
const char *dbn_queue_item_get_kind (DbnQueueItem *self) { return S (self->kind); }
const char *dbn_queue_item_get_state (DbnQueueItem *self) { return S (self->state); }
const char *dbn_queue_item_get_holder (DbnQueueItem *self) { return S (self->holder); }
const char *dbn_queue_item_get_responsible (DbnQueueItem *self) { return S (self->responsible); }
const char *dbn_queue_item_get_location (DbnQueueItem *self) { return S (self->location); }
const char *dbn_queue_item_get_window (DbnQueueItem *self) { return S (self->window); }
const char *dbn_queue_item_get_sheet (DbnQueueItem *self) { return S (self->sheet); }
gint64 dbn_queue_item_get_due (DbnQueueItem *self) { return self->due; }
gint64 dbn_queue_item_get_updated_seq (DbnQueueItem *self) { return self->updated_seq; }
gboolean dbn_queue_item_get_pending (DbnQueueItem *self) { return self->pending; }

void
dbn_queue_item_set (DbnQueueItem *self, const char *matter, const char *matter_name,
                    const char *kind, const char *state, const char *responsible)
{
    set_interned (&self->matter, matter);
    set_interned (&self->matter_name, matter_name);
    set_interned (&self->kind, kind);
    set_interned (&self->state, state);
    set_interned (&self->responsible, responsible);
}

void dbn_queue_item_set_applicant (DbnQueueItem *self, const char *a) { set_str (&self->applicant, a); }
void dbn_queue_item_set_pending (DbnQueueItem *self, gboolean pending) { self->pending = pending; }
void dbn_queue_item_set_due (DbnQueueItem *self, gint64 due_ms) { self->due = due_ms; }

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
    static const struct { const char *id, *name; } names[] = {
        { "received", N_ ("已接收") }, { "awaiting_materials", N_ ("待补材料") },
        { "classified", N_ ("已分类") }, { "assigned", N_ ("已分派") },
        { "in_progress", N_ ("办理中") }, { "escalated", N_ ("已上报") },
        { "county_answered", N_ ("县级已答复") }, { "completed", N_ ("已办结") },
        { "returned", N_ ("已退回") }, { "replied", N_ ("已答复") },
        { "archived", N_ ("已归档") }, { "pending", N_ ("未发送") },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        if (g_strcmp0 (state, names[i].id) == 0)
            return _ (names[i].name);
    return state != NULL ? state : "";
}

const char *
dbn_kind_display (const char *kind)
{
    static const struct { const char *id, *name; } names[] = {
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
    GObject     parent_instance;
    GPtrArray  *items;     /* DbnQueueItem*, owned, in arrival order */
    GHashTable *by_case;   /* case number (the item's) → item, borrowed */
    DbnCatalog *catalog;   /* borrowed, names matters; may be NULL */
    gint64      seq;       /* seq of the last snapshot */
    gboolean    resyncing; /* a snapshot is on its way: events wait */
    GPtrArray  *waiting;   /* GBytes events kept while resyncing */
};

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
}

DbnQueueModel *
dbn_queue_model_new (DbnCatalog *catalog)
{
    DbnQueueModel *self = g_object_new (DBN_TYPE_QUEUE_MODEL, NULL);
    self->catalog = catalog;
    return self;
}

gint64 dbn_queue_model_get_seq (DbnQueueModel *self) { return self->seq; }

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

static const char *
member (JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member (o, name);
    return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
        ? json_node_get_string (n) : NULL;
}

static gint64
member_int (JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member (o, name);
    return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64
        ? json_node_get_int (n) : 0;
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

/* runsheet.created names no single case: it puts every case it lists in
 * transit (D-RTE-3), and no per-case event says so. */
static void
apply_runsheet (DbnQueueModel *self, JsonObject *o)
{
    gint64 seq = member_int (o, "seq");
    JsonNode *cases = json_object_get_member (o, "cases");
    if (seq <= self->seq || cases == NULL || !JSON_NODE_HOLDS_ARRAY (cases))
        return;
    JsonArray *list = json_node_get_array (cases);
    for (guint i = 0; i < json_array_get_length (list); i++) {
        JsonNode *n = json_array_get_element (list, i);
        if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
            continue;
        const char *case_no = json_node_get_string (n);
        DbnQueueItem *item = dbn_queue_model_lookup (self, case_no);
        if (item == NULL || seq <= item->updated_seq)
            continue;
        set_interned (&item->location, "in_transit");
        set_str (&item->sheet, member (o, "sheet"));
        item->updated_seq = seq;
        dbn_queue_model_changed (self, case_no);
    }
}

static gboolean
apply_now (DbnQueueModel *self, GBytes *event, GError **error)
{
    gsize len;
    const guint8 *data = g_bytes_get_data (event, &len);
    g_autofree char *json = dbn_codec_to_json (data, len, error);
    if (json == NULL)
        return FALSE;
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (!json_parser_load_from_data (parser, json, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_ROOT_TYPE, "event is not a map");
        return FALSE;
    }
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));
    if (g_strcmp0 (member (o, "type"), "runsheet.created") == 0) {
        apply_runsheet (self, o);
        return TRUE;
    }
    const char *case_no = member (o, "case");
    gint64 seq = member_int (o, "seq");
    const char *state = member (o, "state");
    /* runsheet.created and heartbeats carry no case row; the snapshot
     * already holds what is not newer than it (Clone pattern). */
    if (case_no == NULL || state == NULL || seq <= self->seq)
        return TRUE;
    DbnQueueItem *item = dbn_queue_model_lookup (self, case_no);
    if (item != NULL && seq <= item->updated_seq)
        return TRUE;
    if (g_strcmp0 (member (o, "type"), "case.archived") == 0) {
        dbn_queue_model_remove (self, case_no);
        return TRUE;
    }
    g_autoptr (DbnQueueItem) fresh = item == NULL ? dbn_queue_item_new (case_no) : NULL;
    DbnQueueItem *row = item != NULL ? item : fresh;
    set_interned (&row->state, state);
    set_interned (&row->kind, member (o, "kind"));
    set_interned (&row->holder, member (o, "holder"));
    set_interned (&row->responsible, member (o, "responsible"));
    set_interned (&row->location, member (o, "location"));
    set_interned (&row->window, member (o, "window"));
    set_str (&row->sheet, member (o, "sheet"));
    set_interned (&row->matter, member (o, "matter"));
    row->updated_seq = seq;
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
        item->due = q->has_due ? q->due : 0;
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
