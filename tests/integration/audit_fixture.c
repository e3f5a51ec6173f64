/* audit_fixture.c: see audit_fixture.h. */
#include "audit_fixture.h"

#include <sodium.h>
#include <string.h>

void
audit_fixture_key (guint8 public_key[AUDIT_PUBLIC_KEY_SIZE], guint8 secret_key[AUDIT_SECRET_KEY_SIZE])
{
    guint8 seed[crypto_sign_SEEDBYTES];
    memset (seed, 0x5a, sizeof seed);
    g_assert (sodium_init () >= 0);
    crypto_sign_seed_keypair (public_key, secret_key, seed);
}

void
audit_fixture_entry (gint64 index, guint32 seed, AuditFixtureEntry *e)
{
    static const char *const producers[] = { "intake", "routing", "deadline", "evaluation" };
    static const char *const types[] = { "case.accepted", "case.assigned", "case.replied", "deadline.warned",
                                         "eval.rated" };
    GRand *rand = g_rand_new_with_seed (seed ^ (guint32) (index * 2654435761u));
    guint p = (guint) (index % 4);
    e->producer = g_strdup (producers[p]);
    e->seq = index / 4 + 1; /* each producer's journal in order, exactly once */
    e->time_ms = 1764633600000 + index * 37;
    e->case_no = g_strdup_printf ("XZ2026-%06" G_GINT64_FORMAT, index / 5);
    e->actor = g_strdup_printf ("window:w%u", g_rand_int_range (rand, 1, 40));
    e->type = g_strdup (types[g_rand_int_range (rand, 0, G_N_ELEMENTS (types))]);
    e->event_len = (gsize) g_rand_int_range (rand, 120, 361);
    e->event = g_malloc (e->event_len);
    for (gsize i = 0; i < e->event_len; i++)
        e->event[i] = (guint8) g_rand_int (rand);
    g_rand_free (rand);
}

void
audit_fixture_entry_clear (AuditFixtureEntry *e)
{
    g_free (e->producer);
    g_free (e->case_no);
    g_free (e->actor);
    g_free (e->type);
    g_free (e->event);
    memset (e, 0, sizeof *e);
}

static gboolean
append (AuditLog *log, const AuditFixtureEntry *e, GError **error)
{
    return audit_log_append (log, e->producer, e->seq, e->time_ms, e->case_no, e->actor, e->type, e->event,
                             e->event_len, NULL, error);
}

gboolean
audit_fixture_make (const char *path, gint64 entries, guint every, guint32 seed, gint64 insert_at,
                    const AuditFixtureEntry *forged, GError **error)
{
    guint8 pk[AUDIT_PUBLIC_KEY_SIZE], sk[AUDIT_SECRET_KEY_SIZE];
    audit_fixture_key (pk, sk);
    g_autoptr (DbnClock) clock = dbn_clock_new_manual (1764633600000);
    g_autoptr (DbnStore) store = dbn_store_open (path, DBN_STORE_SYNC_NORMAL, audit_migrations, error);
    if (store == NULL)
        return FALSE;
    AuditLogOptions options = { .secret_key = sk, .head_every_entries = every };
    g_autoptr (AuditLog) log = audit_log_new (store, clock, &options, error);
    if (log == NULL)
        return FALSE;
    gboolean ok = TRUE;
    for (gint64 i = 0; ok && i < entries; i++) {
        if (i % 1000 == 0 && !dbn_store_begin (store, error))
            return FALSE;
        AuditFixtureEntry e;
        audit_fixture_entry (i, seed, &e);
        if (i == insert_at)
            ok = append (log, forged, error);
        ok = ok && append (log, &e, error);
        audit_fixture_entry_clear (&e);
        dbn_clock_advance_ms (clock, 37);
        if (ok && (i % 1000 == 999 || i == entries - 1)) {
            if (i == entries - 1)
                ok = audit_log_sign_head (log, NULL, error);
            ok = ok && dbn_store_commit (store, error);
        }
    }
    if (!ok && dbn_store_in_transaction (store))
        dbn_store_rollback (store);
    return ok;
}
