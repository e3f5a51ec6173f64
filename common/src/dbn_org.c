/* dbn_org.c: loads the organisation (windows, county departments, areas,
 * villages, stations, agents) from a GLib key file.
 *
 * Two passes. The first reads every group on its own (ids, required keys,
 * enums, phone numbers) so that the second can resolve references in any
 * order: an agent may name a station defined further down, as an
 * administrator would expect from a file grouped by village. The second
 * pass resolves every reference at the key that makes it, so an error names
 * the line to fix, and derives the back-links callers need (village →
 * station, area → villages). Rejected: letting a station list its agents —
 * that states each membership twice and the two could disagree.
 *
 * Records live in one array per kind (file order, owned) plus a hash per
 * lookup (borrowed). The files are small (tens of groups), so memory and
 * load time do not matter; strictness does, because routing trusts every
 * id it finds here.
 */
#include "daiban/dbn_org.h"

#include <string.h>

#include "dbn_keyfile_private.h"
#include "daiban/dbn_config.h"
#include "daiban/dbn_keys.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-org-error-quark, dbn_org_error)
/* clang-format on */

struct _DbnOrg {
    char *path;                 /* the file it came from */
    char *name_zh;              /* the centre's Chinese name */
    char *name_en;              /* the centre's English name */
    char **village_bodies;      /* bodies deciding village-level matters, NULL-terminated */
    GPtrArray *windows;         /* of DbnWindow*, file order, owned */
    GPtrArray *counties;        /* of DbnCountyDepartment*, file order, owned */
    GPtrArray *areas;           /* of DbnArea*, file order, owned */
    GPtrArray *villages;        /* of DbnVillage*, file order, owned */
    GPtrArray *stations;        /* of DbnStation*, file order, owned */
    GPtrArray *agents;          /* of DbnAgent*, file order, owned */
    GHashTable *window_by_id;   /* id → DbnWindow*, borrowed */
    GHashTable *window_by_dept; /* township department → DbnWindow*, borrowed */
    GHashTable *county_by_name; /* name_zh → DbnCountyDepartment*, borrowed */
    GHashTable *area_by_id;     /* id → DbnArea*, borrowed */
    GHashTable *village_by_id;  /* id → DbnVillage*, borrowed */
    GHashTable *station_by_id;  /* id → DbnStation*, borrowed */
    GHashTable *agent_by_id;    /* id → DbnAgent*, borrowed */
};

static void
window_free (DbnWindow *w)
{
    g_free (w->id);
    g_free (w->name_zh);
    g_free (w->name_en);
    g_strfreev (w->departments);
    g_free (w);
}

static void
county_free (DbnCountyDepartment *c)
{
    g_free (c->id);
    g_free (c->name_zh);
    g_free (c->name_en);
    g_strfreev (c->agents);
    g_free (c);
}

static void
area_free (DbnArea *a)
{
    g_free (a->id);
    g_free (a->name_zh);
    g_free (a->name_en);
    g_free (a->supervisor);
    g_strfreev (a->villages);
    g_free (a);
}

static void
village_free (DbnVillage *v)
{
    g_free (v->id);
    g_free (v->name_zh);
    g_free (v->name_en);
    g_free (v->area);
    g_free (v->station);
    g_free (v);
}

static void
station_free (DbnStation *s)
{
    g_free (s->id);
    g_free (s->village);
    g_free (s->name_zh);
    g_free (s->name_en);
    g_free (s->phone);
    g_free (s->head);
    g_free (s);
}

static void
agent_free (DbnAgent *a)
{
    g_free (a->id);
    g_free (a->name);
    g_free (a->phone);
    g_free (a->station);
    g_free (a->group);
    g_free (a->window);
    g_free (a->title);
    g_free (a);
}

void
dbn_org_free (DbnOrg *self)
{
    if (self == NULL)
        return;
    g_free (self->path);
    g_free (self->name_zh);
    g_free (self->name_en);
    g_strfreev (self->village_bodies);
    g_clear_pointer (&self->window_by_id, g_hash_table_unref);
    g_clear_pointer (&self->window_by_dept, g_hash_table_unref);
    g_clear_pointer (&self->county_by_name, g_hash_table_unref);
    g_clear_pointer (&self->area_by_id, g_hash_table_unref);
    g_clear_pointer (&self->village_by_id, g_hash_table_unref);
    g_clear_pointer (&self->station_by_id, g_hash_table_unref);
    g_clear_pointer (&self->agent_by_id, g_hash_table_unref);
    g_ptr_array_unref (self->windows);
    g_ptr_array_unref (self->counties);
    g_ptr_array_unref (self->areas);
    g_ptr_array_unref (self->villages);
    g_ptr_array_unref (self->stations);
    g_ptr_array_unref (self->agents);
    g_free (self);
}

