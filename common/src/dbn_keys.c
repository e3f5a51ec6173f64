/* dbn_keys.c: CURVE key pairs and the principal registry on disk.
 *
 * Structure. Two kinds of file under DIR/keys: one secret key file per
 * principal that lives on this machine, and one registry that every server
 * reads to map a client's public key to its principal. Both are GKeyFiles:
 * an operator can read them, and the config parser's conventions apply.
 * Keys are Z85 (40 characters for 32 bytes), the form libzmq's socket options
 * take, so no key is ever decoded outside a validity check.
 *
 * Writers. `daiban keys add` may run while `daiban up` starts services that
 * run dbn_keys_init, so every read-modify-write of the registry holds an
 * exclusive flock on DIR/keys/.lock; without it two writers would each
 * rewrite the file from their own copy and one registration would vanish.
 * Files are replaced atomically (g_file_set_contents_full: temporary file
 * created with its final mode, fsync, rename), so readers need no lock and a
 * secret file is never, even for an instant, readable by others.
 *
 * Readers. DbnRegistry keeps two hash tables (principal → entry, and public
 * key → entry for unrevoked keys only), so a ZAP lookup is one hash probe.
 * reload_if_changed compares (device, inode, size, mtime) from one stat():
 * every write is a rename, so a new version always has a new inode, and the
 * mtime comparison covers an editor that rewrites in place. Rejected: inotify
 * (GFileMonitor needs a main loop in the ZAP thread, and a stat() per half
 * second costs nothing).
 *
 * Secrets. A secret file that group or others may read or write is refused,
 * not repaired: someone else may already have read it, so the operator must
 * replace the key, and the error says which file and which mode. The check
 * uses fstat() on the descriptor that is then read, so the file cannot be
 * swapped between the check and the read. Secret key bytes are wiped from
 * memory when a key pair or a buffer that held them is freed.
 */
/* flock(), explicit_bzero(), O_CLOEXEC: the build is strict C11. */
#define _DEFAULT_SOURCE
#define G_LOG_DOMAIN "daiban-keys"

#include "daiban/dbn_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>
#include <glib/gstdio.h>

#include "daiban/dbn_clock.h"
#include "daiban/dbn_config.h"
#include "daiban/dbn_error.h"
#include "daiban/dbn_sign_key.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-keys-error-quark, dbn_keys_error)
/* clang-format on */

#define KEYS_DIR_NAME    "keys"
#define REGISTRY_NAME    "registry"
#define LOCK_NAME        ".lock"
#define SECRET_SUFFIX    ".secret"
#define CURVE_GROUP      "curve"
#define Z85_KEY_LEN      40
#define PRINCIPAL_ID_MAX 32
/* A secret file holds three short lines; anything bigger is not ours. */
#define SECRET_FILE_MAX 4096
/* About 150 bytes per principal: room for 100 000 of them. */
#define REGISTRY_FILE_MAX (16 * 1024 * 1024)

/* B1: CVE-2019-13132 (fixed 4.3.2), CVE-2020-15166 (4.3.3) and the fuzzing
 * finds of CVE-2021-20234..20237 are reachable by unauthenticated peers. */
#define LIBZMQ_MIN_MAJOR 4
#define LIBZMQ_MIN_MINOR 3
#define LIBZMQ_MIN_PATCH 4

gboolean
dbn_keys_check_libzmq (GError **error)
{
    int major = 0, minor = 0, patch = 0;
    zmq_version (&major, &minor, &patch);
    int have = major * 10000 + minor * 100 + patch;
    int need = LIBZMQ_MIN_MAJOR * 10000 + LIBZMQ_MIN_MINOR * 100 + LIBZMQ_MIN_PATCH;
    if (have < need) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_UNSUPPORTED,
                     "libzmq %d.%d.%d has known vulnerabilities reachable before "
                     "authentication; CURVE needs %d.%d.%d or newer",
                     major, minor, patch, LIBZMQ_MIN_MAJOR, LIBZMQ_MIN_MINOR, LIBZMQ_MIN_PATCH);
        return FALSE;
    }
    if (!zmq_has ("curve")) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_UNSUPPORTED,
                     "libzmq %d.%d.%d was built without CURVE", major, minor, patch);
        return FALSE;
    }
    return TRUE;
}

/* ---- principals ---- */

static gboolean
is_id_char (char c)
{
    return g_ascii_isalnum (c) || c == '_' || c == '-';
}

/* The id rules keep principals safe to use as file names (no '/', no
 * "..") and as GKeyFile group names (no '[', ']' or control characters). */
