/* audit_violations.c: fee and reclassification violations
 * (audit_violations.h). Both need what the record already holds about the
 * case, so they read audit_entry by its case index (audit_entry_case):
 * entries are never changed, so what was read once stays true. */
#include "audit_violations.h"

#include <daiban/dbn_sql.h>
#include <sqlite3.h>
#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-audit"

void
audit_violation_clear (AuditViolation *v)
{
    g_clear_pointer (&v->person, g_free);
    g_clear_pointer (&v->detail, g_free);
    v->kind = NULL;
    v->rule = NULL;
}

/* The event bytes of the first entry of case_no from producer of type
 * before index; NULL when none. Caller owns the result. */
static GBytes *
first_entry (DbnStore *store, const char *case_no, const char *producer, const char *type, gint64 index)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    if (sqlite3_prepare_v2 (dbn_store_get_db (store),
                            "SELECT event FROM audit_entry WHERE case_no = ? AND idx < ? AND producer = ?"
                            " AND type = ? ORDER BY idx LIMIT 1",
                            -1, &st, NULL)
        != SQLITE_OK)
        return NULL;
    dbn_sql_bind_text (st, 1, case_no);
    sqlite3_bind_int64 (st, 2, index);
    dbn_sql_bind_text (st, 3, producer);
    dbn_sql_bind_text (st, 4, type);
    if (sqlite3_step (st) != SQLITE_ROW)
        return NULL;
    return g_bytes_new (sqlite3_column_blob (st, 0), (gsize) sqlite3_column_bytes (st, 0));
}

static gint64
count_entries (DbnStore *store, const char *case_no, const char *producer, const char *type, gint64 index)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    if (sqlite3_prepare_v2 (dbn_store_get_db (store),
                            "SELECT count(*) FROM audit_entry WHERE case_no = ? AND idx < ? AND producer = ?"
                            " AND type = ?",
                            -1, &st, NULL)
        != SQLITE_OK)
        return 0;
    dbn_sql_bind_text (st, 1, case_no);
    sqlite3_bind_int64 (st, 2, index);
    dbn_sql_bind_text (st, 3, producer);
    dbn_sql_bind_text (st, 4, type);
    return sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : 0;
}

/* The case's matter, from routing's case.routed in the record. */
static char *
case_matter (DbnStore *store, const char *case_no, gint64 index)
{
    g_autoptr (GBytes) routed = first_entry (store, case_no, "routing", DBN_MSG_CASE_ROUTED_WIRE, index);
    if (routed == NULL)
        return NULL;
    g_autoptr (DbnMsgCaseRouted) m =
        dbn_msg_case_routed_decode (g_bytes_get_data (routed, NULL), g_bytes_get_size (routed), NULL);
    return m != NULL ? g_strdup (m->matter) : NULL;
}

static char *
yuan (gint64 fen)
{
    return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", fen / 100, (int) (fen % 100));
}

static gboolean
fee_above_catalog (DbnStore *store, DbnCatalog *catalog, const DbnEnvEvent *env, GBytes *event, gint64 index,
                   AuditViolation *v)
{
    g_autoptr (DbnMsgCaseReplied) m =
        dbn_msg_case_replied_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), NULL);
    if (m == NULL || !m->has_fee_charged || catalog == NULL)
        return FALSE;
    g_autofree char *code = case_matter (store, env->case_no, index);
    const DbnMatter *matter = code != NULL ? dbn_catalog_lookup (catalog, code) : NULL;
    if (matter == NULL) {
        g_warning ("%s: the fee charged is not judged: the matter %s is not in the record or the catalog",
                   env->case_no, code != NULL ? code : "(none)");
        return FALSE;
    }
    if (m->fee_charged <= matter->fee_fen)
        return FALSE;
    g_autofree char *charged = yuan (m->fee_charged);
    g_autofree char *due = yuan (matter->fee_fen);
    v->kind = "fee_above_catalog";
    v->rule = "D-AUD-3";
    v->person = g_strdup (env->actor);
    v->detail =
        g_strdup_printf ("charged %s yuan for %s, the catalog's fee is %s yuan / 实收 %s 元，目录收费 %s 元",
                         charged, matter->code, due, charged, due);
    return TRUE;
}

/* D-DL-4: the kinds whose cases carry the promised (committed) date. */
static gboolean
has_committed_clock (const char *kind)
{
    return g_strcmp0 (kind, "committed") == 0 || g_strcmp0 (kind, "escalated") == 0;
}

static gboolean
reclassified_deadline_moved (DbnStore *store, const DbnEnvEvent *env, GBytes *event, gint64 index,
                             AuditViolation *v)
{
    g_autoptr (DbnMsgCaseClassified) m =
        dbn_msg_case_classified_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), NULL);
    if (m == NULL || has_committed_clock (m->previous) == has_committed_clock (m->kind))
        return FALSE;
    /* The first classification settles the kind the catalog proposed; only
     * a later one moves a date already promised. */
    if (count_entries (store, env->case_no, "routing", DBN_MSG_CASE_CLASSIFIED_WIRE, index) == 0)
        return FALSE;
    v->kind = "reclassified_deadline_moved";
    v->rule = "D-DL-4";
    v->person = g_strdup (env->actor);
    v->detail = g_strdup_printf ("%s → %s: the promised date was %s / 改变分类，承诺期限被%s", m->previous,
                                 m->kind, has_committed_clock (m->kind) ? "started again" : "cancelled",
                                 has_committed_clock (m->kind) ? "重新起算" : "取消");
    return TRUE;
}

gboolean
audit_violations_find (DbnStore *store, DbnCatalog *catalog, const char *producer, const DbnEnvEvent *env,
                       GBytes *event, gint64 index, AuditViolation *v)
{
    if (g_strcmp0 (producer, "routing") != 0 || env->case_no == NULL || *env->case_no == '\0')
        return FALSE;
    if (g_strcmp0 (env->type, DBN_MSG_CASE_REPLIED_WIRE) == 0)
        return fee_above_catalog (store, catalog, env, event, index, v);
    if (g_strcmp0 (env->type, DBN_MSG_CASE_CLASSIFIED_WIRE) == 0)
        return reclassified_deadline_moved (store, env, event, index, v);
    return FALSE;
}