const char *
dbn_org_default_path (void)
{
    /* Mirrors the catalog's default (dbn_config.c): the file being edited in
     * a checkout, else the installed one. */
    static const char source_org[] = DBN_SOURCE_DIR "/schemas/data/org.ini";
    if (g_file_test (source_org, G_FILE_TEST_IS_REGULAR))
        return source_org;
    return DBN_DATA_INSTALL_DIR "/org.ini";
}

/* Index 0 is unused so that a GDateWeekday indexes the table directly. */
static const char *const day_names[] = { NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

gboolean
dbn_org_parse_days (const char *text, guint *days, GError **error)
{
    g_return_val_if_fail (days != NULL, FALSE);
    guint out = 0;
    g_auto (GStrv) parts = g_strsplit_set (text ? text : "", ",;", -1);
    for (int i = 0; parts[i] != NULL; i++) {
        g_autofree char *name = g_ascii_strdown (g_strstrip (parts[i]), -1);
        if (*name == '\0')
            continue;
        guint day = G_DATE_BAD_WEEKDAY;
        for (guint d = G_DATE_MONDAY; d <= G_DATE_SUNDAY; d++) {
            if (strcmp (name, day_names[d]) == 0)
                day = d;
        }
        if (day == G_DATE_BAD_WEEKDAY) {
            g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_INVALID,
                         "unknown day '%s' (expected mon, tue, wed, thu, fri, sat or sun)", name);
            return FALSE;
        }
        out |= DBN_RUN_DAY (day);
    }
    if (out == 0) {
        g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_INVALID, "no day given (e.g. \"sun,wed\")");
        return FALSE;
    }
    *days = out;
    return TRUE;
}

char *
dbn_org_days_to_string (guint days)
{
    GString *out = g_string_new (NULL);
    for (guint d = G_DATE_MONDAY; d <= G_DATE_SUNDAY; d++) {
        if (days & DBN_RUN_DAY (d))
            g_string_append_printf (out, "%s%s", out->len ? "," : "", day_names[d]);
    }
    return g_string_free (out, FALSE);
}

gboolean
dbn_station_runs_on (const DbnStation *station, GDateWeekday day)
{
    g_return_val_if_fail (station != NULL, FALSE);
    if (day < G_DATE_MONDAY || day > G_DATE_SUNDAY)
        return FALSE;
    return (station->days & DBN_RUN_DAY (day)) != 0;
}

static const char *const level_names[] = { "group", "village", "township", NULL };

const char *
dbn_agent_level_to_string (DbnAgentLevel level)
{
    return (guint) level < G_N_ELEMENTS (level_names) - 1 ? level_names[level] : "unknown";
}

/* A phone number as people write it: digits with optional '-' or blanks
 * between groups, 7 to 15 digits (a landline without area code to an
 * international mobile). */
static gboolean
is_phone (const char *text)
{
    int digits = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (g_ascii_isdigit (*p))
            digits++;
        else if (*p != '-' && *p != ' ')
            return FALSE;
    }
    return digits >= 7 && digits <= 15 && g_ascii_isdigit (text[0]);
}

/* The id after "<kind>:" in group, checked to be plain. NULL with the error. */
static const char *
group_id (const DbnKeyFileCtx *ctx, const char *group, GError **error)
{
    const char *id = strchr (group, ':') + 1;
    if (!dbn_keyfile_is_plain_id (id)) {
        dbn_keyfile_invalid (ctx, error, group, NULL,
                             "the id must have 1 to 32 characters from a-z, 0-9, '-' and '_'");
        return NULL;
    }
    return id;
}

static const char *const township_keys[] = { "name_zh", "name_en", "village_bodies", NULL };
static const char *const window_keys[] = { "name_zh", "name_en", "departments", "split_desks", NULL };
static const char *const county_keys[] = { "name_zh", "name_en", "agents", NULL };
static const char *const area_keys[] = { "name_zh", "name_en", "supervisor", NULL };
static const char *const village_keys[] = { "name_zh", "name_en", "area", NULL };
static const char *const station_keys[] = { "village", "name_zh", "name_en", "phone", "head", "days", NULL };
static const char *const agent_keys[] = {
    "name", "level", "phone", "station", "group", "window", "title", "petitions", NULL,
};

/* Pass 1, one function per kind: the group's own values, no references. */

static gboolean
read_township (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error)
{
    if (!dbn_keyfile_check_keys (ctx, group, township_keys, error)
        || !(self->name_zh = dbn_keyfile_dup_required (ctx, group, "name_zh", error))
        || !(self->name_en = dbn_keyfile_dup_required (ctx, group, "name_en", error)))
        return FALSE;
    self->village_bodies = dbn_keyfile_dup_list (ctx, group, "village_bodies");
    return TRUE;
}