gboolean
dbn_principal_validate (const char *principal, GError **error)
{
    static const char *const kinds_with_id[] = { "service", "window",     "front",  "back",   "station",
                                                 "supervisor", "county", "leader", "board",  "group" };
    if (principal != NULL && (strcmp (principal, "committee") == 0 || strcmp (principal, "operator") == 0))
        return TRUE;
    const char *colon = principal != NULL ? strchr (principal, ':') : NULL;
    if (colon != NULL) {
        gsize kind_len = (gsize) (colon - principal);
        const char *id = colon + 1;
        gsize id_len = strlen (id);
        gboolean kind_ok = FALSE;
        for (gsize i = 0; i < G_N_ELEMENTS (kinds_with_id); i++)
            if (strlen (kinds_with_id[i]) == kind_len && strncmp (principal, kinds_with_id[i], kind_len) == 0)
                kind_ok = TRUE;
        gboolean id_ok = id_len >= 1 && id_len <= PRINCIPAL_ID_MAX;
        for (gsize i = 0; id_ok && i < id_len; i++)
            id_ok = is_id_char (id[i]);
        if (kind_ok && id_ok)
            return TRUE;
    }
    /* Quote at most 64 bytes with escapes: the name may come from a command line
     * or a hand-edited file and should not garble the log. */
    g_autofree char *shown = principal != NULL ? g_strndup (principal, 64) : g_strdup ("(null)");
    g_autofree char *escaped = g_strescape (shown, NULL);
    g_set_error (
        error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INVALID_PRINCIPAL,
        "“%s” is not a principal: expected service:<name>, window:<id>, front:<id>, "
        "back:<id>, station:<id>, county:<dept>, board:<id>, group:<agent>, committee, supervisor:<area>, leader:<id> or operator, with 1 to %d "
        "characters of A-Z a-z 0-9 _ -",
        escaped, PRINCIPAL_ID_MAX);
    return FALSE;
}

DbnPrincipalKind
dbn_principal_get_kind (const char *principal)
{
    static const struct {
        const char *prefix; /* the kind with its colon, or the whole name */
        DbnPrincipalKind kind;
    } kinds[] = {
        { "service:", DBN_PRINCIPAL_SERVICE },       { "window:", DBN_PRINCIPAL_WINDOW },
        { "front:", DBN_PRINCIPAL_WINDOW },          { "back:", DBN_PRINCIPAL_WINDOW },
        { "county:", DBN_PRINCIPAL_COUNTY },         { "station:", DBN_PRINCIPAL_STATION },
        { "supervisor:", DBN_PRINCIPAL_SUPERVISOR }, { "committee", DBN_PRINCIPAL_COMMITTEE },
        { "operator", DBN_PRINCIPAL_OPERATOR },
        { "leader:", DBN_PRINCIPAL_LEADER },
        { "board:", DBN_PRINCIPAL_BOARD },
        { "group:", DBN_PRINCIPAL_GROUP },
    };
    /* Validation first: "service:" or "committee2" must never get a kind. */
    if (!dbn_principal_validate (principal, NULL))
        return 0;
    for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
        if (g_str_has_prefix (principal, kinds[i].prefix))
            return kinds[i].kind;
    return 0;
}

guint
dbn_principal_get_window_roles (const char *principal)
{
    if (dbn_principal_get_kind (principal) != DBN_PRINCIPAL_WINDOW)
        return 0;
    if (g_str_has_prefix (principal, "front:"))
        return DBN_WINDOW_ROLE_FRONT;
    if (g_str_has_prefix (principal, "back:"))
        return DBN_WINDOW_ROLE_BACK;
    return DBN_WINDOW_ROLE_BOTH;
}

const char *
dbn_principal_get_id (const char *principal)
{
    if (!dbn_principal_validate (principal, NULL))
        return NULL;
    const char *colon = strchr (principal, ':');
    return colon != NULL ? colon + 1 : NULL;
}

char *
dbn_principal_dup_file_name (const char *principal)
{
    if (!dbn_principal_validate (principal, NULL))
        return NULL;
    /* The kind never contains '-' and an id never contains ':', so replacing
     * the one colon keeps names distinct. */
    char *name = g_strdup (principal);
    g_strdelimit (name, ":", '-');
    return name;
}

static char *
keys_dir_path (const char *data_dir)
{
    return g_build_filename (data_dir, KEYS_DIR_NAME, NULL);
}

static char *
registry_path (const char *data_dir)
{
    return g_build_filename (data_dir, KEYS_DIR_NAME, REGISTRY_NAME, NULL);
}

char *
dbn_keys_dup_secret_path (const char *data_dir, const char *principal)
{
    g_return_val_if_fail (data_dir != NULL, NULL);
    g_autofree char *name = dbn_principal_dup_file_name (principal);
    if (name == NULL)
        return NULL;
    g_autofree char *file = g_strconcat (name, SECRET_SUFFIX, NULL);
    return g_build_filename (data_dir, KEYS_DIR_NAME, file, NULL);
}

/* TRUE when text is 40 characters of valid Z85 (which has one spelling per
 * 32-byte key, so string equality is key equality). */
static gboolean
is_z85_key (const char *text)
{
    return dbn_keys_is_z85 (text);
}

gboolean
dbn_keys_is_z85 (const char *text)
{
    uint8_t bytes[32];
    if (text == NULL || strlen (text) != Z85_KEY_LEN)
        return FALSE;
    gboolean ok = zmq_z85_decode (bytes, text) != NULL;
    explicit_bzero (bytes, sizeof bytes);
    return ok;
}

