/* dbn_committee_view.c: the committee's screen (dbn_committee_view.h).
 *
 * Checking the service, not trusting it. Every head (from the feed, or the
 * newest one the service names in a proof) has its signature checked with
 * the key of the first head this client kept, and a consistency proof from
 * the newest kept head to it is asked of the service and verified here
 * (audit_verify_consistency). A head that passes is kept; one that fails,
 * a head of another key, or a record now shorter than a kept head, raises
 * the red banner, which stays for the session: nothing the service says
 * afterwards makes a proven rewrite good again. The check runs at start (so
 * a rewrite made while this client was closed shows at once), at every
 * newer head, and again after the audit service comes back.
 *
 * The widgets are made in code: the screen is lists and one form. */
#include "dbn_committee_view.h"

#include <glib/gi18n.h>
#include <string.h>

#include "dbn_audit_feed.h"
#include "dbn_evidence_pdf.h"
#include "dbn_kept_heads.h"

#define CALL_MS       10000
#define FEED_ROWS_MAX 2000
#define TICK_MS       1000

typedef struct {
    char *case_no;
    char *actor;
    char *type; /* the event's type; the violation's kind for a violation */
    gboolean violation;
} RowInfo;

struct _DbnCommitteeView {
    GtkBox parent_instance;
    DbnConnection *connection; /* owned ref */
    char *dir;
    DbnAuditFeed *feed;
    DbnKeptHeads *kept;
    GHashTable *case_window;  /* case → window id, from the actors seen */
    GHashTable *case_station; /* case → station id */
    guint n_entries, n_violations;
    guint tick_id;

    /* the record's state */
    gboolean has_service_head;
    AuditHead service_head;
    gint64 verified_through;
    gboolean inconsistent;
    gboolean check_in_flight;
    gboolean checked_since_reachable; /* a check completed since the service was last (re)heard */
    gboolean was_reachable;
    gint64 wanted_size; /* a newer head to check: its size, 0 none */
    char *status_text;

    /* the case pane */
    char *case_no;
    DbnMsgAuditCaseReply *case_reply; /* the first page: case and head */
    gboolean case_complete;           /* every page read */
    guint case_unsigned;              /* entries after the head: not signed yet */
    GPtrArray *case_entries;          /* DbnMsgAuditCaseEntry* */
    GArray *case_included;            /* gboolean per entry */
    gboolean case_has_head, case_head_ok;
    AuditHead case_head;
    guint8 case_key[AUDIT_PUBLIC_KEY_SIZE];

    /* widgets */
    GtkWidget *banner;
    GtkLabel *banner_label;
    GtkLabel *status_label;
    GtkEntry *filter_window, *filter_station, *filter_type;
    GtkCheckButton *filter_violations;
    GtkListBox *violations, *entries;
    GtkEntry *case_entry;
    GtkLabel *case_status;
    GtkListBox *case_list;
    /* the spot check (D-AUD-2): the committee's one writing command */
    GtkCheckButton *finding_ok, *finding_problem;
    GtkEntry *finding_text;
    GtkLabel *finding_status;
    char *finding_key;  /* the idempotency key of the finding being sent, kept until answered */
    char *finding_body; /* case, finding and text it was made for: another form gets another key */
    GtkEntry *findings_month;
    GtkListBox *findings;
    guint n_findings;
};

G_DEFINE_TYPE (DbnCommitteeView, dbn_committee_view, GTK_TYPE_BOX)

static void
row_info_free (gpointer data)
{
    RowInfo *r = data;
    g_free (r->case_no);
    g_free (r->actor);
    g_free (r->type);
    g_free (r);
}

static char *
format_time (gint64 ms)
{
    g_autoptr (GDateTime) t = g_date_time_new_from_unix_local (ms / 1000);
    return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

/* gtk_list_box_remove_all is GTK 4.12; Debian 12 has 4.8. */
static void
list_box_clear (GtkListBox *list)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
        gtk_list_box_remove (list, child);
}

/* ---- status and banner ---- */

static void
update_status (DbnCommitteeView *self)
{
    GString *s = g_string_new (NULL);
    if (self->has_service_head) {
        g_autofree char *time = format_time (self->service_head.time_ms);
        g_string_append_printf (s, _ ("最新树头 %lld（签于 %s）"), (long long) self->service_head.size, time);
    } else {
        g_string_append (s, _ ("尚无签名树头"));
    }
    g_string_append (s, " · ");
    if (self->inconsistent)
        g_string_append (s, _ ("核验失败"));
    else if (self->verified_through > 0)
        g_string_append_printf (s, _ ("本机已核验一致至第 %lld 条"), (long long) self->verified_through);
    else
        g_string_append (s, _ ("尚未核验"));
    g_string_append_printf (s, _ (" · 留存树头 %u 个 · 动态 %u 条、违规 %u 条"),
                            dbn_kept_heads_get_count (self->kept), self->n_entries, self->n_violations);
    g_string_append (s, self->feed != NULL && dbn_audit_feed_is_reachable (self->feed) ? _ (" · 审计 ●")
                                                                                       : _ (" · 审计 ○"));
    g_free (self->status_text);
    self->status_text = g_string_free (s, FALSE);
    gtk_label_set_text (self->status_label, self->status_text);
}

/* The red banner: shown once, for the rest of the session. */
static void
raise_banner (DbnCommitteeView *self, const char *why)
{
    /* A message, not a warning: the banner is the alarm, and a warning
     * would abort a client run with G_DEBUG=fatal-warnings. */
    g_message ("audit record inconsistent with a kept head: %s", why);
    self->inconsistent = TRUE;
    g_autofree char *text = g_strdup_printf (_ ("⚠ 审计记录与本机留存的树头不一致，记录可能被改写：%s"), why);
    gtk_label_set_text (self->banner_label, text);
    gtk_widget_set_visible (self->banner, TRUE);
    update_status (self);
}

