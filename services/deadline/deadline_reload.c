/* deadline_reload.c: deadline.calendar.reload reads the calendar again and
 * recomputes every running clock's due date from its anchor; catalog.reload
 * (D-CAT-3) puts an edited catalog in force for the clocks started after it.
 */
#include "deadline_private.h"

#include <stdlib.h>
#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

/* A calendar reload: the cases whose row may change, with their row as it
 * was before their first clock changed. */
typedef struct {
    DeadlineActions *self;
    guint count;         /* running clocks recomputed */
    GHashTable *touched; /* case number → Touched */
} Reload;

typedef struct {
    DeadlineCase *c;
    DeadlineRow before;
} Touched;

static void
touched_free (Touched *t)
{
    deadline_case_free (t->c);
    deadline_row_clear (&t->before);
    g_free (t);
}

static gboolean
recompute (DeadlineClock *k, const char *area, gpointer user_data, GError **error)
{
    Reload *reload = user_data;
    DeadlineActions *self = reload->self;
    reload->count++;
    gboolean covered = TRUE;
    gint64 due = deadline_due_day (self->calendar, area, k->unit, k->anchor_day, k->anchor_n, &covered);
    if ((due != k->due_day || covered != k->covered)
        && !g_hash_table_contains (reload->touched, k->case_no)) {
        /* Before this case's first clock is written: the stored row is the old one. */
        DeadlineCase *c = NULL;
        if (!deadline_store_get_case (self->store, k->case_no, &c, error))
            return FALSE;
        if (c != NULL) {
            Touched *t = g_new0 (Touched, 1);
            t->c = c;
            g_hash_table_insert (reload->touched, g_strdup (k->case_no), t);
            if (!deadline_row_read (self, c, &t->before, error))
                return FALSE;
        }
    }
    return deadline_schedule (self, k, area, error);
}

static int
compare_strings (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A reload pushed a new entry for every running clock; once its batch has
 * committed, the heap is read again from the store so the stale entries do
 * not linger (before the commit the store could still roll back). */
static gboolean
rebuild_when_idle (gpointer user_data)
{
    DeadlineActions *self = user_data;
    if (dbn_store_in_transaction (dbn_service_get_store (self->service)))
        return G_SOURCE_CONTINUE;
    self->rebuild_id = 0;
    g_autoptr (GError) error = NULL;
    if (!deadline_actions_rebuild (self, &error))
        g_warning ("rebuilding the timers after a calendar reload failed: %s", error->message);
    return G_SOURCE_REMOVE;
}

GBytes *
deadline_calendar_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgDeadlineCalendarReload) req = DEADLINE_DECODE (deadline_calendar_reload, command, error);
    if (req == NULL)
        return NULL;
    /* D-DL-5: a broken file is refused and the calendar in use stays. */
    DbnCalendar *fresh = dbn_calendar_load (self->calendar_path, error);
    if (fresh == NULL)
        return NULL;
    DbnCalendar *old = self->calendar;
    self->calendar = fresh;
    Reload reload = {
        self, 0, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) touched_free)
    };
    gboolean ok = deadline_store_foreach_running (self->store, recompute, &reload, error);
    /* One deadline.due_changed per case whose row changed, in case-number order. */
    g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (reload.touched, NULL);
    qsort (keys, g_hash_table_size (reload.touched), sizeof (gpointer), compare_strings);
    DbnOrigin sink = dbn_command_get_origin (command);
    for (guint i = 0; ok && keys[i] != NULL; i++) {
        Touched *t = g_hash_table_lookup (reload.touched, keys[i]);
        ok = deadline_row_changed (self, t->c, &t->before, &sink, error);
    }
    g_hash_table_unref (reload.touched);
    guint count = reload.count;
    if (!ok) {
        self->calendar = old;
        dbn_calendar_free (fresh);
        return NULL;
    }
    dbn_calendar_free (old);
    if (self->rebuild_id == 0)
        self->rebuild_id = g_idle_add (rebuild_when_idle, self);
    g_autoptr (DbnMsgDeadlineCalendarReloadReply) reply = dbn_msg_deadline_calendar_reload_reply_new ();
    reply->path = g_strdup (self->calendar_path);
    guint first = 0, last = 0;
    dbn_calendar_get_years (self->calendar, &first, &last);
    reply->first_year = first;
    reply->last_year = last;
    reply->recomputed = count;
    g_message ("calendar reloaded from %s: %u..%u, %u running clocks recomputed", self->calendar_path, first,
               last, count);
    return dbn_msg_deadline_calendar_reload_reply_encode (reply, error);
}

/* D-CAT-3: the configured catalog file again, swapped in whole when it
 * loads; a broken file is refused with its line and reason and the catalog
 * in force stays. Only clocks started from now on read it: a committed
 * clock already running keeps the length promised at acceptance (D-DL-4),
 * and a case keeps the restricted flag it was routed with. A read (no
 * store write), so it runs after the batch, and the followers run on the
 * same thread: no event is applied half with one catalog, half with the
 * other. */
GBytes *
deadline_catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgCatalogReload) req = DEADLINE_DECODE (catalog_reload, command, error);
    if (req == NULL)
        return NULL;
    const char *path = dbn_config_get_catalog_path (dbn_service_get_config (service));
    g_autoptr (GError) local = NULL;
    DbnCatalog *fresh = dbn_catalog_load (path, &local);
    if (fresh == NULL) {
        g_warning ("catalog reload refused, the catalog in force stays: %s", local->message);
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
    }
    dbn_catalog_free (self->catalog);
    self->catalog = fresh;
    g_message ("catalog reloaded from %s: %u matters (by %s)", path, dbn_catalog_get_n_matters (fresh),
               dbn_command_get_actor (command));
    g_autoptr (DbnMsgCatalogReloadReply) reply = dbn_msg_catalog_reload_reply_new ();
    reply->path = g_strdup (path);
    reply->matters = dbn_catalog_get_n_matters (fresh);
    return dbn_msg_catalog_reload_reply_encode (reply, error);
}