/* ---- key pairs ---- */

struct _DbnKeyPair {
    char *principal;                  /* whose key this is */
    char public_z85[Z85_KEY_LEN + 1]; /* Z85, NUL-terminated */
    char secret_z85[Z85_KEY_LEN + 1]; /* Z85, NUL-terminated; wiped on free */
};

DbnKeyPair *
dbn_key_pair_new (const char *principal, GError **error)
{
    if (!dbn_principal_validate (principal, error) || !dbn_keys_check_libzmq (error))
        return NULL;
    DbnKeyPair *self = g_new0 (DbnKeyPair, 1);
    if (zmq_curve_keypair (self->public_z85, self->secret_z85) != 0) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_UNSUPPORTED, "zmq_curve_keypair: %s",
                     zmq_strerror (errno));
        dbn_key_pair_free (self);
        return NULL;
    }
    self->principal = g_strdup (principal);
    return self;
}

void
dbn_key_pair_free (DbnKeyPair *self)
{
    if (self == NULL)
        return;
    explicit_bzero (self->secret_z85, sizeof self->secret_z85);
    g_free (self->principal);
    g_free (self);
}

const char *
dbn_key_pair_get_public (const DbnKeyPair *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->public_z85;
}

const char *
dbn_key_pair_get_secret (const DbnKeyPair *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->secret_z85;
}

const char *
dbn_key_pair_get_principal (const DbnKeyPair *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->principal;
}

/* Frees a buffer that held a secret key after wiping it. */
static void
wipe_free (char *text)
{
    if (text == NULL)
        return;
    explicit_bzero (text, strlen (text));
    g_free (text);
}

/* Reads at most max bytes of an open descriptor into a NUL-terminated
 * buffer. NULL with _READ when the file is larger or a read fails.
 * Rather than g_file_get_contents: the descriptor is the one fstat()ed
 * (no swap between check and read), the size is bounded before anything
 * grows, and every intermediate copy of a secret is wiped. */
static char *
read_fd (int fd, const char *path, gsize max, gsize *length_out, GError **error)
{
    GString *text = g_string_sized_new (256);
    char chunk[1024];
    for (;;) {
        ssize_t n = read (fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "cannot read %s: %s", path,
                         g_strerror (saved));
            break;
        }
        if (n == 0) {
            explicit_bzero (chunk, sizeof chunk);
            *length_out = text->len;
            return g_string_free (text, FALSE);
        }
        if (text->len + (gsize) n > max) {
            g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                         "%s is larger than %" G_GSIZE_FORMAT " bytes: not a daiban key file", path, max);
            break;
        }
        g_string_append_len (text, chunk, n);
    }
    explicit_bzero (chunk, sizeof chunk);
    explicit_bzero (text->str, text->len);
    g_string_free (text, TRUE);
    return NULL;
}

DbnKeyPair *
dbn_key_pair_load (const char *path, GError **error)
{
    g_return_val_if_fail (path != NULL, NULL);

    int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        int saved = errno;
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "cannot open secret key file %s: %s", path,
                     g_strerror (saved));
        return NULL;
    }
    struct stat st;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "secret key file %s is not a regular file",
                     path);
        close (fd);
        return NULL;
    }
    /* Architecture, Security: refused if readable by others. Writable counts
     * too: whoever can write the file can plant a key we would then use. */
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INSECURE,
                     "secret key file %s has mode %04o: group or others may read or "
                     "write it; generate a new key (the old one may have been copied) "
                     "and keep the file at mode 0600",
                     path, (unsigned) (st.st_mode & 07777));
        close (fd);
        return NULL;
    }
    gsize length = 0;
    char *contents = read_fd (fd, path, SECRET_FILE_MAX, &length, error);
    close (fd);
    if (contents == NULL)
        return NULL;

    g_autoptr (GKeyFile) file = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    gboolean parsed = g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, &local);
    wipe_free (contents);
    if (!parsed) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "secret key file %s is malformed: %s", path,
                     local->message);
        return NULL;
    }
    g_autofree char *principal = g_key_file_get_string (file, CURVE_GROUP, "principal", NULL);
    g_autofree char *public_z85 = g_key_file_get_string (file, CURVE_GROUP, "public-key", NULL);
    char *secret_z85 = g_key_file_get_string (file, CURVE_GROUP, "secret-key", NULL);
    DbnKeyPair *self = NULL;
    char derived[Z85_KEY_LEN + 1] = "";

    if (principal == NULL || public_z85 == NULL || secret_z85 == NULL) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                     "secret key file %s lacks [%s] principal, public-key or secret-key", path, CURVE_GROUP);
    } else if (!dbn_principal_validate (principal, NULL)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                     "secret key file %s: its principal is not a valid principal name", path);
    } else if (!is_z85_key (public_z85) || !is_z85_key (secret_z85)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                     "secret key file %s: a key is not 40 characters of Z85", path);
    } else if (zmq_curve_public (derived, secret_z85) != 0 || strcmp (derived, public_z85) != 0) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                     "secret key file %s: public-key does not belong to secret-key", path);
    } else {
        self = g_new0 (DbnKeyPair, 1);
        self->principal = g_steal_pointer (&principal);
        memcpy (self->public_z85, public_z85, Z85_KEY_LEN);
        memcpy (self->secret_z85, secret_z85, Z85_KEY_LEN);
    }
    wipe_free (secret_z85);
    /* GKeyFile keeps its own copy of the value; wipe it before the file is freed. */
    g_key_file_set_string (file, CURVE_GROUP, "secret-key", "");
    return self;
}