/* ---- checking heads ---- */

static void check_service (DbnCommitteeView *self, gint64 second);

static gboolean
head_from_record (GBytes *record, AuditHead *head, guint8 key[AUDIT_PUBLIC_KEY_SIZE])
{
    g_autoptr (GError) error = NULL;
    if (audit_head_from_record (record, head, key, &error))
        return TRUE;
    g_warning ("a head from the audit service: %s", error->message);
    return FALSE;
}

/* The service's head h (key) against the newest kept one: the proof's path
 * from kept->size to h->size, already asked for. */
static void
judge (DbnCommitteeView *self, const AuditHead *h, const guint8 *key, char **path_hex)
{
    AuditHead kept;
    guint8 kept_key[AUDIT_PUBLIC_KEY_SIZE];
    gboolean has_kept = dbn_kept_heads_get_latest (self->kept, &kept, kept_key);
    if (!audit_head_check_signature (h, key)) {
        raise_banner (self, _ ("服务的树头签名无效"));
        return;
    }
    if (has_kept && memcmp (key, kept_key, AUDIT_PUBLIC_KEY_SIZE) != 0) {
        raise_banner (self, _ ("服务的树头由另一把密钥签名"));
        return;
    }
    self->service_head = *h;
    self->has_service_head = TRUE;
    if (!has_kept) {
        /* The first head this client sees: nothing to check it against. */
        g_autoptr (GError) error = NULL;
        if (!dbn_kept_heads_add (self->kept, h, key, &error))
            g_warning ("keeping a head: %s", error->message);
        self->verified_through = h->size;
        return;
    }
    guint n = path_hex != NULL ? g_strv_length (path_hex) : 0;
    g_autofree guint8 *path = g_malloc0 ((gsize) MAX (n, 1) * AUDIT_HASH_SIZE);
    for (guint i = 0; i < n; i++)
        if (!audit_unhex (path_hex[i], path + (gsize) i * AUDIT_HASH_SIZE, AUDIT_HASH_SIZE)) {
            raise_banner (self, _ ("一致性证明格式错误"));
            return;
        }
    if (!audit_verify_consistency (kept.size, h->size, kept.root, h->root,
                                   (const guint8 (*)[AUDIT_HASH_SIZE]) path, n)) {
        g_autofree char *why =
            h->size == kept.size
                ? g_strdup_printf (_ ("服务的第 %lld 条树头与本机留存的不同"), (long long) h->size)
                : g_strdup_printf (_ ("从留存的树头 %lld 到服务的树头 %lld 的一致性证明不成立"),
                                   (long long) kept.size, (long long) h->size);
        raise_banner (self, why);
        return;
    }
    self->verified_through = h->size;
    if (h->size > kept.size) {
        g_autoptr (GError) error = NULL;
        if (!dbn_kept_heads_add (self->kept, h, key, &error))
            g_warning ("keeping a head: %s", error->message);
    }
}

static void
on_proof_reply (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    self->check_in_flight = FALSE;
    g_autoptr (GError) refused = NULL;
    if (reply == NULL) {
        g_message ("audit.proof: %s (asked again later)", error->message);
        return;
    }
    if (!dbn_reply_check (reply, &refused)) {
        /* The record has no tree of a kept head's size: it was cut. */
        if (g_error_matches (refused, DBN_ERROR, DBN_ERROR_INVALID)) {
            g_autofree char *why = g_strdup_printf (_ ("服务的记录短于留存的树头（%s）"), refused->message);
            raise_banner (self, why);
        } else {
            g_message ("audit.proof refused: %s", refused->message);
        }
        return;
    }
    g_autoptr (DbnMsgAuditProofReply) r =
        dbn_msg_audit_proof_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &refused);
    if (r == NULL) {
        g_warning ("audit.proof: %s", refused->message);
        return;
    }
    self->checked_since_reachable = TRUE;
    /* The head the path ends in: the service's, at the proof's second size. */
    for (guint i = 0; i < r->heads->len && !self->inconsistent; i++) {
        AuditHead h;
        guint8 key[AUDIT_PUBLIC_KEY_SIZE];
        if (head_from_record (r->heads->pdata[i], &h, key) && h.size == r->size)
            judge (self, &h, key, r->path);
    }
    update_status (self);
    if (!self->inconsistent && self->wanted_size > self->verified_through) {
        gint64 next = self->wanted_size;
        self->wanted_size = 0;
        check_service (self, next);
    }
}

/* Asks for the consistency proof from the newest kept head to the
 * service's head of size second (0: its newest). */
static void
check_service (DbnCommitteeView *self, gint64 second)
{
    if (self->inconsistent)
        return;
    if (self->check_in_flight) {
        self->wanted_size = MAX (self->wanted_size, second);
        return;
    }
    AuditHead kept;
    guint8 key[AUDIT_PUBLIC_KEY_SIZE];
    g_autoptr (DbnMsgAuditProof) cmd = dbn_msg_audit_proof_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->has_first = TRUE;
    cmd->first = dbn_kept_heads_get_latest (self->kept, &kept, key) ? kept.size : 0;
    if (second > 0) {
        cmd->has_second = TRUE;
        cmd->second = second;
    }
    if (second > 0 && second < cmd->first)
        return; /* an older head: checked when it was new */
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_audit_proof_encode (cmd, &error);
    if (body == NULL) {
        g_warning ("audit.proof: %s", error->message);
        return;
    }
    self->check_in_flight = TRUE;
    dbn_client_send_async (dbn_audit_feed_get_client (self->feed), body, CALL_MS, on_proof_reply, self);
}

/* ---- the feed ---- */