static gboolean
read_window (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error)
{
    const char *id = group_id (ctx, group, error);
    if (id == NULL || !dbn_keyfile_check_keys (ctx, group, window_keys, error))
        return FALSE;
    DbnWindow *w = g_new0 (DbnWindow, 1);
    g_ptr_array_add (self->windows, w);
    w->id = g_strdup (id);
    g_hash_table_insert (self->window_by_id, w->id, w);
    if (!(w->name_zh = dbn_keyfile_dup_required (ctx, group, "name_zh", error))
        || !(w->name_en = dbn_keyfile_dup_required (ctx, group, "name_en", error)))
        return FALSE;
    w->departments = dbn_keyfile_dup_list (ctx, group, "departments");
    if (w->departments[0] == NULL)
        return dbn_keyfile_invalid (ctx, error, group, "departments", "at least one department is required");
    /* D-RTE-6: a window whose front desk and back office are different
     * people gets front:<id> and back:<id> keys; one clerk keeps window:<id>. */
    return dbn_keyfile_get_optional_boolean (ctx, group, "split_desks", FALSE, &w->split_desks, error);
}

static gboolean
read_county (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error)
{
    const char *id = group_id (ctx, group, error);
    if (id == NULL || !dbn_keyfile_check_keys (ctx, group, county_keys, error))
        return FALSE;
    DbnCountyDepartment *c = g_new0 (DbnCountyDepartment, 1);
    g_ptr_array_add (self->counties, c);
    c->id = g_strdup (id);
    if (!(c->name_zh = dbn_keyfile_dup_required (ctx, group, "name_zh", error))
        || !(c->name_en = dbn_keyfile_dup_required (ctx, group, "name_en", error)))
        return FALSE;
    c->agents = dbn_keyfile_dup_list (ctx, group, "agents");
    if (c->agents[0] == NULL)
        return dbn_keyfile_invalid (ctx, error, group, "agents",
                                    "at least one township agent must carry its matters (D-RTE-1)");
    return TRUE;
}

static gboolean
read_area (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error)
{
    const char *id = group_id (ctx, group, error);
    if (id == NULL || !dbn_keyfile_check_keys (ctx, group, area_keys, error))
        return FALSE;
    DbnArea *a = g_new0 (DbnArea, 1);
    g_ptr_array_add (self->areas, a);
    a->id = g_strdup (id);
    g_hash_table_insert (self->area_by_id, a->id, a);
    return (a->name_zh = dbn_keyfile_dup_required (ctx, group, "name_zh", error))
           && (a->name_en = dbn_keyfile_dup_required (ctx, group, "name_en", error))
           && (a->supervisor = dbn_keyfile_dup_required (ctx, group, "supervisor", error));
}

static gboolean
read_village (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error)
{
    const char *id = group_id (ctx, group, error);
    if (id == NULL || !dbn_keyfile_check_keys (ctx, group, village_keys, error))
        return FALSE;
    DbnVillage *v = g_new0 (DbnVillage, 1);
    g_ptr_array_add (self->villages, v);
    v->id = g_strdup (id);
    g_hash_table_insert (self->village_by_id, v->id, v);
    return (v->name_zh = dbn_keyfile_dup_required (ctx, group, "name_zh", error))
           && (v->name_en = dbn_keyfile_dup_required (ctx, group, "name_en", error))
           && (v->area = dbn_keyfile_dup_required (ctx, group, "area", error));
}

static gboolean
read_station (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error)
{
    const char *id = group_id (ctx, group, error);
    if (id == NULL || !dbn_keyfile_check_keys (ctx, group, station_keys, error))
        return FALSE;
    DbnStation *s = g_new0 (DbnStation, 1);
    g_ptr_array_add (self->stations, s);
    s->id = g_strdup (id);
    g_hash_table_insert (self->station_by_id, s->id, s);
    if (!(s->village = dbn_keyfile_dup_required (ctx, group, "village", error))
        || !(s->name_zh = dbn_keyfile_dup_required (ctx, group, "name_zh", error))
        || !(s->name_en = dbn_keyfile_dup_required (ctx, group, "name_en", error))
        || !(s->phone = dbn_keyfile_dup_required (ctx, group, "phone", error))
        || !(s->head = dbn_keyfile_dup_required (ctx, group, "head", error)))
        return FALSE;
    if (!is_phone (s->phone))
        return dbn_keyfile_invalid (ctx, error, group, "phone", "not a phone number");
    /* D-RTE-3: Sunday and Wednesday unless the station says otherwise. */
    s->days = DBN_RUN_DAYS_DEFAULT;
    if (g_key_file_has_key (ctx->kf, group, "days", NULL)) {
        g_autofree char *text = g_key_file_get_string (ctx->kf, group, "days", NULL);
        g_autoptr (GError) local = NULL;
        if (!dbn_org_parse_days (text, &s->days, &local))
            return dbn_keyfile_invalid (ctx, error, group, "days", "%s", local->message);
    }
    return TRUE;
}

