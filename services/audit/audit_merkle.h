/* audit_merkle.h: the tamper-evident record's pure parts, with no store:
 * the entry encoding, the RFC 9162 leaf and node hashes, the hash chain, the
 * compact range that gives a tree's root in O(log n), the signed tree head
 * and its file form, and the verification of inclusion and consistency
 * proofs. docs/audit.md gives every byte; these functions are its reference.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AUDIT_ERROR (audit_error_quark ())
GQuark audit_error_quark (void);

typedef enum {
    AUDIT_ERROR_INVALID, /* an argument or a file out of its format or limits */
    AUDIT_ERROR_STORE,   /* SQLite failed (message says what) */
    AUDIT_ERROR_NO_KEY,  /* signing asked of a log opened without a secret key */
    AUDIT_ERROR_RANGE,   /* a proof asked for sizes or an index the record does not have */
    AUDIT_ERROR_KEY,     /* the file's public key is not the log's key */
} AuditError;

#define AUDIT_HASH_SIZE       32
#define AUDIT_PUBLIC_KEY_SIZE 32
#define AUDIT_SECRET_KEY_SIZE 64
#define AUDIT_SIGNATURE_SIZE  64
/* "DAIBAN-AUDIT-STH" ‖ 0x01 ‖ size ‖ time ‖ root ‖ chain (docs/audit.md). */
#define AUDIT_HEAD_MESSAGE_SIZE (16 + 1 + 8 + 8 + 32 + 32)
/* Text fields are length-prefixed with 16 bits. */
#define AUDIT_TEXT_MAX 65535

/* One entry as it is hashed; the strings and the event are borrowed. */
typedef struct {
    gint64 index;         /* 0-based position in the record */
    const char *producer; /* the service whose journal it came from */
    gint64 seq;           /* that journal's seq */
    gint64 time_ms;       /* the event's time (ms since the epoch) */
    const char *case_no;  /* "" when the event has no case */
    const char *actor;    /* "" when none */
    const char *type;     /* the event type, "case.accepted" */
    const guint8 *event;  /* the exact event bytes as received */
    gsize event_len;
} AuditEntry;

/* Appends the entry's encoding (docs/audit.md "Entry") to out. FALSE with
 * AUDIT_ERROR_INVALID when a text is longer than AUDIT_TEXT_MAX bytes or the
 * event is 4 GiB - 1 MiB or longer (its length must fit the u32 prefix). */
gboolean audit_entry_encode (const AuditEntry *entry, GByteArray *out, GError **error);

/* SHA-256(0x00 ‖ bytes): the RFC 9162 leaf hash. */
void audit_hash_leaf (const guint8 *bytes, gsize len, guint8 out[AUDIT_HASH_SIZE]);
/* SHA-256(0x01 ‖ left ‖ right): an interior node. out may alias either input. */
void audit_hash_node (const guint8 left[AUDIT_HASH_SIZE], const guint8 right[AUDIT_HASH_SIZE],
                      guint8 out[AUDIT_HASH_SIZE]);
/* SHA-256(0x02 ‖ previous ‖ leaf): the next link of the chain. out may alias. */
void audit_hash_chain (const guint8 previous[AUDIT_HASH_SIZE], const guint8 leaf[AUDIT_HASH_SIZE],
                       guint8 out[AUDIT_HASH_SIZE]);
/* SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1). */
void audit_hash_empty (guint8 out[AUDIT_HASH_SIZE]);

/* The compact range [0, size): one perfect subtree root per set bit of size.
 * Appending is amortised one node hash; the root costs popcount(size) - 1. */
typedef struct {
    gint64 size; /* leaves so far */
    guint8
        peaks[64]
             [AUDIT_HASH_SIZE]; /* peaks[l]: root of the subtree of 2^l leaves, when bit l of size is set */
} AuditRange;

void audit_range_init (AuditRange *range);
/* Adds a leaf hash. Returns the level of the highest subtree it completed
 * (0: none beyond the leaf); its hash is then peaks[level]. When completed
 * is not NULL, completed[l] is set to the root of the subtree of 2^l leaves
 * ending at this leaf, for every l in 1 .. the returned level. */
guint audit_range_append (AuditRange *range, const guint8 leaf[AUDIT_HASH_SIZE],
                          guint8 (*completed)[AUDIT_HASH_SIZE]);
/* The RFC 9162 tree hash of the leaves so far. */
void audit_range_root (const AuditRange *range, guint8 out[AUDIT_HASH_SIZE]);

/* A signed tree head. */
typedef struct {
    gint64 size;                            /* entries covered */
    gint64 time_ms;                         /* when it was signed */
    guint8 root[AUDIT_HASH_SIZE];           /* tree hash of entries [0, size) */
    guint8 chain[AUDIT_HASH_SIZE];          /* chain value after entry size - 1 (zeros for 0) */
    guint8 signature[AUDIT_SIGNATURE_SIZE]; /* Ed25519 over audit_head_message() */
} AuditHead;

/* The 97 bytes that are signed (docs/audit.md "Signed tree head"). */
void audit_head_message (const AuditHead *head, guint8 out[AUDIT_HEAD_MESSAGE_SIZE]);
void audit_head_sign (AuditHead *head, const guint8 secret_key[AUDIT_SECRET_KEY_SIZE]);
gboolean audit_head_check_signature (const AuditHead *head, const guint8 public_key[AUDIT_PUBLIC_KEY_SIZE]);

/* The head file, one JSON object (docs/audit.md "Head file"). Caller owns it. */
char *audit_head_to_json (const AuditHead *head, const guint8 public_key[AUDIT_PUBLIC_KEY_SIZE]);
/* Reads a head file's text. FALSE with AUDIT_ERROR_INVALID naming the field
 * that is missing or malformed. */
gboolean audit_head_from_json (const char *text, AuditHead *head, guint8 public_key[AUDIT_PUBLIC_KEY_SIZE],
                               GError **error);

/* RFC 9162 §2.1.3.2: TRUE when path proves leaf_hash is entry index of the
 * tree of tree_size entries whose root is root. path is n_path hashes. */
gboolean audit_verify_inclusion (gint64 index, gint64 tree_size, const guint8 leaf_hash[AUDIT_HASH_SIZE],
                                 const guint8 (*path)[AUDIT_HASH_SIZE], gsize n_path,
                                 const guint8 root[AUDIT_HASH_SIZE]);
/* RFC 9162 §2.1.4.2: TRUE when path proves the tree of first entries (root
 * first_root) is a prefix of the tree of second entries (second_root). As
 * RFC 9162 leaves the edges open: first == 0 needs an empty path (every tree
 * extends the empty one); first == second needs an empty path and equal roots. */
gboolean audit_verify_consistency (gint64 first, gint64 second, const guint8 first_root[AUDIT_HASH_SIZE],
                                   const guint8 second_root[AUDIT_HASH_SIZE],
                                   const guint8 (*path)[AUDIT_HASH_SIZE], gsize n_path);

/* Lower-case hex of len bytes. Caller owns it. */
char *audit_hex (const guint8 *bytes, gsize len);
/* Exactly len bytes from hex (either case); FALSE otherwise. */
gboolean audit_unhex (const char *hex, guint8 *out, gsize len);

G_END_DECLS
