/* dbn_sign_key.c: Ed25519 signing key files (dbn_sign_key.h). The same
 * rules as the CURVE secret files (docs/security.md): mode 0600, written
 * atomically, refused when group or others may read them, secrets wiped
 * from memory after use. libsodium does the signing; it is already in the
 * process through libzmq's CURVE. */
#include "daiban/dbn_sign_key.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "daiban/dbn_keys.h"

#define SIGN_SUFFIX   ".sign"
#define SECRET_SUFFIX ".secret"

static gboolean
sodium_ready (GError **error)
{
    if (sodium_init () < 0) {
        g_set_error_literal (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_UNSUPPORTED, "libsodium did not start");
        return FALSE;
    }
    return TRUE;
}

static char *
to_hex (const guint8 *bytes, gsize len)
{
    char *hex = g_malloc (2 * len + 1);
    sodium_bin2hex (hex, 2 * len + 1, bytes, len);
    return hex;
}

/* TRUE when hex is exactly 2 * len hex digits (either case), into out. */
static gboolean
from_hex (const char *hex, guint8 *out, gsize len)
{
    size_t got = 0;
    return hex != NULL && strlen (hex) == 2 * len
           && sodium_hex2bin (out, len, hex, 2 * len, NULL, &got, NULL) == 0 && got == len;
}

char *
dbn_keys_dup_sign_path (const char *data_dir, const char *principal)
{
    g_autofree char *name = dbn_principal_dup_file_name (principal);
    if (name == NULL)
        return NULL;
    g_autofree char *file = g_strconcat (name, SIGN_SUFFIX, NULL);
    return g_build_filename (data_dir, "keys", file, NULL);
}

char *
dbn_sign_key_path_for_secret (const char *secret_path)
{
    gsize len = strlen (secret_path);
    if (g_str_has_suffix (secret_path, SECRET_SUFFIX))
        len -= strlen (SECRET_SUFFIX);
    g_autofree char *stem = g_strndup (secret_path, len);
    return g_strconcat (stem, SIGN_SUFFIX, NULL);
}

gboolean
dbn_sign_key_write (const char *path, const char *who, char **public_hex, GError **error)
{
    if (!sodium_ready (error))
        return FALSE;
    guint8 pk[DBN_SIGN_PUBLIC_KEY_SIZE];
    guint8 sk[DBN_SIGN_SECRET_KEY_SIZE];
    crypto_sign_keypair (pk, sk);
    g_autofree char *hex = to_hex (sk, sizeof sk);
    g_autofree char *pk_hex = to_hex (pk, sizeof pk);
    sodium_memzero (sk, sizeof sk);
    g_autofree char *text =
        g_strdup_printf ("# %s's Ed25519 signing key (docs/security.md): keep this file mode "
                         "0600.\n# public %s\n%s\n",
                         who, pk_hex, hex);
    sodium_memzero (hex, strlen (hex));
    g_autoptr (GError) local = NULL;
    gboolean ok = g_file_set_contents_full (
        path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, &local);
    sodium_memzero (text, strlen (text));
    if (!ok) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_WRITE, "cannot write %s: %s", path,
                     local->message);
        return FALSE;
    }
    if (public_hex != NULL)
        *public_hex = g_steal_pointer (&pk_hex);
    return TRUE;
}

gboolean
dbn_sign_key_load (const char *path, guint8 sk[DBN_SIGN_SECRET_KEY_SIZE], GError **error)
{
    struct stat st;
    if (g_stat (path, &st) != 0) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "the signing key %s is missing (%s)", path,
                     g_strerror (errno));
        return FALSE;
    }
    /* Whoever can read it can sign in its owner's name. */
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INSECURE,
                     "secret key file %s has mode %04o: group or others may read or write it; generate a "
                     "new key and keep the file at mode 0600",
                     path, (unsigned) (st.st_mode & 07777));
        return FALSE;
    }
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr (GError) local = NULL;
    if (!g_file_get_contents (path, &text, &len, &local)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "cannot read %s: %s", path, local->message);
        return FALSE;
    }
    gboolean ok = FALSE;
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    for (char **l = lines; *l != NULL; l++) {
        g_strstrip (*l);
        if (**l == '\0' || **l == '#')
            continue;
        ok = from_hex (*l, sk, DBN_SIGN_SECRET_KEY_SIZE);
        break;
    }
    for (char **l = lines; *l != NULL; l++)
        sodium_memzero (*l, strlen (*l));
    sodium_memzero (text, len);
    if (!ok)
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "%s holds no Ed25519 secret key", path);
    return ok;
}

char *
dbn_sign_key_dup_registered (const char *data_dir, const char *principal, GError **error)
{
    g_autofree char *path = g_build_filename (data_dir, "keys", "registry", NULL);
    g_autoptr (GKeyFile) file = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "cannot read %s: %s", path, local->message);
        return NULL;
    }
    g_autofree char *key = g_key_file_get_string (file, principal, "sign-key", NULL);
    guint8 pk[DBN_SIGN_PUBLIC_KEY_SIZE];
    if (g_key_file_get_boolean (file, principal, "revoked", NULL) || !from_hex (key, pk, sizeof pk)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_NOT_FOUND, "%s has no registered signing key",
                     principal);
        return NULL;
    }
    return g_ascii_strdown (key, -1);
}

char *
dbn_sign_key_sign_hex (const guint8 sk[DBN_SIGN_SECRET_KEY_SIZE], GBytes *bytes)
{
    g_return_val_if_fail (sodium_init () >= 0, NULL);
    guint8 sig[DBN_SIGNATURE_SIZE];
    gsize len = 0;
    const guint8 *data = g_bytes_get_data (bytes, &len);
    crypto_sign_detached (sig, NULL, data, len, sk);
    return to_hex (sig, sizeof sig);
}

gboolean
dbn_sign_key_verify_hex (const char *public_hex, const char *signature_hex, GBytes *bytes)
{
    guint8 pk[DBN_SIGN_PUBLIC_KEY_SIZE], sig[DBN_SIGNATURE_SIZE];
    if (sodium_init () < 0 || !from_hex (public_hex, pk, sizeof pk)
        || !from_hex (signature_hex, sig, sizeof sig))
        return FALSE;
    gsize len = 0;
    const guint8 *data = g_bytes_get_data (bytes, &len);
    return crypto_sign_verify_detached (sig, data, len, pk) == 0;
}