static gboolean
read_agent (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error)
{
    const char *id = group_id (ctx, group, error);
    if (id == NULL || !dbn_keyfile_check_keys (ctx, group, agent_keys, error))
        return FALSE;
    DbnAgent *a = g_new0 (DbnAgent, 1);
    g_ptr_array_add (self->agents, a);
    a->id = g_strdup (id);
    g_hash_table_insert (self->agent_by_id, a->id, a);
    g_autofree char *level = NULL;
    if (!(a->name = dbn_keyfile_dup_required (ctx, group, "name", error))
        || !(level = dbn_keyfile_dup_required (ctx, group, "level", error))
        || !(a->phone = dbn_keyfile_dup_required (ctx, group, "phone", error)))
        return FALSE;
    gboolean known = FALSE;
    for (int i = 0; level_names[i] != NULL; i++) {
        if (strcmp (level, level_names[i]) == 0) {
            a->level = i;
            known = TRUE;
        }
    }
    if (!known)
        return dbn_keyfile_invalid (ctx, error, group, "level", "must be group, village or township");
    if (!is_phone (a->phone))
        return dbn_keyfile_invalid (ctx, error, group, "phone", "not a phone number");
    /* Optional keys: absent means NULL; present but empty is a mistake. */
    const char *optional[] = { "station", "group", "window", "title" };
    char **fields[] = { &a->station, &a->group, &a->window, &a->title };
    for (guint i = 0; i < G_N_ELEMENTS (optional); i++) {
        if (g_key_file_has_key (ctx->kf, group, optional[i], NULL)
            && !(*fields[i] = dbn_keyfile_dup_required (ctx, group, optional[i], error)))
            return FALSE;
    }
    return dbn_keyfile_get_optional_boolean (ctx, group, "petitions", FALSE, &a->petitions, error);
}

/* Pass 2: references, each reported at the key that makes it. */

static gboolean
resolve_windows (const DbnKeyFileCtx *ctx, DbnOrg *self, GError **error)
{
    for (guint i = 0; i < self->windows->len; i++) {
        DbnWindow *w = g_ptr_array_index (self->windows, i);
        g_autofree char *group = g_strconcat ("window:", w->id, NULL);
        for (int d = 0; w->departments[d] != NULL; d++) {
            DbnWindow *other = g_hash_table_lookup (self->window_by_dept, w->departments[d]);
            /* One owner per department, or routing could not pick a queue. */
            if (other != NULL)
                return dbn_keyfile_invalid (ctx, error, group, "departments",
                                            "%s is already fronted by window %s", w->departments[d],
                                            other->id);
            g_hash_table_insert (self->window_by_dept, w->departments[d], w);
        }
    }
    return TRUE;
}

static gboolean
check_township_agent (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, const char *key,
                      const char *id, GError **error)
{
    const DbnAgent *a = g_hash_table_lookup (self->agent_by_id, id);
    if (a == NULL)
        return dbn_keyfile_invalid (ctx, error, group, key, "no [agent:%s]", id);
    if (a->level != DBN_AGENT_LEVEL_TOWNSHIP)
        return dbn_keyfile_invalid (ctx, error, group, key, "agent %s is not a township agent", id);
    return TRUE;
}

static gboolean
resolve_counties (const DbnKeyFileCtx *ctx, DbnOrg *self, GError **error)
{
    for (guint i = 0; i < self->counties->len; i++) {
        DbnCountyDepartment *c = g_ptr_array_index (self->counties, i);
        g_autofree char *group = g_strconcat ("county:", c->id, NULL);
        if (g_hash_table_contains (self->county_by_name, c->name_zh)
            || g_hash_table_contains (self->window_by_dept, c->name_zh))
            return dbn_keyfile_invalid (ctx, error, group, "name_zh", "%s names another department already",
                                        c->name_zh);
        g_hash_table_insert (self->county_by_name, c->name_zh, c);
        for (int a = 0; c->agents[a] != NULL; a++) {
            if (!check_township_agent (ctx, self, group, "agents", c->agents[a], error))
                return FALSE;
        }
    }
    return TRUE;
}