/* Writes pair to path, mode 0600, atomically. */
static gboolean
key_pair_save (const DbnKeyPair *pair, const char *path, GError **error)
{
    g_autoptr (GKeyFile) file = g_key_file_new ();
    g_key_file_set_comment (file, NULL, NULL,
                            " daiban CURVE secret key: keep this file mode 0600, never copy it"
                            " anywhere but the machine that uses it.",
                            NULL);
    g_key_file_set_string (file, CURVE_GROUP, "principal", pair->principal);
    g_key_file_set_string (file, CURVE_GROUP, "public-key", pair->public_z85);
    g_key_file_set_string (file, CURVE_GROUP, "secret-key", pair->secret_z85);
    gsize length = 0;
    char *data = g_key_file_to_data (file, &length, NULL);
    g_key_file_set_string (file, CURVE_GROUP, "secret-key", "");
    g_autoptr (GError) local = NULL;
    gboolean ok =
        g_file_set_contents_full (path, data, (gssize) length,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, &local);
    wipe_free (data);
    if (!ok) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_WRITE, "cannot write secret key file %s: %s", path,
                     local->message);
        return FALSE;
    }
    return TRUE;
}

/* ---- the registry file ---- */

typedef struct {
    char *principal;  /* group name */
    char *public_key; /* Z85 */
    char *created;    /* ISO 8601, as written */
    gboolean revoked; /* refused from then on */
    char *revoked_at; /* ISO 8601, NULL unless revoked */
} RegistryEntry;

static void
registry_entry_free (gpointer data)
{
    RegistryEntry *entry = data;
    g_free (entry->principal);
    g_free (entry->public_key);
    g_free (entry->created);
    g_free (entry->revoked_at);
    g_free (entry);
}

/* What reload_if_changed compares: one stat()'s identity of the file. */
typedef struct {
    gboolean exists; /* FALSE when stat() failed */
    dev_t dev;       /* device */
    ino_t ino;       /* inode: a new one on every atomic replace */
    off_t size;      /* bytes */
    gint64 mtime_ns; /* modification time, nanoseconds */
} FileSignature;

static void
signature_from_stat (FileSignature *sig, const struct stat *st)
{
    sig->exists = TRUE;
    sig->dev = st->st_dev;
    sig->ino = st->st_ino;
    sig->size = st->st_size;
    sig->mtime_ns = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

static gboolean
signature_equal (const FileSignature *a, const FileSignature *b)
{
    if (!a->exists || !b->exists)
        return a->exists == b->exists;
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns;
}

struct _DbnRegistry {
    char *path;               /* DIR/keys/registry */
    GHashTable *by_principal; /* principal → RegistryEntry (owned) */
    GHashTable *by_key;       /* public key → RegistryEntry, unrevoked only (borrowed) */
    FileSignature seen;       /* the version last looked at, loaded or not */
};

/* Reads and parses the registry at path: opens, fstat()s and reads one
 * descriptor so the signature belongs to the bytes parsed. On success returns
 * the GKeyFile and fills *sig. */
static GKeyFile *
registry_read (const char *path, FileSignature *sig, GError **error)
{
    int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        int saved = errno;
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "cannot open the key registry %s: %s%s",
                     path, g_strerror (saved), saved == ENOENT ? " (run `daiban keys init` first)" : "");
        return NULL;
    }
    struct stat st;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "the key registry %s is not a regular file",
                     path);
        close (fd);
        return NULL;
    }
    gsize length = 0;
    g_autofree char *contents = read_fd (fd, path, REGISTRY_FILE_MAX, &length, error);
    close (fd);
    if (contents == NULL)
        return NULL;
    GKeyFile *file = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    if (!g_key_file_load_from_data (file, contents, length, G_KEY_FILE_KEEP_COMMENTS, &local)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "the key registry %s is malformed: %s", path,
                     local->message);
        g_key_file_free (file);
        return NULL;
    }
    if (sig != NULL)
        signature_from_stat (sig, &st);
    return file;
}

/* Builds the two tables from a registry key file; FALSE with _READ naming
 * the group at the first bad entry. */
