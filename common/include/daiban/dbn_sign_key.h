/* dbn_sign_key.h: Ed25519 signing key files (libsodium), beside the CURVE
 * keys in DIR/keys. Two principals sign: daiban-audit its tree heads
 * (DIR/keys/service-audit.sign) and a duty leader the daily summaries
 * (DIR/keys/leader-<id>.sign, D-AUD-6). The format (docs/security.md):
 *
 *   # <what the key is>: keep this file mode 0600.
 *   # public <64 hex digits>
 *   <128 hex digits: the 64-byte libsodium secret key, seed ‖ public key>
 *
 * A leader's public key is registered in DIR/keys/registry as
 *   sign-key = <64 hex digits>
 * in the leader's group, written by dbn_keys_add.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DBN_SIGN_PUBLIC_KEY_SIZE 32
#define DBN_SIGN_SECRET_KEY_SIZE 64
#define DBN_SIGNATURE_SIZE       64

/* DIR/keys/<principal's file name>.sign, NULL for an invalid principal.
 * Caller owns it. */
char *dbn_keys_dup_sign_path (const char *data_dir, const char *principal);

/* The .sign file beside a .secret key file (the same name, the other
 * suffix): the file a CLI given --key-file signs with. Caller owns it. */
char *dbn_sign_key_path_for_secret (const char *secret_path);

/* Writes a fresh key pair to path (mode 0600, atomically; replaces any
 * file there). who goes into the first comment. *public_hex (may be NULL)
 * gets the public key in lower-case hex, caller owns it. FALSE with
 * DBN_KEYS_ERROR_WRITE. */
gboolean dbn_sign_key_write (const char *path, const char *who, char **public_hex, GError **error);

/* Reads the secret key at path into sk. FALSE with DBN_KEYS_ERROR_INSECURE
 * when group or others may read it, DBN_KEYS_ERROR_READ when it is missing
 * or holds no key. The buffers read are wiped. */
gboolean dbn_sign_key_load (const char *path, guint8 sk[DBN_SIGN_SECRET_KEY_SIZE], GError **error);

/* principal's registered, unrevoked sign-key from DIR/keys/registry (hex),
 * NULL with DBN_KEYS_ERROR_NOT_FOUND when it has none. Caller owns it. */
char *dbn_sign_key_dup_registered (const char *data_dir, const char *principal, GError **error);

/* Ed25519 (pure, RFC 8032) over bytes: the 64-byte signature in hex.
 * Caller owns it. */
char *dbn_sign_key_sign_hex (const guint8 sk[DBN_SIGN_SECRET_KEY_SIZE], GBytes *bytes);

/* TRUE when signature_hex (128 hex digits) is public_hex's (64 hex digits)
 * Ed25519 signature of bytes. */
gboolean dbn_sign_key_verify_hex (const char *public_hex, const char *signature_hex, GBytes *bytes);

G_END_DECLS