static gboolean
resolve_agents (const DbnKeyFileCtx *ctx, DbnOrg *self, GError **error)
{
    for (guint i = 0; i < self->agents->len; i++) {
        DbnAgent *a = g_ptr_array_index (self->agents, i);
        g_autofree char *group = g_strconcat ("agent:", a->id, NULL);
        gboolean township = a->level == DBN_AGENT_LEVEL_TOWNSHIP;
        if (township && a->station != NULL)
            return dbn_keyfile_invalid (ctx, error, group, "station",
                                        "a township agent belongs to no station");
        if (!township && a->station == NULL)
            return dbn_keyfile_invalid (ctx, error, group, "station",
                                        "missing: group and village agents belong to a station");
        if (a->station != NULL && !g_hash_table_contains (self->station_by_id, a->station))
            return dbn_keyfile_invalid (ctx, error, group, "station", "no [station:%s]", a->station);
        if (a->level == DBN_AGENT_LEVEL_GROUP && a->group == NULL)
            return dbn_keyfile_invalid (ctx, error, group, "group",
                                        "missing: a group agent names the villagers' group");
        if (a->level != DBN_AGENT_LEVEL_GROUP && a->group != NULL)
            return dbn_keyfile_invalid (ctx, error, group, "group", "only group agents have a group");
        if (!township && a->window != NULL)
            return dbn_keyfile_invalid (ctx, error, group, "window", "only township agents sit at a window");
        if (a->window != NULL && !g_hash_table_contains (self->window_by_id, a->window))
            return dbn_keyfile_invalid (ctx, error, group, "window", "no [window:%s]", a->window);
    }
    return TRUE;
}

static gboolean
resolve_villages_and_areas (const DbnKeyFileCtx *ctx, DbnOrg *self, GError **error)
{
    /* area id → GPtrArray of village ids (borrowed), turned into the area's
     * villages vector once complete */
    g_autoptr (GHashTable) members =
        g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
    for (guint i = 0; i < self->villages->len; i++) {
        DbnVillage *v = g_ptr_array_index (self->villages, i);
        if (!g_hash_table_contains (self->area_by_id, v->area)) {
            g_autofree char *group = g_strconcat ("village:", v->id, NULL);
            return dbn_keyfile_invalid (ctx, error, group, "area", "no [area:%s]", v->area);
        }
        GPtrArray *list = g_hash_table_lookup (members, v->area);
        if (list == NULL) {
            list = g_ptr_array_new ();
            g_hash_table_insert (members, v->area, list);
        }
        g_ptr_array_add (list, v->id);
    }
    for (guint i = 0; i < self->areas->len; i++) {
        DbnArea *a = g_ptr_array_index (self->areas, i);
        g_autofree char *group = g_strconcat ("area:", a->id, NULL);
        if (!check_township_agent (ctx, self, group, "supervisor", a->supervisor, error))
            return FALSE;
        GPtrArray *list = g_hash_table_lookup (members, a->id);
        if (list == NULL)
            return dbn_keyfile_invalid (ctx, error, group, NULL, "no village belongs to this area");
        a->villages = g_new0 (char *, list->len + 1);
        for (guint v = 0; v < list->len; v++)
            a->villages[v] = g_strdup (g_ptr_array_index (list, v));
    }
    return TRUE;
}

static gboolean
resolve_stations (const DbnKeyFileCtx *ctx, DbnOrg *self, GError **error)
{
    for (guint i = 0; i < self->stations->len; i++) {
        DbnStation *s = g_ptr_array_index (self->stations, i);
        g_autofree char *group = g_strconcat ("station:", s->id, NULL);
        DbnVillage *v = g_hash_table_lookup (self->village_by_id, s->village);
        if (v == NULL)
            return dbn_keyfile_invalid (ctx, error, group, "village", "no [village:%s]", s->village);
        if (v->station != NULL)
            return dbn_keyfile_invalid (ctx, error, group, "village", "village %s already has station %s",
                                        v->id, v->station);
        v->station = g_strdup (s->id);
        const DbnAgent *head = g_hash_table_lookup (self->agent_by_id, s->head);
        if (head == NULL)
            return dbn_keyfile_invalid (ctx, error, group, "head", "no [agent:%s]", s->head);
        if (g_strcmp0 (head->station, s->id) != 0)
            return dbn_keyfile_invalid (ctx, error, group, "head", "agent %s is not an agent of this station",
                                        s->head);
    }
    for (guint i = 0; i < self->villages->len; i++) {
        DbnVillage *v = g_ptr_array_index (self->villages, i);
        if (v->station == NULL) {
            g_autofree char *group = g_strconcat ("village:", v->id, NULL);
            return dbn_keyfile_invalid (ctx, error, group, NULL,
                                        "the village has no [station:...] (村代办站)");
        }
    }
    return TRUE;
}