static gboolean
text_matches (GtkEntry *entry, const char *value)
{
    const char *want = gtk_editable_get_text (GTK_EDITABLE (entry));
    return want == NULL || *want == '\0' || (value != NULL && strstr (value, want) != NULL);
}

static gboolean
filter_row (GtkListBoxRow *row, gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    const RowInfo *r = g_object_get_data (G_OBJECT (row), "dbn-audit-row");
    if (r == NULL)
        return TRUE;
    if (gtk_check_button_get_active (self->filter_violations) && !r->violation)
        return FALSE;
    if (!text_matches (self->filter_type, r->type))
        return FALSE;
    const char *w = gtk_editable_get_text (GTK_EDITABLE (self->filter_window));
    if (w != NULL && *w != '\0') {
        g_autofree char *actor = g_strconcat ("window:", w, NULL);
        const char *known = r->case_no ? g_hash_table_lookup (self->case_window, r->case_no) : NULL;
        if (g_strcmp0 (r->actor, actor) != 0 && g_strcmp0 (known, w) != 0)
            return FALSE;
    }
    const char *s = gtk_editable_get_text (GTK_EDITABLE (self->filter_station));
    if (s != NULL && *s != '\0') {
        g_autofree char *actor = g_strconcat ("station:", s, NULL);
        const char *known = r->case_no ? g_hash_table_lookup (self->case_station, r->case_no) : NULL;
        if (g_strcmp0 (r->actor, actor) != 0 && g_strcmp0 (known, s) != 0)
            return FALSE;
    }
    return TRUE;
}

static void
on_filter_changed (DbnCommitteeView *self)
{
    gtk_list_box_invalidate_filter (self->violations);
    gtk_list_box_invalidate_filter (self->entries);
}

static void
learn_case (DbnCommitteeView *self, const char *case_no, const char *actor)
{
    if (case_no == NULL || *case_no == '\0' || actor == NULL)
        return;
    if (g_str_has_prefix (actor, "window:"))
        g_hash_table_replace (self->case_window, g_strdup (case_no), g_strdup (actor + 7));
    else if (g_str_has_prefix (actor, "station:"))
        g_hash_table_replace (self->case_station, g_strdup (case_no), g_strdup (actor + 8));
}

static void
add_row (DbnCommitteeView *self, GtkListBox *list, const char *text, RowInfo *info)
{
    GtkWidget *label = gtk_label_new (text);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    GtkWidget *row = gtk_list_box_row_new ();
    gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
    g_object_set_data_full (G_OBJECT (row), "dbn-audit-row", info, row_info_free);
    /* Newest first. */
    gtk_list_box_insert (list, row, 0);
    if (list == self->entries && self->n_entries > FEED_ROWS_MAX) {
        GtkListBoxRow *last = gtk_list_box_get_row_at_index (list, FEED_ROWS_MAX);
        if (last != NULL)
            gtk_list_box_remove (list, GTK_WIDGET (last));
    }
}

static void
on_feed_event (GBytes *event, gboolean from_sync, gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    gsize len = 0;
    const guint8 *data = g_bytes_get_data (event, &len);
    DbnEnvEvent env = { 0 };
    if (!dbn_env_event_decode (data, len, &env, NULL))
        return;
    g_autofree char *time = format_time (env.ts);
    if (g_strcmp0 (env.type, DBN_MSG_AUDIT_ENTRY_WIRE) == 0) {
        g_autoptr (DbnMsgAuditEntry) m = dbn_msg_audit_entry_decode (data, len, NULL);
        if (m != NULL) {
            self->n_entries++;
            learn_case (self, m->env.case_no, m->env.actor);
            g_autofree char *text =
                g_strdup_printf ("#%-6" G_GINT64_FORMAT " %s  %-28s %-18s %-22s %s/%" G_GINT64_FORMAT,
                                 m->index, time, m->event_type, m->env.case_no ? m->env.case_no : "—",
                                 m->env.actor ? m->env.actor : "—", m->producer, m->event_seq);
            RowInfo *info = g_new0 (RowInfo, 1);
            info->case_no = g_strdup (m->env.case_no);
            info->actor = g_strdup (m->env.actor);
            info->type = g_strdup (m->event_type);
            add_row (self, self->entries, text, info);
        }
    } else if (g_strcmp0 (env.type, DBN_MSG_AUDIT_VIOLATION_WIRE) == 0) {
        g_autoptr (DbnMsgAuditViolation) m = dbn_msg_audit_violation_decode (data, len, NULL);
        if (m != NULL) {
            self->n_violations++;
            g_autofree char *text = g_strdup_printf (
                _ ("⚠ 违规 %s %s  案件 %s  责任人 %s  （记录第 %lld 条，%s）"), m->rule, m->kind,
                m->env.case_no ? m->env.case_no : "—", m->person, (long long) m->index, time);
            RowInfo *info = g_new0 (RowInfo, 1);
            info->case_no = g_strdup (m->env.case_no);
            info->actor = g_strdup (m->person);
            info->type = g_strdup (m->kind);
            info->violation = TRUE;
            add_row (self, self->violations, text, info);
        }
    } else if (g_strcmp0 (env.type, DBN_MSG_AUDIT_HEAD_WIRE) == 0) {
        g_autoptr (DbnMsgAuditHead) m = dbn_msg_audit_head_decode (data, len, NULL);
        /* A newer head than the kept ones: prove it extends them. */
        AuditHead kept;
        guint8 key[AUDIT_PUBLIC_KEY_SIZE];
        gint64 kept_size = dbn_kept_heads_get_latest (self->kept, &kept, key) ? kept.size : 0;
        if (m != NULL && m->size > kept_size)
            check_service (self, m->size);
    }
    dbn_env_event_clear (&env);
    update_status (self);
}

