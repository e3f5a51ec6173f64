/* audit_service.c: daiban-audit's actions (audit_service.h). The record is
 * audit_log.c; this file is the service around it: the settings, the
 * signing key, one follower per producer and the head timer.
 *
 * Exactly once (issue 14 item 1): the frame's follower applies event seq N
 * of a producer inside the transaction that moves its stored offset to N,
 * and audit_log_append writes the entry in that same transaction. A kill at
 * any instant leaves either both or neither; the next sync asks from the
 * stored offset, and the log refuses a second entry for (producer, seq)
 * besides. The log's in-memory state (peaks, chain) is checked against the
 * file before every append (audit_log_refresh), since the follower's
 * transaction may have rolled back after an earlier apply returned TRUE:
 * the next append then hashes on what is committed, never on what was
 * dropped. */
#include "audit_service.h"
#include "audit_queries.h"
#include "audit_spotcheck.h"
#include "audit_summary.h"
#include "audit_violations.h"

#include <daiban/dbn_sign_key.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-audit"

#define DEFAULT_PRODUCERS     "intake,routing,deadline,evaluation"
#define DEFAULT_EVERY_ENTRIES 1000
#define DEFAULT_EVERY_MS      5000
#define SIGN_CHECK_MS         250
#define SIGNING_KEY_FILE      "service-audit.sign"

typedef struct {
    AuditActions *actions;
    char *name;              /* the producer, as followed (the entry's producer) */
    DbnSubscriber *follower; /* owned */
} Producer;

struct _AuditActions {
    DbnService *service; /* borrowed */
    AuditLog *log;
    DbnCatalog *catalog; /* D-AUD-3's fees; owned */
    gint64 spotcheck_per_window;
    GPtrArray *producers; /* Producer*, owned */
    AuditSummaries *summaries; /* D-AUD-6's drafts and their hour; owned */
    guint sign_id;
};

/* D-AUD-2: the committee records its findings (its only writing command:
 * its own record, never a case); the committee and the operator read them
 * and the week's draw. */
const DbnCommandSpec audit_commands[] = {
    { DBN_MSG_AUDIT_SPOTCHECK_RECORD_WIRE, audit_spotcheck_record_command, TRUE, DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_AUDIT_FINDINGS_WIRE, audit_findings_command, FALSE, DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_AUDIT_SPOTCHECK_DRAW_WIRE, audit_spotcheck_draw_command, FALSE, DBN_PRINCIPAL_COMMITTEE },
    /* D-AUD-6: the duty leader signs the day's summaries; leaders and the
     * committee read them. */
    { DBN_MSG_AUDIT_SUMMARY_SIGN_WIRE, audit_summary_sign_command, TRUE, DBN_PRINCIPAL_LEADER },
    { DBN_MSG_AUDIT_SUMMARY_LIST_WIRE, audit_summary_list_command, FALSE,
      DBN_PRINCIPAL_LEADER | DBN_PRINCIPAL_COMMITTEE },
    { NULL },
};

/* ---- the signing key ---- */

char *
audit_signing_key_path (const char *data_dir)
{
    return g_build_filename (data_dir, "keys", SIGNING_KEY_FILE, NULL);
}

gboolean
audit_signing_key_ensure (const char *data_dir, GError **error)
{
    g_autofree char *path = audit_signing_key_path (data_dir);
    if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    return dbn_sign_key_write (path, "daiban-audit", NULL, error);
}

gboolean
audit_signing_key_load (const char *data_dir, guint8 sk[AUDIT_SECRET_KEY_SIZE], GError **error)
{
    g_autofree char *path = audit_signing_key_path (data_dir);
    if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                     "the audit signing key %s is missing: run `daiban keys init`", path);
        return FALSE;
    }
    /* The same file format and checks as a leader's key (dbn_sign_key.h):
     * whoever can read it can sign heads. */
    G_STATIC_ASSERT (AUDIT_SECRET_KEY_SIZE == DBN_SIGN_SECRET_KEY_SIZE);
    g_autoptr (GError) local = NULL;
    if (dbn_sign_key_load (path, sk, &local))
        return TRUE;
    if (g_error_matches (local, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INSECURE))
        g_propagate_error (error, g_steal_pointer (&local));
    else
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_CONFIG, local->message);
    return FALSE;
}

/* ---- settings ---- */

static gboolean
setting_int (DbnConfig *config, const char *key, gint64 fallback, gint64 max, gint64 *out, GError **error)
{
    const char *value = dbn_config_get_setting (config, "audit", key);
    *out = fallback;
    if (value == NULL)
        return TRUE;
    if (!g_ascii_string_to_signed (value, 10, 0, max, out, NULL)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                     "daiban.conf: [audit] %s: \"%s\" is not a number 0..%" G_GINT64_FORMAT, key, value, max);
        return FALSE;
    }
    return TRUE;
}