static DbnOrg *
org_new (const char *path)
{
    DbnOrg *self = g_new0 (DbnOrg, 1);
    self->path = g_strdup (path);
    self->windows = g_ptr_array_new_with_free_func ((GDestroyNotify) window_free);
    self->counties = g_ptr_array_new_with_free_func ((GDestroyNotify) county_free);
    self->areas = g_ptr_array_new_with_free_func ((GDestroyNotify) area_free);
    self->villages = g_ptr_array_new_with_free_func ((GDestroyNotify) village_free);
    self->stations = g_ptr_array_new_with_free_func ((GDestroyNotify) station_free);
    self->agents = g_ptr_array_new_with_free_func ((GDestroyNotify) agent_free);
    self->window_by_id = g_hash_table_new (g_str_hash, g_str_equal);
    self->window_by_dept = g_hash_table_new (g_str_hash, g_str_equal);
    self->county_by_name = g_hash_table_new (g_str_hash, g_str_equal);
    self->area_by_id = g_hash_table_new (g_str_hash, g_str_equal);
    self->village_by_id = g_hash_table_new (g_str_hash, g_str_equal);
    self->station_by_id = g_hash_table_new (g_str_hash, g_str_equal);
    self->agent_by_id = g_hash_table_new (g_str_hash, g_str_equal);
    return self;
}

typedef gboolean (*ReadGroup) (const DbnKeyFileCtx *ctx, DbnOrg *self, const char *group, GError **error);

static const struct {
    const char *prefix; /* group name up to and including ':' */
    ReadGroup read;     /* pass-1 reader */
} readers[] = {
    { "window:", read_window },   { "county:", read_county },   { "area:", read_area },
    { "village:", read_village }, { "station:", read_station }, { "agent:", read_agent },
};

DbnOrg *
dbn_org_load (const char *path, GError **error)
{
    g_return_val_if_fail (path != NULL, NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr (GError) local = NULL;
    if (!g_file_get_contents (path, &text, &len, &local)) {
        g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_READ, "cannot read org %s: %s", path,
                     local->message);
        return NULL;
    }
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    if (!g_key_file_load_from_data (kf, text, len, G_KEY_FILE_NONE, &local)) {
        g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_PARSE, "%s: %s", path, local->message);
        return NULL;
    }
    const DbnKeyFileCtx ctx = {
        .kf = kf,
        .path = path,
        .text = text,
        .domain = DBN_ORG_ERROR,
        .invalid = DBN_ORG_ERROR_INVALID,
    };
    if (!dbn_keyfile_check_duplicates (&ctx, error))
        return NULL;
    g_autoptr (DbnOrg) self = org_new (path);
    gboolean have_township = FALSE;
    g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
    for (int i = 0; groups[i] != NULL; i++) {
        const char *group = groups[i];
        gboolean ok = FALSE;
        gboolean known = FALSE;
        if (strcmp (group, "township") == 0) {
            known = have_township = TRUE;
            ok = read_township (&ctx, self, group, error);
        }
        for (guint r = 0; !known && r < G_N_ELEMENTS (readers); r++) {
            if (g_str_has_prefix (group, readers[r].prefix)) {
                known = TRUE;
                ok = readers[r].read (&ctx, self, group, error);
            }
        }
        if (!known)
            dbn_keyfile_invalid (&ctx, error, group, NULL,
                                 "unknown group (expected [township], [window:id], [county:id], "
                                 "[area:id], [village:id], [station:id] or [agent:id])");
        if (!ok)
            return NULL;
    }
    if (!have_township) {
        g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_INVALID, "%s: no [township] group naming the centre",
                     path);
        return NULL;
    }
    if (self->windows->len == 0 || self->villages->len == 0) {
        g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_INVALID,
                     "%s: an org needs at least one [window:...] and one [village:...]", path);
        return NULL;
    }
    if (!resolve_windows (&ctx, self, error) || !resolve_counties (&ctx, self, error)
        || !resolve_agents (&ctx, self, error) || !resolve_villages_and_areas (&ctx, self, error)
        || !resolve_stations (&ctx, self, error))
        return NULL;
    return g_steal_pointer (&self);
}

gboolean
dbn_org_is_village_body (DbnOrg *self, const char *name)
{
    g_return_val_if_fail (self != NULL, FALSE);
    return name != NULL && g_strv_contains ((const char *const *) self->village_bodies, name);
}