static void
on_feed_gap (gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    /* A hole in the middle: read the feed again from the start. */
    list_box_clear (self->entries);
    list_box_clear (self->violations);
    self->n_entries = self->n_violations = 0;
    dbn_audit_feed_start (self->feed, 0);
}

/* Once a second: the status line's mark, and the check again once the audit
 * service is heard after a silence (it may come back with another record). */
static gboolean
tick (gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    gboolean reachable = dbn_audit_feed_is_reachable (self->feed);
    if (reachable && !self->was_reachable)
        self->checked_since_reachable = FALSE;
    self->was_reachable = reachable;
    if (!self->checked_since_reachable && !self->check_in_flight)
        check_service (self, 0);
    update_status (self);
    return G_SOURCE_CONTINUE;
}

/* ---- the case pane ---- */

static void
clear_case (DbnCommitteeView *self)
{
    g_clear_pointer (&self->case_reply, dbn_msg_audit_case_reply_free);
    self->case_complete = FALSE;
    self->case_unsigned = 0;
    g_ptr_array_set_size (self->case_entries, 0);
    g_array_set_size (self->case_included, 0);
    list_box_clear (self->case_list);
}

static void request_case_page (DbnCommitteeView *self, gint64 after);

static void
case_failed (DbnCommitteeView *self, const char *why)
{
    clear_case (self);
    g_autofree char *text = g_strdup_printf (_ ("无法读取案件记录：%s"), why);
    gtk_label_set_text (self->case_status, text);
}

/* One page of audit.case. The first page's head is the one every path
 * must lead to; a head signed between two pages restarts the reading. */
static void
on_case_reply (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    g_autoptr (GError) refused = NULL;
    if (reply == NULL || !dbn_reply_check (reply, &refused)) {
        case_failed (self, reply == NULL ? error->message : refused->message);
        return;
    }
    g_autoptr (DbnMsgAuditCaseReply) page =
        dbn_msg_audit_case_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &refused);
    if (page == NULL) {
        case_failed (self, refused->message);
        return;
    }
    if (self->case_reply == NULL) {
        self->case_has_head =
            page->head != NULL && head_from_record (page->head, &self->case_head, self->case_key);
        /* The head must verify, and with the key this client keeps. */
        AuditHead kept;
        guint8 kept_key[AUDIT_PUBLIC_KEY_SIZE];
        self->case_head_ok = self->case_has_head
                             && audit_head_check_signature (&self->case_head, self->case_key)
                             && (!dbn_kept_heads_get_latest (self->kept, &kept, kept_key)
                                 || memcmp (kept_key, self->case_key, AUDIT_PUBLIC_KEY_SIZE) == 0);
    } else if ((self->case_reply->head == NULL) != (page->head == NULL)
               || (page->head != NULL && !g_bytes_equal (self->case_reply->head, page->head))) {
        clear_case (self);
        request_case_page (self, -1);
        return;
    }
    for (guint i = 0; i < page->entries->len; i++) {
        GBytes *item = page->entries->pdata[i];
        DbnMsgAuditCaseEntry *e =
            dbn_msg_audit_case_entry_decode (g_bytes_get_data (item, NULL), g_bytes_get_size (item), NULL);
        if (e == NULL)
            continue;
        g_autofree char *why = NULL;
        /* After the newest head: not signed yet, which is no failure. */
        gboolean pending = !self->case_has_head || e->index >= self->case_head.size;
        gboolean included =
            !pending && self->case_head_ok && audit_case_entry_check (e, &self->case_head, TRUE, &why);
        g_ptr_array_add (self->case_entries, e);
        g_array_append_val (self->case_included, included);
        self->case_unsigned += pending;
        g_autofree char *time = format_time (e->time);
        g_autofree char *mark =
            included  ? g_strdup_printf (_ ("✓ 已包含于树头 %lld"), (long long) self->case_head.size)
            : pending ? g_strdup (_ ("… 尚未签名"))
                      : g_strdup_printf ("✗ %s", why ? why : _ ("树头签名无效"));
        g_autofree char *text = g_strdup_printf (
            "#%-6" G_GINT64_FORMAT " %s  %-28s %-22s %s/%" G_GINT64_FORMAT "  %s\n        leaf %s", e->index,
            time, e->type, *e->actor ? e->actor : "—", e->producer, e->event_seq, mark, e->leaf);
        GtkWidget *label = gtk_label_new (text);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_label_set_selectable (GTK_LABEL (label), TRUE);
        if (!included && !pending)
            gtk_widget_add_css_class (label, "error");
        gtk_list_box_append (self->case_list, label);
    }
    gboolean more = page->more && page->entries->len > 0;
    if (self->case_reply == NULL)
        self->case_reply = g_steal_pointer (&page);
    if (more) {
        const DbnMsgAuditCaseEntry *last = self->case_entries->pdata[self->case_entries->len - 1];
        request_case_page (self, last->index);
        return;
    }
    self->case_complete = TRUE;
    guint good = 0;
    for (guint i = 0; i < self->case_included->len; i++)
        good += g_array_index (self->case_included, gboolean, i) ? 1 : 0;
    g_autofree char *text =
        g_strdup_printf (_ ("案件 %s：%u 条记录，%u 条已在本机核验包含于树头 %lld，%u 条尚未签名"),
                         self->case_reply->case_no, self->case_entries->len, good,
                         (long long) (self->case_has_head ? self->case_head.size : 0), self->case_unsigned);
    gtk_label_set_text (self->case_status, text);
    gboolean all = good + self->case_unsigned == self->case_entries->len;
    gtk_widget_remove_css_class (GTK_WIDGET (self->case_status), all ? "error" : "success");
    gtk_widget_add_css_class (GTK_WIDGET (self->case_status), all ? "success" : "error");
}

