/* audit_merkle.c: hashes, the compact range, heads and proof verification.
 *
 * SHA-256 comes from Nettle, not libsodium: Nettle's x86-64 build uses the
 * CPU's SHA extensions and hashed a 65-byte node in 162 ns against
 * libsodium's 438 ns on the build machine, and `daiban audit verify` must
 * rebuild 1,000,000 entries a second (three hashes per entry: leaf, node,
 * chain). libsodium still signs (crypto_sign_detached): it is already linked
 * through libzmq, and Ed25519 is its own code.
 *
 * The compact range is the whole state a writer or a verifier keeps of the
 * tree: the roots of the perfect subtrees that make up [0, size), one per set
 * bit of size, largest (leftmost) at the highest bit. RFC 9162's tree puts
 * the largest power of two on the left at every split, so the root is those
 * peaks folded from the smallest upward. Appending a leaf is a binary
 * increment: each carry is one node hash.
 *
 * The proof checks follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step
 * (fn/sn are the RFC's names), so they can be read side by side with it.
 */
#include "audit_merkle.h"

#include <json-glib/json-glib.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <string.h>

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (audit-error-quark, audit_error)
/* clang-format on */

static const char head_label[16] = { 'D', 'A', 'I', 'B', 'A', 'N', '-', 'A',
                                     'U', 'D', 'I', 'T', '-', 'S', 'T', 'H' };

static void
put_u64_at (guint8 *b, guint64 v)
{
    for (int i = 7; i >= 0; i--) {
        b[i] = (guint8) v;
        v >>= 8;
    }
}

static guint8 *
put_bytes (guint8 *p, const void *bytes, gsize len, int prefix_bytes)
{
    /* Big-endian length prefix of prefix_bytes (2 or 4), then the bytes. */
    for (int i = prefix_bytes - 1; i >= 0; i--)
        *p++ = (guint8) (len >> (8 * i));
    if (len > 0)
        memcpy (p, bytes, len);
    return p + len;
}

/* docs/audit.md "Entry": fixed-width big-endian integers and
 * length-prefixed texts, so that the bytes have one reading and a verifier
 * in any language rebuilds them from the columns. The index goes in too: an
 * entry moved elsewhere no longer hashes to its leaf. NULL texts (a damaged
 * file's NULL columns) encode as empty; the verifier then finds the leaf
 * changed. */
gboolean
audit_entry_encode (const AuditEntry *entry, GByteArray *out, GError **error)
{
    g_return_val_if_fail (entry != NULL && out != NULL, FALSE);
    g_return_val_if_fail (entry->event != NULL || entry->event_len == 0, FALSE);
    const char *names[3] = { "case", "actor", "type" };
    const char *texts[4] = { entry->producer, entry->case_no, entry->actor, entry->type };
    gsize lens[4];
    for (int i = 0; i < 4; i++) {
        lens[i] = texts[i] != NULL ? strlen (texts[i]) : 0;
        if (lens[i] > AUDIT_TEXT_MAX) {
            g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID,
                         "entry %s is %" G_GSIZE_FORMAT " bytes, more than %d",
                         i == 0 ? "producer" : names[i - 1], lens[i], AUDIT_TEXT_MAX);
            return FALSE;
        }
    }
    /* The u32 prefix, with room so that out->len (a guint) cannot wrap. */
    if (entry->event_len > G_MAXUINT32 - 1024 * 1024) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID, "event of %" G_GSIZE_FORMAT " bytes",
                     entry->event_len);
        return FALSE;
    }
    /* One size, one resize, then plain stores: verify encodes every entry. */
    gsize size = 1 + 8 + 2 + lens[0] + 8 + 8 + 2 + lens[1] + 2 + lens[2] + 2 + lens[3] + 4 + entry->event_len;
    guint start = out->len;
    g_byte_array_set_size (out, start + (guint) size);
    guint8 *p = out->data + start;
    *p++ = 0x01;
    put_u64_at (p, (guint64) entry->index);
    p = put_bytes (p + 8, texts[0], lens[0], 2);
    put_u64_at (p, (guint64) entry->seq);
    put_u64_at (p + 8, (guint64) entry->time_ms);
    p += 16;
    for (int i = 1; i < 4; i++)
        p = put_bytes (p, texts[i], lens[i], 2);
    p = put_bytes (p, entry->event, entry->event_len, 4);
    g_assert (p == out->data + start + size);
    return TRUE;
}

