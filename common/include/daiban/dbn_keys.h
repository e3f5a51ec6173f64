/* dbn_keys.h: CURVE key pairs and the registry of principals in the data folder.
 *
 *   DIR/keys/            mode 0700
 *   DIR/keys/<file>.secret   mode 0600, a key file:
 *       [curve]
 *       principal = window:minzheng
 *       public-key = <40 characters of Z85>
 *       secret-key = <40 characters of Z85>
 *   DIR/keys/registry    one group per principal:
 *       [window:minzheng]
 *       public-key = <Z85>
 *       created = 2025-03-02T09:15:00.123000+08   (office time, UTC+8)
 *       revoked = false
 *       revoked-at = <ISO time, only when revoked>
 *
 * A principal is who a connection authenticates as: service:<name>,
 * window:<id>, station:<id>, committee, supervisor:<area>, leader:<id> (a
 * duty leader, who signs the daily summaries, D-AUD-6) or operator (the
 * local administrator's `daiban` command line), where id and area are 1 to 32
 * characters of [A-Za-z0-9_-]. Its file name replaces the colon with '-'
 * (window:minzheng → window-minzheng.secret; operator → operator.secret).
 *
 * Every file is written atomically (temporary file, fsync, rename), so a
 * service reading the registry never sees half of it.
 */
#pragma once

#include <glib.h>

#include "dbn_clock.h"

G_BEGIN_DECLS

#define DBN_KEYS_ERROR (dbn_keys_error_quark ())
GQuark dbn_keys_error_quark (void);

/* The codes (DbnKeysError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

/* TRUE when libzmq is at least 4.3.4 (older versions have CVEs reachable by
 * unauthenticated peers, research B1) and has CURVE. Otherwise FALSE with
 * DBN_KEYS_ERROR_UNSUPPORTED naming the version found. */
gboolean dbn_keys_check_libzmq (GError **error);

/* TRUE when principal is one of the forms above; otherwise FALSE with
 * DBN_KEYS_ERROR_INVALID_PRINCIPAL quoting it. */
gboolean dbn_principal_validate (const char *principal, GError **error);

/* The kinds of principal, as bits so a command can name several. */
typedef enum {
    DBN_PRINCIPAL_SERVICE = 1 << 0,    /* service:<name> */
    DBN_PRINCIPAL_OPERATOR = 1 << 1,   /* operator: the local administrator */
    DBN_PRINCIPAL_WINDOW = 1 << 2,     /* window:<id>, front:<id> and back:<id> (D-RTE-6) */
    DBN_PRINCIPAL_STATION = 1 << 3,    /* station:<id> */
    DBN_PRINCIPAL_SUPERVISOR = 1 << 4, /* supervisor:<area> */
    DBN_PRINCIPAL_COMMITTEE = 1 << 5,  /* committee */
    DBN_PRINCIPAL_COUNTY = 1 << 6,     /* county:<dept>, a county department (issue 16) */
    DBN_PRINCIPAL_LEADER = 1 << 7,     /* leader:<id>, the duty leader (D-AUD-6) */
    DBN_PRINCIPAL_BOARD = 1 << 8,      /* board:<id>, a public board (D-AUD-4, issue 16): reads pub/ only */
    DBN_PRINCIPAL_GROUP = 1 << 9,      /* group:<agent>, a group agent of org.ini (issue 16) */
} DbnPrincipalKind;

/* The kind of a valid principal, 0 for anything dbn_principal_validate refuses.
 * front:<id> and back:<id> are window principals: they read and act on the
 * same window's cases as window:<id>, each in one role only. */
DbnPrincipalKind dbn_principal_get_kind (const char *principal);

/* D-RTE-6: the two roles of a window. */
typedef enum {
    DBN_WINDOW_ROLE_FRONT = 1 << 0, /* front desk (前台受理): accepts, signs for run-sheet items */
    DBN_WINDOW_ROLE_BACK = 1 << 1,  /* back office (后台办理): handles */
    DBN_WINDOW_ROLE_BOTH = DBN_WINDOW_ROLE_FRONT | DBN_WINDOW_ROLE_BACK,
} DbnWindowRole;

/* The roles a window principal holds: both for window:<id>, one for
 * front:<id> and back:<id>; 0 for any other principal. */
guint dbn_principal_get_window_roles (const char *principal);

/* The part after the colon (the id, area or service name), borrowed from
 * principal; NULL for committee, operator and invalid principals. */
const char *dbn_principal_get_id (const char *principal);

/* The file name of principal's secret key (without the folder), or NULL for
 * an invalid principal. Caller owns the result. */
char *dbn_principal_dup_file_name (const char *principal);

/* The times written to the registry (created, revoked-at) are read from the
 * clock the caller gives (non-NULL): the program decides which clock that is
 * (the CLI's comes from the environment, dbn_clock_new_from_env). */

/* Creates DIR/keys (0700), a key pair for every service of
 * dbn_config_service_names() registered as service:<name>, one for the
 * operator (the local `daiban` command line), and the registry.
 * Idempotent: keys that exist are kept (a service or operator whose secret
 * file is missing gets a new pair; one the operator revoked stays revoked). FALSE with an error if a file cannot be written or
 * an existing secret file is insecure or malformed. */