static void
producer_free (gpointer data)
{
    Producer *p = data;
    g_clear_pointer (&p->follower, dbn_subscriber_free);
    g_free (p->name);
    g_free (p);
}

AuditActions *
audit_actions_new (DbnService *service, GError **error)
{
    DbnConfig *config = dbn_service_get_config (service);
    gint64 every = 0, every_ms = 0;
    if (!setting_int (config, "head_every_entries", DEFAULT_EVERY_ENTRIES, G_MAXUINT, &every, error)
        || !setting_int (config, "head_every_ms", DEFAULT_EVERY_MS, G_GINT64_CONSTANT (86400000), &every_ms,
                         error))
        return NULL;
    gint64 per_window = 0;
    if (!setting_int (config, "spotcheck_per_window", 1, 1000, &per_window, error))
        return NULL;
    guint8 sk[AUDIT_SECRET_KEY_SIZE];
    if (!audit_signing_key_load (dbn_config_get_data_dir (config), sk, error))
        return NULL;
    g_autoptr (AuditActions) self = g_new0 (AuditActions, 1);
    self->service = service;
    self->spotcheck_per_window = per_window;
    self->producers = g_ptr_array_new_with_free_func (producer_free);
    /* D-AUD-3: the fees in force when the service started (a catalog
     * reload reaches the audit service at its restart). */
    self->catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), error);
    if (self->catalog == NULL)
        return NULL;
    self->summaries = audit_summaries_new (self, config, error);
    if (self->summaries == NULL)
        return NULL;
    AuditLogOptions options = {
        .secret_key = sk,
        .head_every_entries = (guint) every,
        .head_every_ms = every_ms,
    };
    self->log =
        audit_log_new (dbn_service_get_store (service), dbn_service_get_clock (service), &options, error);
    sodium_memzero (sk, sizeof sk);
    if (self->log == NULL)
        return NULL;

    const char *list = dbn_config_get_setting (config, "audit", "producers");
    g_auto (GStrv) names = g_strsplit (list != NULL ? list : DEFAULT_PRODUCERS, ",", -1);
    for (char **n = names; *n != NULL; n++) {
        g_strstrip (*n);
        if (**n == '\0')
            continue;
        if (g_strcmp0 (*n, "audit") == 0 || !g_strv_contains (dbn_config_service_names (), *n)) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                         "daiban.conf: [audit] producers: \"%s\" is not a service audit can follow", *n);
            return NULL;
        }
        Producer *p = g_new0 (Producer, 1);
        p->actions = self;
        p->name = g_strdup (*n);
        g_ptr_array_add (self->producers, p);
    }
    /* The committee's reads (audit_queries.c), beside the spec's table. */
    dbn_service_add_commands (service, audit_query_commands, self);
    g_message ("record opened: %" G_GINT64_FORMAT " entries, %u producers", audit_log_get_size (self->log),
               self->producers->len);
    return g_steal_pointer (&self);
}

void
audit_actions_free (AuditActions *self)
{
    if (self == NULL)
        return;
    if (self->sign_id != 0)
        g_source_remove (self->sign_id);
    /* Followers first: they hold statements on the store the log uses. */
    g_clear_pointer (&self->producers, g_ptr_array_unref);
    g_clear_pointer (&self->log, audit_log_free);
    g_clear_pointer (&self->catalog, dbn_catalog_free);
    g_clear_pointer (&self->summaries, audit_summaries_free);
    g_free (self);
}

AuditLog *
audit_actions_get_log (AuditActions *self)
{
    return self->log;
}

DbnService *
audit_actions_get_service (AuditActions *self)
{
    return self->service;
}

gint64
audit_actions_get_spotcheck_per_window (AuditActions *self)
{
    return self->spotcheck_per_window;
}

/* ---- what it publishes (topic audit, the committee's: D-AUD-2) ---- */

static const char *const audit_topics[] = { "audit", NULL };

static gboolean
emit (AuditActions *self, DbnEnvEvent *env, GBytes *bytes, GError **error)
{
    if (bytes == NULL)
        return FALSE;
    return dbn_emitter_emit (dbn_service_get_emitter (self->service), audit_topics, env, bytes, error);
}