/* RFC 9162 §2.1.1: the 0x00 and 0x01 prefixes keep a leaf from being
 * passed off as an interior node (second-preimage attacks on the tree). */
void
audit_hash_leaf (const guint8 *bytes, gsize len, guint8 out[AUDIT_HASH_SIZE])
{
    struct sha256_ctx ctx;
    const guint8 prefix = 0x00;
    sha256_init (&ctx);
    sha256_update (&ctx, 1, &prefix);
    sha256_update (&ctx, len, bytes);
    sha256_digest (&ctx, AUDIT_HASH_SIZE, out);
}

/* H(prefix ‖ a ‖ b) in one update: 65 bytes, two SHA-256 blocks. The copy
 * into one buffer lets out alias a or b. */
static void
hash_pair (guint8 prefix, const guint8 a[AUDIT_HASH_SIZE], const guint8 b[AUDIT_HASH_SIZE],
           guint8 out[AUDIT_HASH_SIZE])
{
    guint8 buf[1 + 2 * AUDIT_HASH_SIZE];
    struct sha256_ctx ctx;
    buf[0] = prefix;
    memcpy (buf + 1, a, AUDIT_HASH_SIZE);
    memcpy (buf + 1 + AUDIT_HASH_SIZE, b, AUDIT_HASH_SIZE);
    sha256_init (&ctx);
    sha256_update (&ctx, sizeof buf, buf);
    sha256_digest (&ctx, AUDIT_HASH_SIZE, out);
}

void
audit_hash_node (const guint8 left[AUDIT_HASH_SIZE], const guint8 right[AUDIT_HASH_SIZE],
                 guint8 out[AUDIT_HASH_SIZE])
{
    hash_pair (0x01, left, right, out);
}

/* 0x02: a third prefix, so a chain value is never a leaf or a node. The
 * chain hashes leaf hashes, not entries again: one 65-byte hash per entry. */
void
audit_hash_chain (const guint8 previous[AUDIT_HASH_SIZE], const guint8 leaf[AUDIT_HASH_SIZE],
                  guint8 out[AUDIT_HASH_SIZE])
{
    hash_pair (0x02, previous, leaf, out);
}

void
audit_hash_empty (guint8 out[AUDIT_HASH_SIZE])
{
    struct sha256_ctx ctx;
    sha256_init (&ctx);
    sha256_digest (&ctx, AUDIT_HASH_SIZE, out);
}

void
audit_range_init (AuditRange *range)
{
    memset (range, 0, sizeof *range);
}

guint
audit_range_append (AuditRange *range, const guint8 leaf[AUDIT_HASH_SIZE],
                    guint8 (*completed)[AUDIT_HASH_SIZE])
{
    guint8 carry[AUDIT_HASH_SIZE];
    guint level = 0;
    memcpy (carry, leaf, AUDIT_HASH_SIZE);
    /* Binary increment: every set low bit is a peak that merges leftward. */
    while ((guint64) range->size & (G_GUINT64_CONSTANT (1) << level)) {
        audit_hash_node (range->peaks[level], carry, carry);
        level++;
        if (completed != NULL)
            memcpy (completed[level], carry, AUDIT_HASH_SIZE);
    }
    memcpy (range->peaks[level], carry, AUDIT_HASH_SIZE);
    range->size++;
    return level;
}

/* The peaks folded right to left: for size 2^a + 2^b + 2^c (a > b > c) the
 * root is node(P_a, node(P_b, P_c)), which is RFC 9162's MTH because each
 * split puts the largest power of two on the left. */
void
audit_range_root (const AuditRange *range, guint8 out[AUDIT_HASH_SIZE])
{
    guint64 size = (guint64) range->size;
    if (size == 0) {
        audit_hash_empty (out);
        return;
    }
    guint level = (guint) __builtin_ctzll (size);
    memcpy (out, range->peaks[level], AUDIT_HASH_SIZE);
    for (level++; level < 64; level++)
        if (size & (G_GUINT64_CONSTANT (1) << level))
            audit_hash_node (range->peaks[level], out, out);
}