static gboolean
registry_parse (GKeyFile *file, const char *path, GHashTable **by_principal_out, GHashTable **by_key_out,
                GError **error)
{
    g_autoptr (GHashTable) by_principal =
        g_hash_table_new_full (g_str_hash, g_str_equal, NULL, registry_entry_free);
    g_autoptr (GHashTable) by_key = g_hash_table_new (g_str_hash, g_str_equal);
    g_auto (GStrv) groups = g_key_file_get_groups (file, NULL);
    for (gsize i = 0; groups[i] != NULL; i++) {
        const char *group = groups[i];
        g_autoptr (GError) local = NULL;
        if (!dbn_principal_validate (group, &local)) {
            g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ, "the key registry %s: group [%s]: %s",
                         path, group, local->message);
            return FALSE;
        }
        g_auto (GStrv) keys = g_key_file_get_keys (file, group, NULL, NULL);
        for (gsize k = 0; keys != NULL && keys[k] != NULL; k++) {
            if (g_strcmp0 (keys[k], "public-key") != 0 && g_strcmp0 (keys[k], "created") != 0
                && g_strcmp0 (keys[k], "revoked") != 0
                && g_strcmp0 (keys[k], "revoked-at") != 0
                /* a leader's Ed25519 key (dbn_sign_key.h, D-AUD-6) */
                && g_strcmp0 (keys[k], "sign-key") != 0) {
                g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                             "the key registry %s: group [%s]: unknown key “%s”", path, group, keys[k]);
                return FALSE;
            }
        }
        RegistryEntry *entry = g_new0 (RegistryEntry, 1);
        entry->principal = g_strdup (group);
        entry->public_key = g_key_file_get_string (file, group, "public-key", NULL);
        entry->created = g_key_file_get_string (file, group, "created", NULL);
        entry->revoked_at = g_key_file_get_string (file, group, "revoked-at", NULL);
        g_hash_table_insert (by_principal, entry->principal, entry);
        if (!is_z85_key (entry->public_key)) {
            g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                         "the key registry %s: group [%s]: public-key is not 40 characters of Z85", path,
                         group);
            return FALSE;
        }
        /* A missing "revoked" means not revoked; a bad value must not. */
        if (g_key_file_has_key (file, group, "revoked", NULL)) {
            entry->revoked = g_key_file_get_boolean (file, group, "revoked", &local);
            if (local != NULL) {
                g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                             "the key registry %s: group [%s]: revoked must be true or false", path, group);
                return FALSE;
            }
        }
        if (entry->revoked)
            continue;
        RegistryEntry *other = g_hash_table_lookup (by_key, entry->public_key);
        if (other != NULL) {
            /* Two principals for one key: a lookup could not say who connected. */
            g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                         "the key registry %s: [%s] and [%s] have the same public key", path,
                         other->principal, group);
            return FALSE;
        }
        g_hash_table_insert (by_key, entry->public_key, entry);
    }
    *by_principal_out = g_steal_pointer (&by_principal);
    *by_key_out = g_steal_pointer (&by_key);
    return TRUE;
}

/* The first read has no previous contents to fall back on, so unlike
 * reload_if_changed it reports every problem to the caller. */
DbnRegistry *
dbn_registry_load (const char *data_dir, GError **error)
{
    g_return_val_if_fail (data_dir != NULL, NULL);
    g_autofree char *path = registry_path (data_dir);
    FileSignature sig = { 0 };
    g_autoptr (GKeyFile) file = registry_read (path, &sig, error);
    if (file == NULL)
        return NULL;
    GHashTable *by_principal = NULL, *by_key = NULL;
    if (!registry_parse (file, path, &by_principal, &by_key, error))
        return NULL;
    DbnRegistry *self = g_new0 (DbnRegistry, 1);
    self->path = g_steal_pointer (&path);
    self->by_principal = by_principal;
    self->by_key = by_key;
    self->seen = sig;
    return self;
}

void
dbn_registry_free (DbnRegistry *self)
{
    if (self == NULL)
        return;
    g_clear_pointer (&self->by_key, g_hash_table_unref);
    g_clear_pointer (&self->by_principal, g_hash_table_unref);
    g_free (self->path);
    g_free (self);
}

const char *
dbn_registry_lookup (DbnRegistry *self, const char *public_z85)
{
    g_return_val_if_fail (self != NULL, NULL);
    if (public_z85 == NULL)
        return NULL;
    RegistryEntry *entry = g_hash_table_lookup (self->by_key, public_z85);
    return entry != NULL ? entry->principal : NULL;
}

gboolean
dbn_registry_is_revoked (DbnRegistry *self, const char *principal)
{
    g_return_val_if_fail (self != NULL, FALSE);
    RegistryEntry *entry = principal ? g_hash_table_lookup (self->by_principal, principal) : NULL;
    return entry != NULL && entry->revoked;
}

const char *
dbn_registry_get_public_key (DbnRegistry *self, const char *principal)
{
    g_return_val_if_fail (self != NULL, NULL);
    RegistryEntry *entry = principal ? g_hash_table_lookup (self->by_principal, principal) : NULL;
    return entry != NULL ? entry->public_key : NULL;
}

const char *
dbn_registry_get_created (DbnRegistry *self, const char *principal)
{
    g_return_val_if_fail (self != NULL, NULL);
    RegistryEntry *entry = principal ? g_hash_table_lookup (self->by_principal, principal) : NULL;
    return entry != NULL ? entry->created : NULL;
}