static void
request_case_page (DbnCommitteeView *self, gint64 after)
{
    g_autoptr (DbnMsgAuditCase) cmd = dbn_msg_audit_case_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->case_no = g_strdup (self->case_no);
    cmd->has_after = after >= 0;
    cmd->after = after;
    g_autoptr (GBytes) body = dbn_msg_audit_case_encode (cmd, NULL);
    if (body != NULL)
        dbn_client_send_async (dbn_audit_feed_get_client (self->feed), body, CALL_MS, on_case_reply, self);
}

void
dbn_committee_view_show_case (DbnCommitteeView *self, const char *case_no)
{
    g_return_if_fail (DBN_IS_COMMITTEE_VIEW (self));
    g_autofree char *number = g_strstrip (g_strdup (case_no ? case_no : ""));
    if (*number == '\0')
        return;
    gtk_editable_set_text (GTK_EDITABLE (self->case_entry), number);
    clear_case (self);
    g_free (self->case_no);
    self->case_no = g_steal_pointer (&number);
    gtk_label_set_text (self->case_status, _ ("正在读取……"));
    request_case_page (self, -1);
}

gboolean
dbn_committee_view_write_evidence (DbnCommitteeView *self, const char *path, GError **error)
{
    if (!self->case_complete) {
        g_set_error_literal (error, DBN_ERROR, DBN_ERROR_INVALID, _ ("请先查看一个案件"));
        return FALSE;
    }
    DbnEvidence ev = {
        .case_no = self->case_reply->case_no,
        .has_head = self->case_has_head,
        .head = self->case_head,
        .head_signature_ok = self->case_head_ok,
        .entries = self->case_entries,
        .included = (const gboolean *) self->case_included->data,
        .printed_ms = g_get_real_time () / 1000,
    };
    memcpy (ev.key, self->case_key, AUDIT_PUBLIC_KEY_SIZE);
    return dbn_evidence_pdf_write (&ev, path, error);
}

static void
action_show_case (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnCommitteeView *self = DBN_COMMITTEE_VIEW (widget);
    dbn_committee_view_show_case (self, gtk_editable_get_text (GTK_EDITABLE (self->case_entry)));
}

static void
action_evidence (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnCommitteeView *self = DBN_COMMITTEE_VIEW (widget);
    if (!self->case_complete)
        return;
    g_autofree char *file = g_strdup_printf ("evidence-%s.pdf", self->case_reply->case_no);
    g_autofree char *path = g_build_filename (self->dir, file, NULL);
    g_autoptr (GError) error = NULL;
    g_mkdir_with_parents (self->dir, 0700);
    g_autofree char *text = dbn_committee_view_write_evidence (self, path, &error)
                                ? g_strdup_printf (_ ("证据已保存：%s"), path)
                                : g_strdup_printf (_ ("证据未能保存：%s"), error->message);
    gtk_label_set_text (self->case_status, text);
}

/* ---- spot checks and findings (D-AUD-2) ---- */

static void
on_findings_reply (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    list_box_clear (self->findings);
    self->n_findings = 0;
    g_autoptr (GError) refused = NULL;
    if (reply == NULL || !dbn_reply_check (reply, &refused)) {
        g_autofree char *text =
            g_strdup_printf (_ ("无法读取抽查结论：%s"), reply == NULL ? error->message : refused->message);
        gtk_label_set_text (self->finding_status, text);
        return;
    }
    g_autoptr (DbnMsgAuditFindingsReply) r = dbn_msg_audit_findings_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &refused);
    if (r == NULL) {
        gtk_label_set_text (self->finding_status, refused->message);
        return;
    }
    for (guint i = 0; i < r->findings->len; i++) {
        GBytes *b = r->findings->pdata[i];
        g_autoptr (DbnMsgAuditFinding) f =
            dbn_msg_audit_finding_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);
        if (f == NULL)
            continue;
        g_autofree char *time = format_time (f->env.ts);
        g_autofree char *text =
            g_strdup_printf ("%s  %s  %s  %s%s%s  %s", time, f->env.case_no ? f->env.case_no : "—",
                             *f->window ? f->window : (*f->station ? f->station : "—"),
                             g_strcmp0 (f->finding, "ok") == 0 ? _ ("✓ 符合规定") : _ ("✗ 存在问题"),
                             *f->text ? "：" : "", f->text, f->env.actor ? f->env.actor : "");
        GtkWidget *label = gtk_label_new (text);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_label_set_wrap (GTK_LABEL (label), TRUE);
        if (g_strcmp0 (f->finding, "ok") != 0)
            gtk_widget_add_css_class (label, "error");
        gtk_list_box_append (self->findings, label);
        self->n_findings++;
    }
}

/* The month's findings, of the window in the filter when one is typed. */
static void
action_findings (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnCommitteeView *self = DBN_COMMITTEE_VIEW (widget);
    g_autoptr (DbnMsgAuditFindings) cmd = dbn_msg_audit_findings_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->month = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->findings_month))));
    const char *window = gtk_editable_get_text (GTK_EDITABLE (self->filter_window));
    if (window != NULL && *window != '\0')
        cmd->window = g_strdup (window);
    g_autoptr (GBytes) body = dbn_msg_audit_findings_encode (cmd, NULL);
    if (body != NULL)
        dbn_client_send_async (dbn_audit_feed_get_client (self->feed), body, CALL_MS, on_findings_reply,
                               self);
}