gboolean
dbn_org_check_catalog (DbnOrg *self, DbnCatalog *catalog, GError **error)
{
    g_return_val_if_fail (self != NULL && catalog != NULL, FALSE);
    for (guint i = 0; i < dbn_catalog_get_n_matters (catalog); i++) {
        const DbnMatter *m = dbn_catalog_get_matter (catalog, i);
        if (!g_hash_table_contains (self->window_by_id, m->window)) {
            g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_CATALOG,
                         "catalog [matter:%s] window: %s is not a [window:...] of %s", m->code, m->window,
                         self->path);
            return FALSE;
        }
        gboolean county = FALSE;
        for (int d = 0; m->departments[d] != NULL; d++) {
            const char *dept = m->departments[d];
            if (g_hash_table_contains (self->county_by_name, dept))
                county = TRUE;
            else if (!g_hash_table_contains (self->window_by_dept, dept)
                     && !dbn_org_is_village_body (self, dept)) {
                g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_CATALOG,
                             "catalog [matter:%s] departments: %s is fronted by no window, "
                             "is no [county:...] and no village body of %s",
                             m->code, dept, self->path);
                return FALSE;
            }
        }
        /* D-RTE-1: a county matter travels with a township agent, found
         * through the county department it names. */
        if (m->level == DBN_LEVEL_COUNTY && !county) {
            g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_CATALOG,
                         "catalog [matter:%s] departments: decided by the county but names "
                         "no [county:...] of %s",
                         m->code, self->path);
            return FALSE;
        }
    }
    return TRUE;
}

const char *
dbn_org_get_name (DbnOrg *self, gboolean chinese)
{
    g_return_val_if_fail (self != NULL, NULL);
    return chinese ? self->name_zh : self->name_en;
}

const DbnWindow *
dbn_org_lookup_window (DbnOrg *self, const char *id)
{
    g_return_val_if_fail (self != NULL, NULL);
    return id ? g_hash_table_lookup (self->window_by_id, id) : NULL;
}

guint
dbn_org_get_n_windows (DbnOrg *self)
{
    return self->windows->len;
}

const DbnWindow *
dbn_org_get_window (DbnOrg *self, guint index)
{
    g_return_val_if_fail (index < self->windows->len, NULL);
    return g_ptr_array_index (self->windows, index);
}

const DbnWindow *
dbn_org_lookup_window_for_department (DbnOrg *self, const char *department)
{
    g_return_val_if_fail (self != NULL, NULL);
    return department ? g_hash_table_lookup (self->window_by_dept, department) : NULL;
}

const DbnCountyDepartment *
dbn_org_lookup_county_department (DbnOrg *self, const char *name_zh)
{
    g_return_val_if_fail (self != NULL, NULL);
    return name_zh ? g_hash_table_lookup (self->county_by_name, name_zh) : NULL;
}

guint
dbn_org_get_n_county_departments (DbnOrg *self)
{
    return self->counties->len;
}

const DbnCountyDepartment *
dbn_org_get_county_department (DbnOrg *self, guint index)
{
    g_return_val_if_fail (index < self->counties->len, NULL);
    return g_ptr_array_index (self->counties, index);
}

const DbnArea *
dbn_org_lookup_area (DbnOrg *self, const char *id)
{
    g_return_val_if_fail (self != NULL, NULL);
    return id ? g_hash_table_lookup (self->area_by_id, id) : NULL;
}

guint
dbn_org_get_n_areas (DbnOrg *self)
{
    return self->areas->len;
}

const DbnArea *
dbn_org_get_area (DbnOrg *self, guint index)
{
    g_return_val_if_fail (index < self->areas->len, NULL);
    return g_ptr_array_index (self->areas, index);
}

const DbnArea *
dbn_org_lookup_area_for_station (DbnOrg *self, const char *station_id)
{
    const DbnStation *s = dbn_org_lookup_station (self, station_id);
    const DbnVillage *v = s ? dbn_org_lookup_village (self, s->village) : NULL;
    return v ? dbn_org_lookup_area (self, v->area) : NULL;
}

const DbnVillage *
dbn_org_lookup_village (DbnOrg *self, const char *id)
{
    g_return_val_if_fail (self != NULL, NULL);
    return id ? g_hash_table_lookup (self->village_by_id, id) : NULL;
}

guint
dbn_org_get_n_villages (DbnOrg *self)
{
    return self->villages->len;
}

const DbnVillage *
dbn_org_get_village (DbnOrg *self, guint index)
{
    g_return_val_if_fail (index < self->villages->len, NULL);
    return g_ptr_array_index (self->villages, index);
}

const DbnStation *
dbn_org_lookup_station (DbnOrg *self, const char *id)
{
    g_return_val_if_fail (self != NULL, NULL);
    return id ? g_hash_table_lookup (self->station_by_id, id) : NULL;
}

guint
dbn_org_get_n_stations (DbnOrg *self)
{
    return self->stations->len;
}

const DbnStation *
dbn_org_get_station (DbnOrg *self, guint index)
{
    g_return_val_if_fail (index < self->stations->len, NULL);
    return g_ptr_array_index (self->stations, index);
}