const char *
dbn_registry_get_revoked_at (DbnRegistry *self, const char *principal)
{
    g_return_val_if_fail (self != NULL, NULL);
    RegistryEntry *entry = principal ? g_hash_table_lookup (self->by_principal, principal) : NULL;
    return entry != NULL && entry->revoked ? entry->revoked_at : NULL;
}

/* g_ptr_array_sort passes pointers to the elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
dbn_registry_dup_principals (DbnRegistry *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    GPtrArray *names = g_ptr_array_new ();
    GHashTableIter iter;
    gpointer key;
    g_hash_table_iter_init (&iter, self->by_principal);
    while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, g_strdup (key));
    g_ptr_array_sort (names, compare_names);
    g_ptr_array_add (names, NULL);
    return (char **) g_ptr_array_free (names, FALSE);
}

gboolean
dbn_registry_reload_if_changed (DbnRegistry *self)
{
    g_return_val_if_fail (self != NULL, FALSE);
    FileSignature now = { 0 };
    struct stat st;
    if (g_stat (self->path, &st) == 0)
        signature_from_stat (&now, &st);
    if (signature_equal (&now, &self->seen))
        return FALSE;
    /* Remember this version whatever happens next, so a broken file is
     * reported once, not on every check. */
    self->seen = now;
    g_autoptr (GError) error = NULL;
    FileSignature read_sig = { 0 };
    g_autoptr (GKeyFile) file = registry_read (self->path, &read_sig, &error);
    GHashTable *by_principal = NULL, *by_key = NULL;
    if (file == NULL || !registry_parse (file, self->path, &by_principal, &by_key, &error)) {
        g_warning ("keeping the previous key registry: %s", error->message);
        return FALSE;
    }
    /* The file may have been replaced again between stat() and open(); the
     * descriptor's signature is the one that matches what was parsed. */
    self->seen = read_sig;
    g_hash_table_unref (self->by_key);
    g_hash_table_unref (self->by_principal);
    self->by_principal = by_principal;
    self->by_key = by_key;
    return TRUE;
}

/* ---- writing: init, add, revoke ---- */

/* Holds DIR/keys/.lock exclusively while a registry is rewritten. */
typedef struct {
    int fd; /* the locked file, -1 when not held */
} KeysLock;

static gboolean
keys_lock_acquire (KeysLock *lock, const char *data_dir, GError **error)
{
    g_autofree char *path = g_build_filename (data_dir, KEYS_DIR_NAME, LOCK_NAME, NULL);
    lock->fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock->fd < 0) {
        int saved = errno;
        g_set_error (error, DBN_KEYS_ERROR, saved == ENOENT ? DBN_KEYS_ERROR_READ : DBN_KEYS_ERROR_WRITE,
                     "cannot open %s: %s%s", path, g_strerror (saved),
                     saved == ENOENT ? " (run `daiban keys init` first)" : "");
        return FALSE;
    }
    while (flock (lock->fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        int saved = errno;
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_WRITE, "cannot lock %s: %s", path,
                     g_strerror (saved));
        close (lock->fd);
        lock->fd = -1;
        return FALSE;
    }
    return TRUE;
}

static void
keys_lock_release (KeysLock *lock)
{
    if (lock->fd >= 0)
        close (lock->fd); /* closing drops the flock */
    lock->fd = -1;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KeysLock, keys_lock_release)

/* The registry as a key file to modify, validated first so a malformed
 * file is never rewritten (and its errors lost). */
static GKeyFile *
registry_open_for_update (const char *path, GError **error)
{
    GKeyFile *file = registry_read (path, NULL, error);
    if (file == NULL)
        return NULL;
    GHashTable *by_principal = NULL, *by_key = NULL;
    if (!registry_parse (file, path, &by_principal, &by_key, error)) {
        g_key_file_free (file);
        return NULL;
    }
    g_hash_table_unref (by_key);
    g_hash_table_unref (by_principal);
    return file;
}

/* add, import and revoke: the lock held, then the registry read and
 * checked, released together (g_auto). */
typedef struct {
    KeysLock lock;
    char *path;
    GKeyFile *file;
} RegistryUpdate;

static void
registry_update_clear (RegistryUpdate *update)
{
    g_clear_pointer (&update->file, g_key_file_free);
    g_clear_pointer (&update->path, g_free);
    keys_lock_release (&update->lock);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RegistryUpdate, registry_update_clear)

static gboolean
registry_update_begin (RegistryUpdate *update, const char *data_dir, GError **error)
{
    if (!keys_lock_acquire (&update->lock, data_dir, error))
        return FALSE;
    update->path = registry_path (data_dir);
    update->file = registry_open_for_update (update->path, error);
    return update->file != NULL;
}

static gboolean
registry_save (GKeyFile *file, const char *path, GError **error)
{
    gsize length = 0;
    g_autofree char *data = g_key_file_to_data (file, &length, NULL);
    g_autoptr (GError) local = NULL;
    /* Public keys only: readable, but kept in the 0700 keys folder anyway. */
    if (!g_file_set_contents_full (path, data, (gssize) length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644,
                                   &local)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_WRITE, "cannot write the key registry %s: %s",
                     path, local->message);
        return FALSE;
    }
    return TRUE;
}

