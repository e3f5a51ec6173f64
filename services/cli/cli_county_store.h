/* cli_county_store.h: the county's own SQLite store of what it follows in
 * each township (docs/county.md), and the three things done to it over a
 * township's connection: keep its signed audit heads, prove them
 * consistent, fetch its month figures. `daiban county keep|prove` run one of
 * them once; `daiban county follow` runs all three for every township of
 * the county's daiban.conf, every few seconds (cli_county_follow.c).
 *
 * Tables:
 *   county_township     (township, audit_key, synced)  the pinned audit key, the journal position
 *   county_head         (township, size, time_ms, root, chain, signature)  every kept head
 *   county_proof        (township, proven, failed)  proven through head N; the alarm, kept
 *   county_month        (township, month, name, closed, fetched_ms, accepted, completed,
 *                        on_time, returns, rated, satisfied, basic, unsatisfied, stars, score_milli)
 *                       the township-scope row of eval.month
 *   county_month_window (township, month, window, stars)  each window's stars that month
 *
 * A refused head (another audit key, a bad signature, a smaller size) and a
 * failed consistency proof are the same alarm, REWRITTEN: it is kept in
 * county_proof.failed and never overwritten; keep and prove refuse to go
 * past it (exit 5), the month figures are still fetched. */
#pragma once

#include <sqlite3.h>

#include "audit_verify.h"
#include "cli_common.h"

G_BEGIN_DECLS

typedef struct _CliCountyStore CliCountyStore;

/* The store's own errors: the code is the exit status (CLI_EXIT_CONFIG for
 * the file, CLI_EXIT_REFUSED for "no head kept yet"), the message both
 * languages. Others come from the township's services (cli_call). */
#define CLI_COUNTY_ERROR (cli_county_error_quark ())
GQuark cli_county_error_quark (void);
/* Prints error as "daiban WHAT: ..." and returns its exit status. */
int cli_county_report (const char *what, const GError *error);

/* Opens FILE (created with the tables when create; read-only otherwise).
 * NULL after printing "daiban WHAT: cannot open ..." to stderr. */
CliCountyStore *cli_county_store_open (const char *path, gboolean create, const char *what);
void cli_county_store_free (CliCountyStore *self);
/* The connection, for the read-only commands (check, status, table). Borrowed. */
sqlite3 *cli_county_store_get_db (CliCountyStore *self);

/* The alarm kept for township (REWRITTEN), NULL when none. Caller owns it. */
char *cli_county_store_dup_failure (CliCountyStore *self, const char *township);
/* The pinned audit key (hex, caller owns it) and the newest kept head of
 * township; FALSE when none is kept yet. */
gboolean cli_county_store_get_kept (CliCountyStore *self, const char *township, char **key_hex,
                                    AuditHead *head);
/* The size proven consistent so far (0: none). */
gint64 cli_county_store_get_proven (CliCountyStore *self, const char *township);

/* The outcome of keep or prove. */
typedef struct {
    guint kept;    /* keep: heads newly kept */
    gint64 newest; /* keep: the newest kept head's size; prove: proven through */
    char *alarm;   /* CLI_EXIT_TAMPERED: the alarm's line, Chinese / English (kept in the store) */
} CliCountyOutcome;
void cli_county_outcome_clear (CliCountyOutcome *outcome);

/* Reads the township's audit journal (sys.sync on ctx's audit service) from
 * where it last stopped and keeps every audit.head (the first pins the
 * audit key). CLI_EXIT_OK; CLI_EXIT_TAMPERED with out->alarm (a head
 * refused now, or an alarm kept before); else the status of error (no
 * answer, refused, the store), nothing changed beyond the heads kept
 * before it. */
int cli_county_store_keep (CliCountyStore *self, CliContext *ctx, const char *township, CliCountyOutcome *out,
                           GError **error);
/* Asks ctx's audit service for the consistency proof from the last proven
 * kept head to the newest kept head and checks it against the roots the
 * county kept. CLI_EXIT_OK (out->newest: verified through), CLI_EXIT_REFUSED
 * with error when no head is kept yet, CLI_EXIT_TAMPERED with out->alarm,
 * or the status of error. */
int cli_county_store_prove (CliCountyStore *self, CliContext *ctx, const char *township,
                            CliCountyOutcome *out, GError **error);
/* eval.month of month (YYYY-MM) from ctx's evaluation service, as the
 * county's key reads it; keeps the township-scope row and each window's
 * stars (replacing the month's earlier fetch). name: the township's name
 * (daiban.conf). CLI_EXIT_OK or the status of error. */
int cli_county_store_fetch_month (CliCountyStore *self, CliContext *ctx, const char *township,
                                  const char *name, const char *month, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliCountyStore, cli_county_store_free)

G_END_DECLS