/* audit.head for the newest head, when it is newer than before_size. */
static gboolean
emit_new_head (AuditActions *self, gint64 before_size, gint64 now_ms, GError **error)
{
    AuditHead head;
    if (!audit_log_get_last_head (self->log, &head) || head.size == before_size)
        return TRUE;
    g_autoptr (DbnMsgAuditHead) m = dbn_msg_audit_head_new ();
    dbn_emitter_stamp (dbn_service_get_emitter (self->service), &m->env, DBN_MSG_AUDIT_HEAD_WIRE, NULL,
                       "service:audit", now_ms);
    m->size = head.size;
    m->time = head.time_ms;
    m->root = audit_hex (head.root, AUDIT_HASH_SIZE);
    m->chain = audit_hex (head.chain, AUDIT_HASH_SIZE);
    m->signature = audit_hex (head.signature, AUDIT_SIGNATURE_SIZE);
    m->key = audit_hex (audit_log_get_public_key (self->log), AUDIT_PUBLIC_KEY_SIZE);
    g_autoptr (GBytes) bytes = dbn_msg_audit_head_encode (m, error);
    return emit (self, &m->env, bytes, error);
}

static gint64
last_head_size (AuditLog *log)
{
    AuditHead head;
    return audit_log_get_last_head (log, &head) ? head.size : 0;
}

gboolean
audit_actions_enter (AuditActions *self, const DbnEnvEvent *env, GBytes *event, gint64 now_ms, gint64 *index,
                     GError **error)
{
    /* As apply_event: hash on what is committed (a command's savepoint or
     * an earlier batch may have rolled back). */
    if (!audit_log_reload (self->log, error))
        return FALSE;
    gint64 before = last_head_size (self->log);
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data (event, &len);
    if (!audit_log_append (self->log, "audit", env->seq, env->ts, env->case_no, env->actor, env->type, bytes,
                           len, index, error)) {
        g_prefix_error (error, "entering audit seq %" G_GINT64_FORMAT ": ", env->seq);
        return FALSE;
    }
    return emit_new_head (self, before, now_ms, error);
}

/* ---- violations found in followed events ---- */

typedef struct {
    const char *kind;
    const char *rule;
    const char *person;
} Violation;

/* D-DL-6: deadline's own violation event is an overdue case nobody
 * explained; the window answers for it, else the station. D-RTE-5: a
 * handoff must say why; the principal who handed off answers for it. An
 * event that cannot be read is kept in the record, never judged. */
static gboolean
find_violation (const char *producer, const DbnEnvEvent *env, GBytes *event, Violation *v, char **person)
{
    gsize len = 0;
    const guint8 *data = g_bytes_get_data (event, &len);
    g_autoptr (GError) local = NULL;
    if (g_strcmp0 (producer, "deadline") == 0
        && g_strcmp0 (env->type, DBN_MSG_DEADLINE_VIOLATION_WIRE) == 0) {
        g_autoptr (DbnMsgDeadlineViolation) m = dbn_msg_deadline_violation_decode (data, len, &local);
        if (m == NULL)
            return FALSE;
        v->kind = "overdue_unexplained";
        v->rule = "D-DL-6";
        *person = m->window != NULL && *m->window != '\0' ? g_strconcat ("window:", m->window, NULL)
                                                          : g_strconcat ("station:", m->station, NULL);
        return TRUE;
    }
    if (g_strcmp0 (producer, "routing") == 0 && g_strcmp0 (env->type, DBN_MSG_CASE_HANDED_OFF_WIRE) == 0) {
        g_autoptr (DbnMsgCaseHandedOff) m = dbn_msg_case_handed_off_decode (data, len, &local);
        if (m == NULL)
            return FALSE;
        g_autofree char *reason = g_strstrip (g_strdup (m->reason != NULL ? m->reason : ""));
        if (*reason != '\0')
            return FALSE;
        v->kind = "handoff_without_reason";
        v->rule = "D-RTE-5";
        *person = g_strdup (env->actor);
        return TRUE;
    }
    return FALSE;
}

/* ---- following ---- */