/* docs/audit.md "Signed tree head": a label and a version first, so that a
 * signature made by this key for anything else never reads as a head. */
void
audit_head_message (const AuditHead *head, guint8 out[AUDIT_HEAD_MESSAGE_SIZE])
{
    memcpy (out, head_label, 16);
    out[16] = 0x01;
    put_u64_at (out + 17, (guint64) head->size);
    put_u64_at (out + 25, (guint64) head->time_ms);
    memcpy (out + 33, head->root, AUDIT_HASH_SIZE);
    memcpy (out + 65, head->chain, AUDIT_HASH_SIZE);
}

void
audit_head_sign (AuditHead *head, const guint8 secret_key[AUDIT_SECRET_KEY_SIZE])
{
    guint8 message[AUDIT_HEAD_MESSAGE_SIZE];
    audit_head_message (head, message);
    crypto_sign_detached (head->signature, NULL, message, sizeof message, secret_key);
}

gboolean
audit_head_check_signature (const AuditHead *head, const guint8 public_key[AUDIT_PUBLIC_KEY_SIZE])
{
    guint8 message[AUDIT_HEAD_MESSAGE_SIZE];
    audit_head_message (head, message);
    return crypto_sign_verify_detached (head->signature, message, sizeof message, public_key) == 0;
}

char *
audit_hex (const guint8 *bytes, gsize len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = g_malloc (2 * len + 1);
    for (gsize i = 0; i < len; i++) {
        s[2 * i] = digits[bytes[i] >> 4];
        s[2 * i + 1] = digits[bytes[i] & 15];
    }
    s[2 * len] = '\0';
    return s;
}

gboolean
audit_unhex (const char *hex, guint8 *out, gsize len)
{
    if (hex == NULL || strlen (hex) != 2 * len)
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return FALSE;
        out[i] = (guint8) (hi << 4 | lo);
    }
    return TRUE;
}

char *
audit_head_to_json (const AuditHead *head, const guint8 public_key[AUDIT_PUBLIC_KEY_SIZE])
{
    g_autofree char *root = audit_hex (head->root, AUDIT_HASH_SIZE);
    g_autofree char *chain = audit_hex (head->chain, AUDIT_HASH_SIZE);
    g_autofree char *sig = audit_hex (head->signature, AUDIT_SIGNATURE_SIZE);
    g_autofree char *key = audit_hex (public_key, AUDIT_PUBLIC_KEY_SIZE);
    return g_strdup_printf ("{\"format\":\"daiban-audit-head-1\",\"size\":%" G_GINT64_FORMAT
                            ",\"time_ms\":%" G_GINT64_FORMAT ",\"root\":\"%s\",\"chain\":\"%s\","
                            "\"signature\":\"%s\",\"public_key\":\"%s\"}\n",
                            head->size, head->time_ms, root, chain, sig, key);
}

static gboolean
json_hex_member (JsonObject *o, const char *name, guint8 *out, gsize len, GError **error)
{
    JsonNode *n = json_object_get_member (o, name);
    if (n == NULL || json_node_get_value_type (n) != G_TYPE_STRING
        || !audit_unhex (json_node_get_string (n), out, len)) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID,
                     "head file: \"%s\" must be %" G_GSIZE_FORMAT " bytes in hex", name, len);
        return FALSE;
    }
    return TRUE;
}

static gboolean
json_int_member (JsonObject *o, const char *name, gint64 *out, GError **error)
{
    JsonNode *n = json_object_get_member (o, name);
    if (n == NULL || json_node_get_value_type (n) != G_TYPE_INT64 || json_node_get_int (n) < 0) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID, "head file: \"%s\" must be a whole number ≥ 0",
                     name);
        return FALSE;
    }
    *out = json_node_get_int (n);
    return TRUE;
}

/* A head file comes from anywhere (a client, a USB stick): every member is
 * checked for type and length, and the signature is left to the caller,
 * who must also compare the key with the one it trusts. */