/* Now on the caller's clock, in the office's time zone, ISO 8601. Caller
 * owns it. */
static char *
now_iso8601 (DbnClock *clock)
{
    g_autoptr (GDateTime) now = dbn_clock_dup_local_now (clock);
    return g_date_time_format_iso8601 (now);
}

/* (Re)registers principal with a fresh public key. Removing the group first
 * drops revoked/revoked-at of an earlier, revoked key: the old key is then
 * simply unknown, which ZAP refuses just the same. */
static void
registry_set_entry (GKeyFile *file, const char *principal, const char *public_z85, DbnClock *clock)
{
    g_autofree char *created = now_iso8601 (clock);
    g_key_file_remove_group (file, principal, NULL);
    g_key_file_set_string (file, principal, "public-key", public_z85);
    g_key_file_set_string (file, principal, "created", created);
    g_key_file_set_boolean (file, principal, "revoked", FALSE);
}

static gboolean
registry_entry_active (GKeyFile *file, const char *principal)
{
    return g_key_file_has_group (file, principal)
           && !g_key_file_get_boolean (file, principal, "revoked", NULL);
}

static gboolean
make_private_dir (const char *path, GError **error)
{
    if (g_mkdir_with_parents (path, 0700) != 0) {
        int saved = errno;
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_WRITE, "cannot create %s: %s", path,
                     g_strerror (saved));
        return FALSE;
    }
    return TRUE;
}

/* One key of this machine's own principals (a service, the operator) during
 * init: keeps a valid existing pair (registering it if the registry lost it),
 * creates one when the secret file is missing. Sets *changed when the
 * registry was modified. */
static gboolean
init_own_key (const char *data_dir, DbnClock *clock, GKeyFile *file, const char *principal, gboolean *changed,
              GError **error)
{
    g_autofree char *secret_path = dbn_keys_dup_secret_path (data_dir, principal);
    if (secret_path == NULL)
        return dbn_principal_validate (principal, error);
    /* An operator revoked this key on purpose: init must not undo it. */
    if (g_key_file_has_group (file, principal) && !registry_entry_active (file, principal))
        return TRUE;

    g_autoptr (DbnKeyPair) pair = NULL;
    if (g_file_test (secret_path, G_FILE_TEST_EXISTS)) {
        pair = dbn_key_pair_load (secret_path, error);
        if (pair == NULL)
            return FALSE;
        if (strcmp (pair->principal, principal) != 0) {
            g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                         "secret key file %s belongs to %s, not %s", secret_path, pair->principal, principal);
            return FALSE;
        }
        g_autofree char *registered = g_key_file_get_string (file, principal, "public-key", NULL);
        if (g_strcmp0 (registered, pair->public_z85) == 0)
            return TRUE;
        /* The secret file is the identity the service will present; a
         * registry entry that disagrees could only ever refuse it. */
    } else {
        pair = dbn_key_pair_new (principal, error);
        if (pair == NULL || !key_pair_save (pair, secret_path, error))
            return FALSE;
    }
    registry_set_entry (file, principal, pair->public_z85, clock);
    *changed = TRUE;
    return TRUE;
}

/* Order: folders, lock, registry, then one service at a time. The registry
 * is written once at the end and only if something changed, so a second
 * init leaves the file (and its inode) alone and running services see no
 * change. */
gboolean
dbn_keys_init (const char *data_dir, DbnClock *clock, GError **error)
{
    g_return_val_if_fail (data_dir != NULL, FALSE);
    g_return_val_if_fail (clock != NULL, FALSE);
    if (!dbn_keys_check_libzmq (error))
        return FALSE;
    g_autofree char *dir = keys_dir_path (data_dir);
    if (!make_private_dir (data_dir, error) || !make_private_dir (dir, error))
        return FALSE;
    g_auto (KeysLock) lock = { -1 };
    if (!keys_lock_acquire (&lock, data_dir, error))
        return FALSE;

    g_autofree char *path = registry_path (data_dir);
    gboolean changed = FALSE;
    g_autoptr (GKeyFile) file = NULL;
    if (g_file_test (path, G_FILE_TEST_EXISTS)) {
        file = registry_open_for_update (path, error);
        if (file == NULL)
            return FALSE;
    } else {
        file = g_key_file_new ();
        g_key_file_set_comment (file, NULL, NULL,
                                " daiban key registry: the public key of every principal."
                                " Edit with `daiban keys add|revoke`.",
                                NULL);
        changed = TRUE;
    }
    for (const char *const *name = dbn_config_service_names (); *name != NULL; name++) {
        g_autofree char *principal = g_strconcat ("service:", *name, NULL);
        if (!init_own_key (data_dir, clock, file, principal, &changed, error))
            return FALSE;
    }
    /* The operator's key lets `daiban` on this machine act with full rights
     * right after `daiban up`, with no extra step (issue 3: secure by default). */
    if (!init_own_key (data_dir, clock, file, "operator", &changed, error))
        return FALSE;
    return !changed || registry_save (file, path, error);
}

