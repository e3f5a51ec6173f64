/* audit_fixture.h: a record made by audit_core for the tests and the
 * benchmark: entries that look like the four producers' journals (case
 * numbers, actors, event types, event bytes of 120 to 360 bytes), heads
 * every `every` entries and one over the last entry. */
#pragma once

#include "audit_log.h"

G_BEGIN_DECLS

/* The fixture's key pair, from a fixed seed: tests may re-sign with it. */
void audit_fixture_key (guint8 public_key[AUDIT_PUBLIC_KEY_SIZE], guint8 secret_key[AUDIT_SECRET_KEY_SIZE]);

/* One entry's fields (deterministic in index and seed). Caller frees with
 * audit_fixture_entry_clear(). */
typedef struct {
    char *producer, *case_no, *actor, *type;
    gint64 seq, time_ms;
    guint8 *event;
    gsize event_len;
} AuditFixtureEntry;

void audit_fixture_entry (gint64 index, guint32 seed, AuditFixtureEntry *e);
void audit_fixture_entry_clear (AuditFixtureEntry *e);

/* Creates path (it must not exist) with entries entries from seed, in
 * transactions of 1,000, a head every `every` (0: only the last). When
 * insert_at ≥ 0, the entry `forged` (borrowed) is inserted before that index:
 * the attacker's rewrite, signed with the same key. */
gboolean audit_fixture_make (const char *path, gint64 entries, guint every, guint32 seed, gint64 insert_at,
                             const AuditFixtureEntry *forged, GError **error);

G_END_DECLS