gboolean dbn_keys_init (const char *data_dir, DbnClock *clock, GError **error);

/* Creates a new key pair for principal, writes its secret file (0600) and
 * registers its public key. A leader:<id> also gets an Ed25519 signing key
 * (dbn_sign_key.h) in DIR/keys/leader-<id>.sign, its public key registered
 * as sign-key. A principal that was revoked gets a new key.
 * FALSE with _EXISTS when it has an unrevoked key, _INVALID_PRINCIPAL, _READ
 * without a registry (run dbn_keys_init first), or _WRITE. On success
 * *secret_path_out (if not NULL) receives the secret file's path, caller owns it. */
gboolean dbn_keys_add (const char *data_dir, const char *principal, DbnClock *clock, char **secret_path_out,
                       GError **error);

/* Registers principal with public_z85, a key made on another set whose
 * secret stays there (`daiban keys export` there, `keys import` here): one
 * county key in several townships' registries. The same key again changes
 * nothing (*changed_out FALSE); another unrevoked key is _EXISTS; a
 * service: or operator key is _INVALID_PRINCIPAL; a malformed key is _READ. */
/* TRUE when text is a key as Z85 spells it (40 characters). */
gboolean dbn_keys_is_z85 (const char *text);

gboolean dbn_keys_import (const char *data_dir, const char *principal, const char *public_z85, DbnClock *clock,
                          gboolean *changed_out, GError **error);

/* Marks principal revoked in the registry (revoked-at = now); its key is
 * refused from then on. Revoking a revoked principal changes nothing and
 * returns TRUE. FALSE with _NOT_FOUND for a principal never registered. */
gboolean dbn_keys_revoke (const char *data_dir, const char *principal, DbnClock *clock, GError **error);

/* DIR/keys/<file>.secret for principal (whether or not it exists), NULL for
 * an invalid principal. Caller owns the result. */
char *dbn_keys_dup_secret_path (const char *data_dir, const char *principal);

typedef struct _DbnKeyPair DbnKeyPair;

/* A fresh key pair for principal, not stored anywhere (tests, and callers
 * that write it themselves). NULL with _INVALID_PRINCIPAL or _UNSUPPORTED.
 * Caller owns the result. */
DbnKeyPair *dbn_key_pair_new (const char *principal, GError **error);

/* Reads a secret key file. NULL with _INSECURE (message naming the file and
 * its mode) when group or others may read or write it, or with _READ when it
 * is missing, not a regular file, malformed, or its public key does not
 * belong to its secret key. Caller owns the result. */
DbnKeyPair *dbn_key_pair_load (const char *path, GError **error);

/* Wipes the secret key from memory and frees. NULL is allowed. */
void dbn_key_pair_free (DbnKeyPair *self);

/* Borrowed strings, valid while self lives: 40 characters of Z85. */
const char *dbn_key_pair_get_public (const DbnKeyPair *self);
const char *dbn_key_pair_get_secret (const DbnKeyPair *self);
const char *dbn_key_pair_get_principal (const DbnKeyPair *self);

typedef struct _DbnRegistry DbnRegistry;

/* Reads DIR/keys/registry. NULL with _READ when it is missing or malformed
 * (an invalid principal or key, or one public key registered twice).
 * Caller owns the result. Not thread-safe: one registry per thread. */
DbnRegistry *dbn_registry_load (const char *data_dir, GError **error);
void dbn_registry_free (DbnRegistry *self);

/* The principal whose registered, unrevoked key is public_z85; NULL for an
 * unknown or revoked key. Borrowed: valid until the next reload or free. */
const char *dbn_registry_lookup (DbnRegistry *self, const char *public_z85);

/* TRUE when principal is registered and revoked. */
gboolean dbn_registry_is_revoked (DbnRegistry *self, const char *principal);

/* principal's registered public key (revoked or not: see is_revoked), NULL
 * if unknown. Borrowed: valid until the next reload or free. */
const char *dbn_registry_get_public_key (DbnRegistry *self, const char *principal);

/* When principal was registered and revoked (ISO 8601 as written, office
 * time), NULL if unknown (revoked_at: also when not revoked). Borrowed: valid
 * until the next reload or free. */
const char *dbn_registry_get_created (DbnRegistry *self, const char *principal);
const char *dbn_registry_get_revoked_at (DbnRegistry *self, const char *principal);

/* Every registered principal, sorted. Caller owns the NULL-terminated array. */
char **dbn_registry_dup_principals (DbnRegistry *self);

/* Re-reads the file if its identity, size or modification time changed
 * since the last read (one stat() otherwise). Returns TRUE when new contents
 * were loaded. A file that became unreadable or malformed keeps the previous
 * contents and is logged once per version of the file. */
gboolean dbn_registry_reload_if_changed (DbnRegistry *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnKeyPair, dbn_key_pair_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnRegistry, dbn_registry_free)

G_END_DECLS