static void
on_finding_reply (DbnClient *client, GBytes *reply, const GError *error, gpointer user_data)
{
    DbnCommitteeView *self = user_data;
    g_autoptr (GError) refused = NULL;
    if (reply == NULL) {
        /* Not answered: the same key again on the next press, so a finding
         * that did arrive is not recorded twice. */
        g_autofree char *text = g_strdup_printf (_ ("抽查结论未送达，请重试：%s"), error->message);
        gtk_label_set_text (self->finding_status, text);
        return;
    }
    g_clear_pointer (&self->finding_key, g_free);
    g_clear_pointer (&self->finding_body, g_free);
    if (!dbn_reply_check (reply, &refused)) {
        g_autofree char *text = g_strdup_printf (_ ("抽查结论未记录：%s"), refused->message);
        gtk_label_set_text (self->finding_status, text);
        return;
    }
    g_autoptr (DbnMsgAuditSpotcheckRecordReply) r = dbn_msg_audit_spotcheck_record_reply_decode (
        g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
    g_autofree char *text = r != NULL ? g_strdup_printf (_ ("抽查结论已记入审计记录第 %lld 条（案件 %s）"),
                                                         (long long) r->index, r->case_no)
                                      : g_strdup (_ ("抽查结论已记录"));
    gtk_label_set_text (self->finding_status, text);
    gtk_editable_set_text (GTK_EDITABLE (self->finding_text), "");
    action_findings (GTK_WIDGET (self), NULL, NULL);
}

/* Records the committee's finding on the case shown in the pane. */
static void
action_record_finding (GtkWidget *widget, const char *name, GVariant *param)
{
    DbnCommitteeView *self = DBN_COMMITTEE_VIEW (widget);
    if (self->case_reply == NULL) {
        gtk_label_set_text (self->finding_status, _ ("请先查看要抽查的案件"));
        return;
    }
    gboolean ok = gtk_check_button_get_active (self->finding_ok);
    g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->finding_text))));
    if (!ok && *text == '\0') {
        gtk_label_set_text (self->finding_status, _ ("存在问题时请写明问题"));
        return;
    }
    g_autofree char *form = g_strdup_printf ("%s\n%d\n%s", self->case_reply->case_no, ok, text);
    if (self->finding_key == NULL || g_strcmp0 (form, self->finding_body) != 0) {
        g_free (self->finding_key);
        g_free (self->finding_body);
        self->finding_key = g_uuid_string_random ();
        self->finding_body = g_steal_pointer (&form);
    }
    g_autoptr (DbnMsgAuditSpotcheckRecord) cmd = dbn_msg_audit_spotcheck_record_new ();
    cmd->env.key = g_strdup (self->finding_key);
    cmd->case_no = g_strdup (self->case_reply->case_no);
    cmd->finding = g_strdup (ok ? "ok" : "problem");
    if (*text != '\0')
        cmd->text = g_steal_pointer (&text);
    g_autoptr (GBytes) body = dbn_msg_audit_spotcheck_record_encode (cmd, NULL);
    if (body == NULL)
        return;
    gtk_label_set_text (self->finding_status, _ ("正在记录……"));
    dbn_client_send_async (dbn_audit_feed_get_client (self->feed), body, CALL_MS, on_finding_reply, self);
}

static void
on_feed_row_activated (GtkListBox *list, GtkListBoxRow *row, gpointer user_data)
{
    const RowInfo *r = g_object_get_data (G_OBJECT (row), "dbn-audit-row");
    if (r != NULL && r->case_no != NULL && *r->case_no != '\0')
        dbn_committee_view_show_case (user_data, r->case_no);
}

/* ---- construction ---- */

static GtkWidget *
scrolled (GtkListBox *list, int min_height)
{
    GtkWidget *s = gtk_scrolled_window_new ();
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (s), GTK_WIDGET (list));
    gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (s), min_height);
    gtk_widget_set_vexpand (s, TRUE);
    return s;
}

static GtkWidget *
heading (const char *text)
{
    GtkWidget *l = gtk_label_new (text);
    gtk_label_set_xalign (GTK_LABEL (l), 0);
    gtk_widget_add_css_class (l, "heading");
    return l;
}

static GtkEntry *
filter_entry (DbnCommitteeView *self, GtkWidget *box, const char *placeholder)
{
    GtkWidget *e = gtk_entry_new ();
    gtk_entry_set_placeholder_text (GTK_ENTRY (e), placeholder);
    g_signal_connect_swapped (e, "changed", G_CALLBACK (on_filter_changed), self);
    gtk_box_append (GTK_BOX (box), e);
    return GTK_ENTRY (e);
}