const DbnAgent *
dbn_org_lookup_agent (DbnOrg *self, const char *id)
{
    g_return_val_if_fail (self != NULL, NULL);
    return id ? g_hash_table_lookup (self->agent_by_id, id) : NULL;
}

guint
dbn_org_get_n_agents (DbnOrg *self)
{
    return self->agents->len;
}

const DbnAgent *
dbn_org_get_agent (DbnOrg *self, guint index)
{
    g_return_val_if_fail (index < self->agents->len, NULL);
    return g_ptr_array_index (self->agents, index);
}

GPtrArray *
dbn_org_dup_station_agents (DbnOrg *self, const char *station_id)
{
    g_return_val_if_fail (self != NULL, NULL);
    GPtrArray *out = g_ptr_array_new ();
    for (guint i = 0; station_id != NULL && i < self->agents->len; i++) {
        DbnAgent *a = g_ptr_array_index (self->agents, i);
        if (g_strcmp0 (a->station, station_id) == 0)
            g_ptr_array_add (out, a);
    }
    return out;
}

const DbnAgent *
dbn_org_lookup_petition_agent (DbnOrg *self, const char *station_id)
{
    g_return_val_if_fail (self != NULL, NULL);
    for (guint i = 0; station_id != NULL && i < self->agents->len; i++) {
        const DbnAgent *a = g_ptr_array_index (self->agents, i);
        if (a->petitions && g_strcmp0 (a->station, station_id) == 0)
            return a;
    }
    return NULL;
}

/* ---- ids that become topics (issue 11) ---- */

static gboolean
unknown_id (GError **error, const char *what, const char *id)
{
    /* The value comes from the network or a command line: quote at most 64
     * bytes with control characters escaped. */
    g_autofree char *cut = g_strndup (id != NULL ? id : "", 64);
    g_autofree char *escaped = g_strescape (cut, NULL);
    g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_UNKNOWN_ID, "“%s” is not a %s of org.ini", escaped,
                 what);
    return FALSE;
}

gboolean
dbn_org_check_village (DbnOrg *self, const char *id, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    if (dbn_org_lookup_village (self, id) != NULL)
        return TRUE;
    return unknown_id (error, "village", id);
}

gboolean
dbn_org_check_principal (DbnOrg *self, const char *principal, GError **error)
{
    g_return_val_if_fail (self != NULL, FALSE);
    const char *id = dbn_principal_get_id (principal);
    switch (dbn_principal_get_kind (principal)) {
    case DBN_PRINCIPAL_WINDOW: {
        const DbnWindow *w = dbn_org_lookup_window (self, id);
        if (w == NULL)
            return unknown_id (error, "window", id);
        /* D-RTE-6: a desk's own key only where org.ini splits the window's desks. */
        if (dbn_principal_get_window_roles (principal) != DBN_WINDOW_ROLE_BOTH && !w->split_desks) {
            g_set_error (error, DBN_ORG_ERROR, DBN_ORG_ERROR_DESKS_NOT_SPLIT,
                         "window %s has one desk (no split_desks = true in org.ini): use window:%s", id, id);
            return FALSE;
        }
        return TRUE;
    }
    case DBN_PRINCIPAL_STATION:
        return dbn_org_lookup_station (self, id) != NULL || unknown_id (error, "station", id);
    case DBN_PRINCIPAL_SUPERVISOR:
        return dbn_org_lookup_area (self, id) != NULL || unknown_id (error, "area", id);
    case DBN_PRINCIPAL_COUNTY:
        for (guint i = 0; i < dbn_org_get_n_county_departments (self); i++)
            if (g_strcmp0 (dbn_org_get_county_department (self, i)->id, id) == 0)
                return TRUE;
        return unknown_id (error, "county department", id);
    case DBN_PRINCIPAL_GROUP: {
        /* Issue 16: group:<agent>, an agent of level group (组代办员). */
        const DbnAgent *a = dbn_org_lookup_agent (self, id);
        if (a != NULL && a->level == DBN_AGENT_LEVEL_GROUP)
            return TRUE;
        return unknown_id (error, "group agent", id);
    }
    case DBN_PRINCIPAL_SERVICE:
        for (const char *const *name = dbn_config_service_names (); *name != NULL; name++)
            if (g_strcmp0 (*name, id) == 0)
                return TRUE;
        return unknown_id (error, "service (daiban.conf)", id);
    case DBN_PRINCIPAL_COMMITTEE:
    case DBN_PRINCIPAL_LEADER: /* a person on the duty roster, not a place of org.ini */
    case DBN_PRINCIPAL_OPERATOR:
    /* A board's id names its screen (the hall, the website), not an office:
     * it reads only what is public, so there is nothing of org.ini to check. */
    case DBN_PRINCIPAL_BOARD: return TRUE;
    default: return dbn_principal_validate (principal, error);
    }
}
