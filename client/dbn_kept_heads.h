/* dbn_kept_heads.h: the signed tree heads this client has seen and found
 * consistent, kept in its own folder (issue 14 item 2: "kept by every
 * client that sees them"). A record rewritten later, even re-signed with
 * the service's real key, cannot extend them: the committee's screen asks
 * for a consistency proof from the newest kept head to every newer head and
 * shows a red banner when it fails (docs/audit.md "Consistency proof").
 *
 * The file: one head file (docs/audit.md "Head file", one JSON object) per
 * line, oldest first, rewritten atomically on each add: the first head
 * and the newest 255 (each was proved to extend the one before it). The
 * first head's key is the one every later head must carry. */
#pragma once

#include <glib.h>

#include "audit_merkle.h"

G_BEGIN_DECLS

typedef struct _DbnKeptHeads DbnKeptHeads;

/* Reads path (a missing file: none kept yet). NULL with the error of a file
 * that cannot be read or a line that is not a head file. Caller owns it. */
DbnKeptHeads *dbn_kept_heads_load (const char *path, GError **error);
void dbn_kept_heads_free (DbnKeptHeads *self);

guint dbn_kept_heads_get_count (DbnKeptHeads *self);
/* The head of the largest size kept, and its key; FALSE when none. */
gboolean dbn_kept_heads_get_latest (DbnKeptHeads *self, AuditHead *head, guint8 key[AUDIT_PUBLIC_KEY_SIZE]);
/* Keeps head (the caller checked its signature and its consistency with
 * the latest) and writes the file. */
gboolean dbn_kept_heads_add (DbnKeptHeads *self, const AuditHead *head,
                             const guint8 key[AUDIT_PUBLIC_KEY_SIZE], GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnKeptHeads, dbn_kept_heads_free)

G_END_DECLS