static void
build (DbnCommitteeView *self)
{
    GtkBox *box = GTK_BOX (self);
    gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
    gtk_box_set_spacing (box, 6);
    gtk_widget_set_margin_start (GTK_WIDGET (self), 8);
    gtk_widget_set_margin_end (GTK_WIDGET (self), 8);
    gtk_widget_set_margin_bottom (GTK_WIDGET (self), 8);

    self->banner = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
    gtk_widget_add_css_class (self->banner, "offline-banner");
    self->banner_label = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_wrap (self->banner_label, TRUE);
    gtk_box_append (GTK_BOX (self->banner), GTK_WIDGET (self->banner_label));
    gtk_widget_set_visible (self->banner, FALSE);
    gtk_box_append (box, self->banner);

    self->status_label = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_xalign (self->status_label, 0);
    gtk_box_append (box, GTK_WIDGET (self->status_label));

    GtkWidget *filters = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_box_append (GTK_BOX (filters), gtk_label_new (_ ("筛选：")));
    self->filter_window = filter_entry (self, filters, _ ("窗口"));
    self->filter_station = filter_entry (self, filters, _ ("代办点"));
    self->filter_type = filter_entry (self, filters, _ ("事件类型"));
    self->filter_violations = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_ ("只看违规")));
    g_signal_connect_swapped (self->filter_violations, "toggled", G_CALLBACK (on_filter_changed), self);
    gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->filter_violations));
    gtk_box_append (box, filters);

    GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
    gtk_widget_set_vexpand (paned, TRUE);
    GtkWidget *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
    gtk_box_append (GTK_BOX (left), heading (_ ("违规 Violations")));
    self->violations = GTK_LIST_BOX (gtk_list_box_new ());
    gtk_list_box_set_filter_func (self->violations, filter_row, self, NULL);
    g_signal_connect (self->violations, "row-activated", G_CALLBACK (on_feed_row_activated), self);
    gtk_box_append (GTK_BOX (left), scrolled (self->violations, 120));
    gtk_box_append (GTK_BOX (left), heading (_ ("审计动态 Live feed")));
    self->entries = GTK_LIST_BOX (gtk_list_box_new ());
    gtk_list_box_set_filter_func (self->entries, filter_row, self, NULL);
    g_signal_connect (self->entries, "row-activated", G_CALLBACK (on_feed_row_activated), self);
    gtk_box_append (GTK_BOX (left), scrolled (self->entries, 300));
    gtk_paned_set_start_child (GTK_PANED (paned), left);

    GtkWidget *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
    gtk_box_append (GTK_BOX (right), heading (_ ("案件完整记录 A case's record")));
    GtkWidget *form = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    self->case_entry = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->case_entry, _ ("案件编号"));
    gtk_widget_set_hexpand (GTK_WIDGET (self->case_entry), TRUE);
    g_signal_connect_swapped (self->case_entry, "activate", G_CALLBACK (action_show_case), self);
    gtk_box_append (GTK_BOX (form), GTK_WIDGET (self->case_entry));
    GtkWidget *show = gtk_button_new_with_label (_ ("查看"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (show), "committee.show-case");
    gtk_box_append (GTK_BOX (form), show);
    GtkWidget *pdf = gtk_button_new_with_label (_ ("证据 PDF"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (pdf), "committee.evidence");
    gtk_box_append (GTK_BOX (form), pdf);
    gtk_box_append (GTK_BOX (right), form);
    self->case_status = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_xalign (self->case_status, 0);
    gtk_label_set_wrap (self->case_status, TRUE);
    gtk_box_append (GTK_BOX (right), GTK_WIDGET (self->case_status));
    self->case_list = GTK_LIST_BOX (gtk_list_box_new ());
    gtk_list_box_set_selection_mode (self->case_list, GTK_SELECTION_NONE);
    gtk_box_append (GTK_BOX (right), scrolled (self->case_list, 260));

    gtk_box_append (GTK_BOX (right), heading (_ ("抽查 Spot check")));
    GtkWidget *finding = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    self->finding_ok = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_ ("符合规定")));
    self->finding_problem = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_ ("存在问题")));
    gtk_check_button_set_group (self->finding_problem, self->finding_ok);
    gtk_check_button_set_active (self->finding_ok, TRUE);
    gtk_box_append (GTK_BOX (finding), GTK_WIDGET (self->finding_ok));
    gtk_box_append (GTK_BOX (finding), GTK_WIDGET (self->finding_problem));
    self->finding_text = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->finding_text, _ ("问题或备注"));
    gtk_widget_set_hexpand (GTK_WIDGET (self->finding_text), TRUE);
    gtk_box_append (GTK_BOX (finding), GTK_WIDGET (self->finding_text));
    GtkWidget *record = gtk_button_new_with_label (_ ("记录抽查结论"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (record), "committee.record-finding");
    gtk_box_append (GTK_BOX (finding), record);
    gtk_box_append (GTK_BOX (right), finding);
    self->finding_status = GTK_LABEL (gtk_label_new (""));
    gtk_label_set_xalign (self->finding_status, 0);
    gtk_label_set_wrap (self->finding_status, TRUE);
    gtk_box_append (GTK_BOX (right), GTK_WIDGET (self->finding_status));
    GtkWidget *month = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_box_append (GTK_BOX (month), heading (_ ("抽查结论 Findings")));
    self->findings_month = GTK_ENTRY (gtk_entry_new ());
    gtk_entry_set_placeholder_text (self->findings_month, "YYYY-MM");
    gtk_editable_set_width_chars (GTK_EDITABLE (self->findings_month), 8);
    g_signal_connect_swapped (self->findings_month, "activate", G_CALLBACK (action_findings), self);
    gtk_box_append (GTK_BOX (month), GTK_WIDGET (self->findings_month));
    GtkWidget *refresh = gtk_button_new_with_label (_ ("查看该月（按窗口筛选）"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (refresh), "committee.findings");
    gtk_box_append (GTK_BOX (month), refresh);
    gtk_box_append (GTK_BOX (right), month);
    self->findings = GTK_LIST_BOX (gtk_list_box_new ());
    gtk_list_box_set_selection_mode (self->findings, GTK_SELECTION_NONE);
    gtk_box_append (GTK_BOX (right), scrolled (self->findings, 120));
    gtk_paned_set_end_child (GTK_PANED (paned), right);
    gtk_paned_set_position (GTK_PANED (paned), 760);
    gtk_box_append (box, paned);
}

static void
dbn_committee_view_dispose (GObject *object)
{
    DbnCommitteeView *self = DBN_COMMITTEE_VIEW (object);
    g_clear_handle_id (&self->tick_id, g_source_remove);
    /* Its client drops the calls in flight: no callback reaches a freed view. */
    g_clear_pointer (&self->feed, dbn_audit_feed_free);
    g_clear_object (&self->connection);
    G_OBJECT_CLASS (dbn_committee_view_parent_class)->dispose (object);
}

static void
dbn_committee_view_finalize (GObject *object)
{
    DbnCommitteeView *self = DBN_COMMITTEE_VIEW (object);
    g_clear_pointer (&self->kept, dbn_kept_heads_free);
    g_clear_pointer (&self->case_window, g_hash_table_unref);
    g_clear_pointer (&self->case_station, g_hash_table_unref);
    g_clear_pointer (&self->case_reply, dbn_msg_audit_case_reply_free);
    g_clear_pointer (&self->case_entries, g_ptr_array_unref);
    g_clear_pointer (&self->case_included, g_array_unref);
    g_free (self->case_no);
    g_free (self->finding_key);
    g_free (self->finding_body);
    g_free (self->status_text);
    g_free (self->dir);
    G_OBJECT_CLASS (dbn_committee_view_parent_class)->finalize (object);
}

static void
dbn_committee_view_class_init (DbnCommitteeViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    object_class->dispose = dbn_committee_view_dispose;
    object_class->finalize = dbn_committee_view_finalize;
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    gtk_widget_class_install_action (widget_class, "committee.show-case", NULL, action_show_case);
    gtk_widget_class_install_action (widget_class, "committee.evidence", NULL, action_evidence);
    gtk_widget_class_install_action (widget_class, "committee.record-finding", NULL, action_record_finding);
    gtk_widget_class_install_action (widget_class, "committee.findings", NULL, action_findings);
}

static void
dbn_committee_view_init (DbnCommitteeView *self)
{
    self->case_window = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    self->case_station = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    self->case_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dbn_msg_audit_case_entry_free);
    self->case_included = g_array_new (FALSE, FALSE, sizeof (gboolean));
    build (self);
}