gboolean
dbn_keys_add (const char *data_dir, const char *principal, DbnClock *clock, char **secret_path_out,
              GError **error)
{
    g_return_val_if_fail (data_dir != NULL, FALSE);
    g_return_val_if_fail (clock != NULL, FALSE);
    if (!dbn_principal_validate (principal, error) || !dbn_keys_check_libzmq (error))
        return FALSE;
    g_auto (RegistryUpdate) update = { .lock = { -1 } };
    if (!registry_update_begin (&update, data_dir, error))
        return FALSE;
    GKeyFile *file = update.file;
    const char *path = update.path;
    if (registry_entry_active (file, principal)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_EXISTS,
                     "%s already has a key; revoke it first to issue a new one", principal);
        return FALSE;
    }
    g_autoptr (DbnKeyPair) pair = dbn_key_pair_new (principal, error);
    g_autofree char *secret_path = dbn_keys_dup_secret_path (data_dir, principal);
    /* The secret first: a crash before the registry is written leaves an
     * unregistered file that the next add replaces, never a registered key
     * whose secret is lost. */
    if (pair == NULL || !key_pair_save (pair, secret_path, error))
        return FALSE;
    registry_set_entry (file, principal, pair->public_z85, clock);
    /* D-AUD-6: the duty leader signs summaries with a key of its own beside
     * the CURVE key; the audit service checks against the registered half. */
    if (dbn_principal_get_kind (principal) == DBN_PRINCIPAL_LEADER) {
        g_autofree char *sign_path = dbn_keys_dup_sign_path (data_dir, principal);
        g_autofree char *sign_public = NULL;
        if (!dbn_sign_key_write (sign_path, principal, &sign_public, error))
            return FALSE;
        g_key_file_set_string (file, principal, "sign-key", sign_public);
    }
    if (!registry_save (file, path, error))
        return FALSE;
    if (secret_path_out != NULL)
        *secret_path_out = g_steal_pointer (&secret_path);
    return TRUE;
}

/* A principal whose secret stays on another set (one county key in several
 * townships' registries, issue 16): only its public half is registered here.
 * A service's or the operator's key is this set's own identity and is never
 * taken from elsewhere. */
gboolean
dbn_keys_import (const char *data_dir, const char *principal, const char *public_z85, DbnClock *clock,
                 gboolean *changed_out, GError **error)
{
    g_return_val_if_fail (data_dir != NULL, FALSE);
    g_return_val_if_fail (clock != NULL, FALSE);
    if (changed_out != NULL)
        *changed_out = FALSE;
    if (!dbn_principal_validate (principal, error))
        return FALSE;
    DbnPrincipalKind kind = dbn_principal_get_kind (principal);
    if (kind == DBN_PRINCIPAL_SERVICE || kind == DBN_PRINCIPAL_OPERATOR) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_INVALID_PRINCIPAL,
                     "%s is this set's own identity and is never imported (use keys init)", principal);
        return FALSE;
    }
    if (!is_z85_key (public_z85)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ,
                     "not a public key (40 characters of Z85): %s", public_z85 ? public_z85 : "(none)");
        return FALSE;
    }
    g_auto (RegistryUpdate) update = { .lock = { -1 } };
    if (!registry_update_begin (&update, data_dir, error))
        return FALSE;
    GKeyFile *file = update.file;
    const char *path = update.path;
    if (registry_entry_active (file, principal)) {
        g_autofree char *registered = g_key_file_get_string (file, principal, "public-key", NULL);
        if (g_strcmp0 (registered, public_z85) == 0)
            return TRUE; /* the same key again: nothing to do */
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_EXISTS,
                     "%s already has another key here; revoke it first to import this one", principal);
        return FALSE;
    }
    registry_set_entry (file, principal, public_z85, clock);
    if (!registry_save (file, path, error))
        return FALSE;
    if (changed_out != NULL)
        *changed_out = TRUE;
    return TRUE;
}

gboolean
dbn_keys_revoke (const char *data_dir, const char *principal, DbnClock *clock, GError **error)
{
    g_return_val_if_fail (data_dir != NULL, FALSE);
    g_return_val_if_fail (clock != NULL, FALSE);
    if (!dbn_principal_validate (principal, error))
        return FALSE;
    g_auto (RegistryUpdate) update = { .lock = { -1 } };
    if (!registry_update_begin (&update, data_dir, error))
        return FALSE;
    GKeyFile *file = update.file;
    const char *path = update.path;
    if (!g_key_file_has_group (file, principal)) {
        g_set_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_NOT_FOUND, "%s is not in the key registry %s",
                     principal, path);
        return FALSE;
    }
    if (!registry_entry_active (file, principal))
        return TRUE;
    g_autofree char *revoked_at = now_iso8601 (clock);
    g_key_file_set_boolean (file, principal, "revoked", TRUE);
    g_key_file_set_string (file, principal, "revoked-at", revoked_at);
    return registry_save (file, path, error);
}