gboolean
audit_head_from_json (const char *text, AuditHead *head, guint8 public_key[AUDIT_PUBLIC_KEY_SIZE],
                      GError **error)
{
    g_return_val_if_fail (text != NULL && head != NULL && public_key != NULL, FALSE);
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) local = NULL;
    if (!json_parser_load_from_data (parser, text, -1, &local)) {
        g_set_error (error, AUDIT_ERROR, AUDIT_ERROR_INVALID, "head file: not JSON: %s", local->message);
        return FALSE;
    }
    JsonNode *root = json_parser_get_root (parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
        g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_INVALID, "head file: not a JSON object");
        return FALSE;
    }
    JsonObject *o = json_node_get_object (root);
    if (g_strcmp0 (json_object_get_string_member_with_default (o, "format", ""), "daiban-audit-head-1")
        != 0) {
        g_set_error_literal (error, AUDIT_ERROR, AUDIT_ERROR_INVALID,
                             "head file: \"format\" is not \"daiban-audit-head-1\"");
        return FALSE;
    }
    memset (head, 0, sizeof *head);
    return json_int_member (o, "size", &head->size, error)
           && json_int_member (o, "time_ms", &head->time_ms, error)
           && json_hex_member (o, "root", head->root, AUDIT_HASH_SIZE, error)
           && json_hex_member (o, "chain", head->chain, AUDIT_HASH_SIZE, error)
           && json_hex_member (o, "signature", head->signature, AUDIT_SIGNATURE_SIZE, error)
           && json_hex_member (o, "public_key", public_key, AUDIT_PUBLIC_KEY_SIZE, error);
}

gboolean
audit_verify_inclusion (gint64 index, gint64 tree_size, const guint8 leaf_hash[AUDIT_HASH_SIZE],
                        const guint8 (*path)[AUDIT_HASH_SIZE], gsize n_path,
                        const guint8 root[AUDIT_HASH_SIZE])
{
    if (index < 0 || index >= tree_size)
        return FALSE;
    /* fn walks the leaf's position up the tree, sn the last leaf's; where
     * fn is a right child (or the rightmost node, whose sibling is on the
     * left), the path's hash goes on the left. */
    guint64 fn = (guint64) index, sn = (guint64) tree_size - 1;
    guint8 r[AUDIT_HASH_SIZE];
    memcpy (r, leaf_hash, AUDIT_HASH_SIZE);
    for (gsize i = 0; i < n_path; i++) {
        if (sn == 0) /* a path longer than the tree is high */
            return FALSE;
        if ((fn & 1) || fn == sn) {
            audit_hash_node (path[i], r, r);
            /* A rightmost node with no sibling moves up without a hash. */
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            audit_hash_node (r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && memcmp (r, root, AUDIT_HASH_SIZE) == 0;
}

gboolean
audit_verify_consistency (gint64 first, gint64 second, const guint8 first_root[AUDIT_HASH_SIZE],
                          const guint8 second_root[AUDIT_HASH_SIZE], const guint8 (*path)[AUDIT_HASH_SIZE],
                          gsize n_path)
{
    if (first < 0 || second < first)
        return FALSE;
    if (first == 0)
        return n_path == 0;
    if (first == second)
        return n_path == 0 && memcmp (first_root, second_root, AUDIT_HASH_SIZE) == 0;
    if (n_path == 0)
        return FALSE;
    /* Step 1: a power-of-two first tree is itself the path's first value. */
    gsize i = 0;
    const guint8 *start;
    if (((guint64) first & ((guint64) first - 1)) == 0) {
        start = first_root;
    } else {
        start = path[0];
        i = 1;
    }
    guint64 fn = (guint64) first - 1, sn = (guint64) second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    /* Steps 4-5: fr rebuilds the old root and sr the new one from the same
     * path; the left siblings are shared, right ones only extend the new. */
    guint8 fr[AUDIT_HASH_SIZE], sr[AUDIT_HASH_SIZE];
    memcpy (fr, start, AUDIT_HASH_SIZE);
    memcpy (sr, start, AUDIT_HASH_SIZE);
    for (; i < n_path; i++) {
        if (sn == 0)
            return FALSE;
        if ((fn & 1) || fn == sn) {
            audit_hash_node (path[i], fr, fr);
            audit_hash_node (path[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            audit_hash_node (sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* Step 6: both roots rebuilt and the whole path used. */
    return sn == 0 && memcmp (fr, first_root, AUDIT_HASH_SIZE) == 0
           && memcmp (sr, second_root, AUDIT_HASH_SIZE) == 0;
}