GtkWidget *
dbn_committee_view_new (DbnConnection *connection, const char *client_dir)
{
    DbnCommitteeView *self = g_object_new (DBN_TYPE_COMMITTEE_VIEW, NULL);
    self->connection = g_object_ref (connection);
    self->dir = g_strdup (client_dir);
    g_autofree char *kept_path = g_build_filename (client_dir, "kept-heads", NULL);
    g_autoptr (GError) error = NULL;
    self->kept = dbn_kept_heads_load (kept_path, &error);
    if (self->kept == NULL) {
        /* A damaged file of kept heads is itself a warning sign: say so,
         * and keep the new ones elsewhere rather than overwrite it. */
        g_autofree char *why = g_strdup_printf (_ ("本机留存的树头文件无法读取：%s"), error->message);
        g_autofree char *other = g_strdup_printf ("%s.%" G_GINT64_FORMAT, kept_path, g_get_real_time ());
        self->kept = dbn_kept_heads_load (other, NULL);
        g_assert (self->kept != NULL); /* a file that does not exist yet loads empty */
        raise_banner (self, why);
    }
    g_clear_error (&error);
    self->feed = dbn_audit_feed_new (connection, on_feed_event, on_feed_gap, self, &error);
    if (self->feed == NULL) {
        g_autofree char *text = g_strdup_printf (_ ("无法连接审计服务：%s"), error->message);
        gtk_label_set_text (self->status_label, text);
        return GTK_WIDGET (self);
    }
    GDate today;
    dbn_connection_get_today (connection, &today);
    g_autofree char *month =
        g_strdup_printf ("%04d-%02d", g_date_get_year (&today), g_date_get_month (&today));
    gtk_editable_set_text (GTK_EDITABLE (self->findings_month), month);
    dbn_audit_feed_start (self->feed, 0);
    action_findings (GTK_WIDGET (self), NULL, NULL);
    self->tick_id = g_timeout_add (TICK_MS, tick, self);
    update_status (self);
    return GTK_WIDGET (self);
}

/* ---- accessors ---- */

gboolean
dbn_committee_view_get_banner_shown (DbnCommitteeView *self)
{
    return self->inconsistent && gtk_widget_get_visible (self->banner);
}

const char *
dbn_committee_view_get_status (DbnCommitteeView *self)
{
    return self->status_text ? self->status_text : "";
}

gint64
dbn_committee_view_get_verified_through (DbnCommitteeView *self)
{
    return self->verified_through;
}

guint
dbn_committee_view_get_n_entries (DbnCommitteeView *self)
{
    return self->n_entries;
}

guint
dbn_committee_view_get_n_violations (DbnCommitteeView *self)
{
    return self->n_violations;
}

guint
dbn_committee_view_count_shown (DbnCommitteeView *self, gboolean violations)
{
    GtkListBox *list = violations ? self->violations : self->entries;
    guint n = 0;
    for (int i = 0;; i++) {
        GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);
        if (row == NULL)
            break;
        n += filter_row (row, self) ? 1 : 0;
    }
    return n;
}

void
dbn_committee_view_set_filter (DbnCommitteeView *self, const char *window, const char *station,
                               const char *type, gboolean violations_only)
{
    gtk_editable_set_text (GTK_EDITABLE (self->filter_window), window ? window : "");
    gtk_editable_set_text (GTK_EDITABLE (self->filter_station), station ? station : "");
    gtk_editable_set_text (GTK_EDITABLE (self->filter_type), type ? type : "");
    gtk_check_button_set_active (self->filter_violations, violations_only);
}

gboolean
dbn_committee_view_get_case (DbnCommitteeView *self, guint *n_entries, guint *n_included)
{
    if (!self->case_complete)
        return FALSE;
    guint good = 0;
    for (guint i = 0; i < self->case_included->len; i++)
        good += g_array_index (self->case_included, gboolean, i) ? 1 : 0;
    *n_entries = self->case_entries->len;
    *n_included = good;
    return TRUE;
}

void
dbn_committee_view_record_finding (DbnCommitteeView *self, gboolean in_order, const char *text)
{
    gtk_check_button_set_active (in_order ? self->finding_ok : self->finding_problem, TRUE);
    gtk_editable_set_text (GTK_EDITABLE (self->finding_text), text ? text : "");
    g_assert (gtk_widget_activate_action (GTK_WIDGET (self), "committee.record-finding", NULL));
}

guint
dbn_committee_view_get_n_findings (DbnCommitteeView *self)
{
    return self->n_findings;
}

const char *
dbn_committee_view_get_finding_status (DbnCommitteeView *self)
{
    return gtk_label_get_text (self->finding_status);
}