static gboolean
apply_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin, GError **error)
{
    Producer *p = user_data;
    AuditActions *self = p->actions;
    AuditLog *log = self->log;
    DbnEmitter *emitter = dbn_service_get_emitter (self->service);
    /* See the top of the file: hash on what is committed (a full reload
     * only when the file shows that something was rolled back). */
    if (!audit_log_refresh (log, error))
        return FALSE;
    gint64 before = last_head_size (log);
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data (event, &len);
    gint64 index = 0;
    if (!audit_log_append (log, p->name, env->seq, env->ts, env->case_no, env->actor, env->type, bytes, len,
                           &index, error)) {
        g_prefix_error (error, "appending %s seq %" G_GINT64_FORMAT ": ", p->name, env->seq);
        return FALSE;
    }
    g_autofree char *leaf = NULL;
    {
        guint8 hash[AUDIT_HASH_SIZE];
        g_autoptr (GBytes) encoded = NULL;
        if (!audit_log_dup_entry (log, index, &encoded, hash, error))
            return FALSE;
        leaf = audit_hex (hash, AUDIT_HASH_SIZE);
    }
    /* The summary: the event's case and actor, never its bytes (D-AUD-2,
     * masked: the bytes hold the applicant's data). */
    g_autoptr (DbnMsgAuditEntry) m = dbn_msg_audit_entry_new ();
    dbn_emitter_stamp (emitter, &m->env, DBN_MSG_AUDIT_ENTRY_WIRE, env->case_no, env->actor, origin->now_ms);
    m->index = index;
    m->producer = g_strdup (p->name);
    m->event_seq = env->seq;
    m->event_type = g_strdup (env->type);
    m->event_time = env->ts;
    m->leaf = g_steal_pointer (&leaf);
    g_autoptr (GBytes) summary = dbn_msg_audit_entry_encode (m, error);
    if (!emit (self, &m->env, summary, error))
        return FALSE;
    /* The append signs a head when head_every_entries are unsigned; its
     * audit.head goes out before a violation's entry may sign the next. */
    if (!emit_new_head (self, before, origin->now_ms, error))
        return FALSE;

    Violation v = { 0 };
    g_autofree char *person = NULL;
    g_auto (AuditViolation) more = { 0 };
    gboolean found = find_violation (p->name, env, event, &v, &person);
    if (!found
        && audit_violations_find (dbn_service_get_store (self->service), self->catalog, p->name, env, event,
                                  index, &more)) {
        found = TRUE;
        v.kind = more.kind;
        v.rule = more.rule;
        person = g_steal_pointer (&more.person);
    }
    if (found) {
        g_autoptr (DbnMsgAuditViolation) x = dbn_msg_audit_violation_new ();
        dbn_emitter_stamp (emitter, &x->env, DBN_MSG_AUDIT_VIOLATION_WIRE, env->case_no, "service:audit",
                           origin->now_ms);
        x->kind = g_strdup (v.kind);
        x->rule = g_strdup (v.rule);
        x->person = g_steal_pointer (&person);
        x->index = index;
        x->producer = g_strdup (p->name);
        x->event_seq = env->seq;
        x->detail = g_steal_pointer (&more.detail);
        g_autoptr (GBytes) vb = dbn_msg_audit_violation_encode (x, error);
        if (!emit (self, &x->env, vb, error))
            return FALSE;
        /* D-AUD-2: the violation is itself an entry of the record (producer
         * audit, its seq in this service's journal). */
        if (!audit_actions_enter (self, &x->env, vb, origin->now_ms, NULL, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- heads by time ---- */

/* The head timer's work, in its own transaction: a head over the unsigned
 * entries once they are head_every_ms old, and its audit.head. */
static gboolean
sign_due (AuditActions *self, GError **error)
{
    if (!audit_log_reload (self->log, error))
        return FALSE;
    gint64 now = dbn_clock_now_ms (dbn_service_get_clock (self->service));
    /* D-AUD-6: the day's drafts and late signatures are the timer's too;
     * their entries may sign a head by count themselves. */
    if (!audit_summaries_tick (self->summaries, now, error))
        return FALSE;
    gint64 before = last_head_size (self->log);
    gboolean signed_now = FALSE;
    if (!audit_log_sign_if_due (self->log, &signed_now, error))
        return FALSE;
    return !signed_now || emit_new_head (self, before, now, error);
}

static gboolean
on_sign_tick (gpointer user_data)
{
    AuditActions *self = user_data;
    DbnEmitter *emitter = dbn_service_get_emitter (self->service);
    g_autoptr (GError) error = NULL;
    if (!dbn_emitter_begin (emitter, &error)) {
        g_warning ("signing a head: %s", error->message);
        return G_SOURCE_CONTINUE;
    }
    if (sign_due (self, &error) && dbn_emitter_commit (emitter, &error))
        return G_SOURCE_CONTINUE;
    dbn_emitter_rollback (emitter);
    g_warning ("signing a head failed, retried on the next tick: %s", error ? error->message : "?");
    g_autoptr (GError) reload = NULL;
    if (!audit_log_reload (self->log, &reload))
        g_warning ("%s", reload->message);
    return G_SOURCE_CONTINUE;
}

gboolean
audit_actions_start (AuditActions *self, DbnBus *bus, GError **error)
{
    for (guint i = 0; i < self->producers->len; i++) {
        Producer *p = self->producers->pdata[i];
        p->follower = dbn_service_follow (self->service, bus, p->name, apply_event, p, error);
        if (p->follower == NULL)
            return FALSE;
    }
    self->sign_id = g_timeout_add (SIGN_CHECK_MS, on_sign_tick, self);
    return TRUE;
}
