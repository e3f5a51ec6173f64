/* dbn_codec.c: the runtime under the generated message code.
 *
 * Four parts, in this order:
 *
 * 1. dbn_codec_prevalidate(): a walk over the raw bytes, before msgpack-c sees
 *    them. msgpack-c 4.0.0 allocates count x 24 (array) or x 48 (map) bytes
 *    as soon as it reads a header, so `dd ff ff ff ff` (5 bytes) asks for
 *    96 GiB, and it answers CONTINUE instead of an error on a truncated frame.
 *    The walk keeps an explicit stack of "objects still to read" per open
 *    container, bounded by DBN_CODEC_MAX_DEPTH, allocates nothing, and refuses
 *    any length or count that the remaining bytes cannot hold (every object is
 *    at least one byte, a map entry two). After it, msgpack-c allocates at
 *    most a few tens of bytes per input byte, and the input is at most
 *    DBN_CODEC_MAX_FRAME.
 *
 * 2. The table-driven engine (dbn_codec_private.h): the generator writes one
 *    DbnCodecField table per message, and dbn_codec_decode_message() checks a
 *    frame against it in the order docs/codec.md gives: root type, duplicate
 *    keys, version, wire name, required keys, types, limits, trailing bytes.
 *    It copies anything into the caller's struct only after every check has
 *    passed, so a failed decode leaves nothing to free. Writing the checks
 *    once here, rather than unrolling them into every generated function,
 *    keeps the generated code short and this logic tested once. Encoding
 *    validates the whole struct first and then packs it into a per-thread
 *    msgpack_sbuffer that is reused from call to call (services encode on
 *    their loop thread; the buffer is dropped when it grew past 64 KiB).
 *
 * 3. dbn_codec_to_json(): prevalidate, unpack, and hand the object tree to a
 *    JsonBuilder; depth is already bounded, so plain recursion is safe.
 *
 * 4. The masks for personal data: character (not byte) based, so a name or
 *    address in Chinese is cut at a character boundary.
 */
#include "daiban/dbn_codec.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <msgpack.h>

#include "dbn_codec_private.h"

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-codec-error-quark, dbn_codec_error)
/* clang-format on */

/* Encoders keep their buffer between calls unless it grew past this. */
#define ENCODER_KEEP_BYTES (64 * 1024)
/* Longest piece of a wire value quoted in an error message. */
#define QUOTE_MAX 64

/* ---------------------------------------------------------------- prevalidate */

typedef enum {
    ITEM_SCALAR, /* nil, bool, number, str, bin, ext: a header and a payload */
    ITEM_ARRAY,  /* opens a container of count objects */
    ITEM_MAP,    /* opens a container of 2 x count objects */
} ItemKind;

static guint64
read_be (const guint8 *p, guint n)
{
    guint64 v = 0;
    for (guint i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

gboolean
dbn_codec_prevalidate (const guint8 *data, gsize len, gsize *consumed, GError **error)
{
    /* pending[d]: objects still to read in the container open at depth d.
     * Depth 0 is a pseudo-container holding the one root object. */
    guint64 pending[DBN_CODEC_MAX_DEPTH + 1];
    guint depth = 0;
    gsize pos = 0;

    g_return_val_if_fail (data != NULL || len == 0, FALSE);

    if (len > DBN_CODEC_MAX_FRAME) {
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                     "frame of %" G_GSIZE_FORMAT " bytes is over the limit of %d", len, DBN_CODEC_MAX_FRAME);
        return FALSE;
    }

    pending[0] = 1;
    for (;;) {
        while (pending[depth] == 0) {
            if (depth == 0) {
                if (consumed != NULL)
                    *consumed = pos;
                return TRUE;
            }
            depth--;
        }
        pending[depth]--;

        if (pos >= len) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                         "truncated: an object is missing after byte %" G_GSIZE_FORMAT, pos);
            return FALSE;
        }
        guint8 b = data[pos++];
        ItemKind kind = ITEM_SCALAR;
        guint header = 0;       /* bytes of the length or count after the type byte */
        guint64 fixed = 0;      /* count or payload length held in the type byte itself */
        guint64 extra = 0;      /* payload bytes beyond the declared length (ext type) */
        gboolean sized = FALSE; /* the header gives the payload length */

        if (b <= 0x7f || b >= 0xe0) {
            /* positive or negative fixint: the byte is the value */
        } else if (b <= 0x8f) {
            kind = ITEM_MAP;
            fixed = b & 0x0f;
        } else if (b <= 0x9f) {
            kind = ITEM_ARRAY;
            fixed = b & 0x0f;
        } else if (b <= 0xbf) {
            fixed = b & 0x1f; /* fixstr */
        } else {
            switch (b) {
            case 0xc0: /* nil */
            case 0xc2: /* false */
            case 0xc3: /* true */ break;
            case 0xc1:
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                             "reserved byte 0xc1 at byte %" G_GSIZE_FORMAT, pos - 1);
                return FALSE;
            case 0xc4:
            case 0xc5:
            case 0xc6: /* bin 8/16/32 */
                header = 1u << (b - 0xc4);
                sized = TRUE;
                break;
            case 0xc7:
            case 0xc8:
            case 0xc9: /* ext 8/16/32: length, type byte, data */
                header = 1u << (b - 0xc7);
                sized = TRUE;
                extra = 1;
                break;
            case 0xca: /* float 32 */ fixed = 4; break;
            case 0xcb: /* float 64 */ fixed = 8; break;
            case 0xcc:
            case 0xcd:
            case 0xce:
            case 0xcf: /* uint 8..64 */ fixed = 1u << (b - 0xcc); break;
            case 0xd0:
            case 0xd1:
            case 0xd2:
            case 0xd3: /* int 8..64 */ fixed = 1u << (b - 0xd0); break;
            case 0xd4:
            case 0xd5:
            case 0xd6:
            case 0xd7:
            case 0xd8: /* fixext 1..16 and type */ fixed = 1 + (1u << (b - 0xd4)); break;
            case 0xd9:
            case 0xda:
            case 0xdb: /* str 8/16/32 */
                header = 1u << (b - 0xd9);
                sized = TRUE;
                break;
            case 0xdc:
            case 0xdd: /* array 16/32 */
                kind = ITEM_ARRAY;
                header = 2u << (b - 0xdc);
                break;
            default: /* 0xde, 0xdf: map 16/32 */
                kind = ITEM_MAP;
                header = 2u << (b - 0xde);
                break;
            }
        }

        if (header > len - pos) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                         "truncated: the header at byte %" G_GSIZE_FORMAT " is cut off", pos - 1);
            return FALSE;
        }
        guint64 n = header > 0 ? read_be (data + pos, header) : fixed;
        pos += header;

        if (kind == ITEM_SCALAR) {
            guint64 payload = sized ? n + extra : n;
            if (payload > len - pos) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                             "byte %" G_GSIZE_FORMAT " declares %" G_GUINT64_FORMAT
                             " bytes but only %" G_GSIZE_FORMAT " remain",
                             pos - header - 1, payload, len - pos);
                return FALSE;
            }
            pos += payload;
            continue;
        }

        /* n < 2^32, so 2n cannot overflow. */
        guint64 elements = kind == ITEM_MAP ? 2 * n : n;
        if (elements > len - pos) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                         "byte %" G_GSIZE_FORMAT " declares %" G_GUINT64_FORMAT
                         " %s but only %" G_GSIZE_FORMAT " bytes remain",
                         pos - header - 1, n, kind == ITEM_MAP ? "map entries" : "array items", len - pos);
            return FALSE;
        }
        if (depth == DBN_CODEC_MAX_DEPTH) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED,
                         "nested deeper than %d at byte %" G_GSIZE_FORMAT, DBN_CODEC_MAX_DEPTH,
                         pos - header - 1);
            return FALSE;
        }
        pending[++depth] = elements;
    }
}

/* One msgpack zone per thread, cleared after each frame: msgpack_unpack_next
 * would malloc and free an 8 KiB zone for every frame, and a service decodes
 * every command twice (envelope, then message). */
static void
zone_free (gpointer zone)
{
    msgpack_zone_free (zone);
}

static GPrivate zone_key = G_PRIVATE_INIT (zone_free);

static msgpack_zone *
thread_zone (void)
{
    msgpack_zone *zone = g_private_get (&zone_key);
    if (zone == NULL) {
        zone = msgpack_zone_new (MSGPACK_ZONE_CHUNK_SIZE);
        g_assert (zone != NULL);
        g_private_set (&zone_key, zone);
    }
    return zone;
}

/* Gives back what the last unpack_frame() took from this thread's zone. */
static void
release_frame (void)
{
    msgpack_zone_clear (thread_zone ());
}

/* Unpacks the one object of a frame that passed dbn_codec_prevalidate()
 * into this thread's zone; *root is valid until release_frame(), which the
 * caller must call on success. Stores in *off the bytes used. */
static gboolean
unpack_frame (const guint8 *data, gsize len, msgpack_object *root, gsize *off, GError **error)
{
    size_t used = 0;

    msgpack_unpack_return rc = msgpack_unpack ((const char *) data, len, &used, thread_zone (), root);
    if (rc != MSGPACK_UNPACK_SUCCESS && rc != MSGPACK_UNPACK_EXTRA_BYTES) {
        /* Not reachable after a successful prevalidate; kept as a second line. */
        release_frame ();
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED, "msgpack-c refused the frame (%d)",
                     (int) rc);
        return FALSE;
    }
    *off = used;
    return TRUE;
}

/* ---------------------------------------------------------------- decoding */

static const char *
object_type_name (const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: return "nil";
    case MSGPACK_OBJECT_BOOLEAN: return "a bool";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "an integer";
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return "a float";
    case MSGPACK_OBJECT_STR: return "a string";
    case MSGPACK_OBJECT_ARRAY: return "an array";
    case MSGPACK_OBJECT_MAP: return "a map";
    case MSGPACK_OBJECT_BIN: return "binary";
    case MSGPACK_OBJECT_EXT: return "an ext";
    }
    return "unknown";
}

/* A wire string made safe for an error message: escaped and cut short. */
static char *
quote_wire (const char *ptr, gsize size)
{
    g_autofree char *cut = g_strndup (ptr, MIN (size, QUOTE_MAX));
    g_autofree char *escaped = g_strescape (cut, NULL);
    return g_strdup_printf ("'%s'%s", escaped, size > QUOTE_MAX ? "..." : "");
}

static gboolean
valid_text (const char *ptr, gsize size)
{
    /* g_utf8_validate_len() also refuses NUL bytes, which C strings cannot hold. */
    return size == 0 || g_utf8_validate_len (ptr, size, NULL);
}

static gboolean
object_is_int64 (const msgpack_object *o)
{
    return o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER
           || (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= G_MAXINT64);
}

static gboolean
str_equals (const msgpack_object_str *s, const char *text)
{
    gsize n = strlen (text);
    return s->size == n && (n == 0 || memcmp (s->ptr, text, n) == 0);
}

static char *
dup_text (const msgpack_object_str *s)
{
    return s->size == 0 ? g_strdup ("") : g_strndup (s->ptr, s->size);
}

static GBytes *
dup_bin (const msgpack_object_bin *b)
{
    return g_bytes_new (b->size == 0 ? NULL : b->ptr, b->size);
}

/* TRUE when the value in slot has the field's type, items included. */
static gboolean
check_type (const DbnCodecMessage *m, const DbnCodecField *f, const msgpack_object *o, GError **error)
{
    const char *want = NULL;

    switch (f->type) {
    case DBN_FIELD_INT:
        if (object_is_int64 (o))
            return TRUE;
        want = o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? "an integer that fits in int64" : "an integer";
        break;
    case DBN_FIELD_BOOL:
        if (o->type == MSGPACK_OBJECT_BOOLEAN)
            return TRUE;
        want = "a bool";
        break;
    case DBN_FIELD_STRING:
        if (o->type != MSGPACK_OBJECT_STR) {
            want = "a string";
            break;
        }
        if (valid_text (o->via.str.ptr, o->via.str.size))
            return TRUE;
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                     "%s: field '%s' is not valid UTF-8 or holds a NUL byte", m->name, f->key);
        return FALSE;
    case DBN_FIELD_BYTES:
        if (o->type == MSGPACK_OBJECT_BIN)
            return TRUE;
        want = "binary";
        break;
    case DBN_FIELD_STRINGS:
    case DBN_FIELD_BYTES_LIST:
        if (o->type != MSGPACK_OBJECT_ARRAY) {
            want = f->type == DBN_FIELD_STRINGS ? "an array of strings" : "an array of binary";
            break;
        }
        for (guint32 i = 0; i < o->via.array.size; i++) {
            const msgpack_object *item = &o->via.array.ptr[i];
            if (f->type == DBN_FIELD_BYTES_LIST) {
                if (item->type == MSGPACK_OBJECT_BIN)
                    continue;
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                             "%s: field '%s' item %u is %s, not binary", m->name, f->key, i,
                             object_type_name (item));
                return FALSE;
            }
            if (item->type != MSGPACK_OBJECT_STR) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                             "%s: field '%s' item %u is %s, not a string", m->name, f->key, i,
                             object_type_name (item));
                return FALSE;
            }
            if (!valid_text (item->via.str.ptr, item->via.str.size)) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                             "%s: field '%s' item %u is not valid UTF-8 or holds a NUL byte", m->name, f->key,
                             i);
                return FALSE;
            }
        }
        return TRUE;
    }
    g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, "%s: field '%s' is %s, not %s",
                 m->name, f->key, object_type_name (o), want);
    return FALSE;
}

/* TRUE when a value of the right type is within the field's limits. */
static gboolean
check_limit (const DbnCodecMessage *m, const DbnCodecField *f, const msgpack_object *o, GError **error)
{
    guint32 size;

    switch (f->type) {
    case DBN_FIELD_INT:
    case DBN_FIELD_BOOL: return TRUE;
    case DBN_FIELD_STRING:
    case DBN_FIELD_BYTES:
        size = f->type == DBN_FIELD_STRING ? o->via.str.size : o->via.bin.size;
        if (size <= f->max)
            return TRUE;
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                     "%s: field '%s' is %u bytes, over its limit of %u", m->name, f->key, size, f->max);
        return FALSE;
    case DBN_FIELD_STRINGS:
    case DBN_FIELD_BYTES_LIST:
        if (o->via.array.size > f->max) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                         "%s: field '%s' has %u items, over its limit of %u", m->name, f->key,
                         o->via.array.size, f->max);
            return FALSE;
        }
        for (guint32 i = 0; i < o->via.array.size; i++) {
            const msgpack_object *item = &o->via.array.ptr[i];
            size = f->type == DBN_FIELD_STRINGS ? item->via.str.size : item->via.bin.size;
            if (size > f->item_max) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                             "%s: field '%s' item %u is %u bytes, over its limit of %u", m->name, f->key, i,
                             size, f->item_max);
                return FALSE;
            }
        }
        return TRUE;
    }
    g_assert_not_reached ();
}

/* Copies a checked value into its member; the member is zero beforehand. */
static void
store_field (const DbnCodecField *f, const msgpack_object *o, gpointer out)
{
    if (f->optional && (f->type == DBN_FIELD_INT || f->type == DBN_FIELD_BOOL))
        G_STRUCT_MEMBER (gboolean, out, f->has_offset) = TRUE;

    switch (f->type) {
    case DBN_FIELD_INT:
        G_STRUCT_MEMBER (gint64, out, f->offset) =
            o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (gint64) o->via.u64 : o->via.i64;
        break;
    case DBN_FIELD_BOOL: G_STRUCT_MEMBER (gboolean, out, f->offset) = o->via.boolean ? TRUE : FALSE; break;
    case DBN_FIELD_STRING: G_STRUCT_MEMBER (char *, out, f->offset) = dup_text (&o->via.str); break;
    case DBN_FIELD_BYTES: G_STRUCT_MEMBER (GBytes *, out, f->offset) = dup_bin (&o->via.bin); break;
    case DBN_FIELD_STRINGS: {
        char **strv = g_new0 (char *, o->via.array.size + 1);
        for (guint32 i = 0; i < o->via.array.size; i++)
            strv[i] = dup_text (&o->via.array.ptr[i].via.str);
        G_STRUCT_MEMBER (char **, out, f->offset) = strv;
        break;
    }
    case DBN_FIELD_BYTES_LIST: {
        GPtrArray *list = g_ptr_array_new_full (o->via.array.size, (GDestroyNotify) g_bytes_unref);
        for (guint32 i = 0; i < o->via.array.size; i++)
            g_ptr_array_add (list, dup_bin (&o->via.array.ptr[i].via.bin));
        G_STRUCT_MEMBER (GPtrArray *, out, f->offset) = list;
        break;
    }
    }
}

/* The checks after the root type, in the documented order. slot[i] is the
 * value of fields[i] or NULL. */
static gboolean
check_fields (const DbnCodecMessage *m, const msgpack_object **slot, GError **error)
{
    for (gsize i = 0; i < m->n_fields; i++) {
        const DbnCodecField *f = &m->fields[i];
        const msgpack_object *o = slot[i];
        if (f->role != DBN_FIELD_ROLE_VERSION)
            continue;
        if (o == NULL) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD, "%s: field '%s' missing",
                         m->name, f->key);
            return FALSE;
        }
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER && o->type != MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                         "%s: field '%s' is %s, not an integer", m->name, f->key, object_type_name (o));
            return FALSE;
        }
        if (!object_is_int64 (o) || o->via.i64 != m->version) {
            g_autofree char *v = o->type == MSGPACK_OBJECT_POSITIVE_INTEGER
                                     ? g_strdup_printf ("%" G_GUINT64_FORMAT, o->via.u64)
                                     : g_strdup_printf ("%" G_GINT64_FORMAT, o->via.i64);
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_UNKNOWN_VERSION,
                         "%s: schema version %s is not the %" G_GINT64_FORMAT " this build speaks", m->name,
                         v, m->version);
            return FALSE;
        }
    }

    /* The wire name says which message this is; nothing else is worth
     * checking when it is the wrong one. */
    for (gsize i = 0; i < m->n_fields && m->wire != NULL; i++) {
        const DbnCodecField *f = &m->fields[i];
        const msgpack_object *o = slot[i];
        if (f->role != DBN_FIELD_ROLE_WIRE_NAME)
            continue;
        if (o == NULL) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD, "%s: field '%s' missing",
                         m->name, f->key);
            return FALSE;
        }
        if (o->type != MSGPACK_OBJECT_STR) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                         "%s: field '%s' is %s, not a string", m->name, f->key, object_type_name (o));
            return FALSE;
        }
        if (!str_equals (&o->via.str, m->wire)) {
            g_autofree char *got = quote_wire (o->via.str.ptr, o->via.str.size);
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_UNKNOWN_TYPE,
                         "%s: field '%s' is %s, not '%s'", m->name, f->key, got, m->wire);
            return FALSE;
        }
    }

    for (gsize i = 0; i < m->n_fields; i++) {
        if (slot[i] == NULL && !m->fields[i].optional) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD, "%s: field '%s' missing",
                         m->name, m->fields[i].key);
            return FALSE;
        }
    }
    for (gsize i = 0; i < m->n_fields; i++) {
        if (slot[i] != NULL && !check_type (m, &m->fields[i], slot[i], error))
            return FALSE;
    }
    for (gsize i = 0; i < m->n_fields; i++) {
        if (slot[i] != NULL && !check_limit (m, &m->fields[i], slot[i], error))
            return FALSE;
    }
    return TRUE;
}

gboolean
dbn_codec_decode_message (const DbnCodecMessage *m, const guint8 *data, gsize len, gpointer out,
                          GError **error)
{
    const msgpack_object *slot[DBN_CODEC_MAX_FIELDS] = { NULL };
    msgpack_object unpacked;
    gsize used = 0;
    gboolean ok = FALSE;

    g_return_val_if_fail (m != NULL && m->n_fields <= DBN_CODEC_MAX_FIELDS, FALSE);
    g_return_val_if_fail (data != NULL || len == 0, FALSE);
    g_return_val_if_fail (out != NULL, FALSE);

    if (!dbn_codec_prevalidate (data, len, NULL, error)) {
        g_prefix_error (error, "%s: ", m->name);
        return FALSE;
    }
    if (!unpack_frame (data, len, &unpacked, &used, error)) {
        g_prefix_error (error, "%s: ", m->name);
        return FALSE;
    }

    const msgpack_object *root = &unpacked;
    if (root->type != MSGPACK_OBJECT_MAP) {
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_ROOT_TYPE,
                     "%s: the frame is %s, not a map", m->name, object_type_name (root));
        goto out;
    }

    /* One pass over the map files every known key into its slot. Keys that
     * are not strings or not ours are skipped: a newer sender may add some. */
    for (guint32 k = 0; k < root->via.map.size; k++) {
        const msgpack_object_kv *kv = &root->via.map.ptr[k];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue;
        for (gsize i = 0; i < m->n_fields; i++) {
            if (!str_equals (&kv->key.via.str, m->fields[i].key))
                continue;
            if (slot[i] != NULL) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED, "%s: key '%s' appears twice",
                             m->name, m->fields[i].key);
                goto out;
            }
            slot[i] = &kv->val;
            break;
        }
    }

    if (!check_fields (m, slot, error))
        goto out;
    if (used != len) {
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TRAILING_BYTES,
                     "%s: %" G_GSIZE_FORMAT " bytes after the message", m->name, len - used);
        goto out;
    }

    /* Every check passed: copy out before the zone goes. */
    for (gsize i = 0; i < m->n_fields; i++) {
        if (slot[i] != NULL)
            store_field (&m->fields[i], slot[i], out);
    }
    ok = TRUE;

out:
    release_frame ();
    return ok;
}

/* ---------------------------------------------------------------- encoding */

typedef struct {
    msgpack_sbuffer buffer; /* grows to the largest frame encoded, up to ENCODER_KEEP_BYTES */
    msgpack_packer packer;  /* writes into buffer */
} Encoder;

static void
encoder_free (gpointer data)
{
    Encoder *encoder = data;
    msgpack_sbuffer_destroy (&encoder->buffer);
    g_free (encoder);
}

static GPrivate encoder_key = G_PRIVATE_INIT (encoder_free);

/* The calling thread's encoder, emptied. */
static Encoder *
encoder_get (void)
{
    Encoder *encoder = g_private_get (&encoder_key);
    if (encoder == NULL) {
        encoder = g_new0 (Encoder, 1);
        msgpack_sbuffer_init (&encoder->buffer);
        msgpack_packer_init (&encoder->packer, &encoder->buffer, msgpack_sbuffer_write);
        g_private_set (&encoder_key, encoder);
    }
    msgpack_sbuffer_clear (&encoder->buffer);
    return encoder;
}

/* Gives back memory after an unusually large frame. */
static void
encoder_trim (Encoder *encoder)
{
    if (encoder->buffer.alloc > ENCODER_KEEP_BYTES) {
        msgpack_sbuffer_destroy (&encoder->buffer);
        msgpack_sbuffer_init (&encoder->buffer);
    }
}

static gboolean
field_present (const DbnCodecField *f, gconstpointer in)
{
    switch (f->type) {
    case DBN_FIELD_INT:
    case DBN_FIELD_BOOL: return !f->optional || G_STRUCT_MEMBER (gboolean, in, f->has_offset);
    case DBN_FIELD_STRING:
    case DBN_FIELD_BYTES:
    case DBN_FIELD_STRINGS:
    case DBN_FIELD_BYTES_LIST:
        /* A NULL list is an empty one unless the field may be absent. */
        return G_STRUCT_MEMBER (gconstpointer, in, f->offset) != NULL
               || (!f->optional && (f->type == DBN_FIELD_STRINGS || f->type == DBN_FIELD_BYTES_LIST));
    }
    g_assert_not_reached ();
}

/* Checks one present value against the schema; adds its payload size to *total. */
static gboolean
validate_field (const DbnCodecMessage *m, const DbnCodecField *f, gconstpointer in, guint64 *total,
                GError **error)
{
    switch (f->type) {
    case DBN_FIELD_INT:
    case DBN_FIELD_BOOL: *total += 9; return TRUE;
    case DBN_FIELD_STRING: {
        const char *text = G_STRUCT_MEMBER (const char *, in, f->offset);
        gsize size = strlen (text);
        if (size > f->max) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                         "%s: field '%s' is %" G_GSIZE_FORMAT " bytes, over its limit of %u", m->name, f->key,
                         size, f->max);
            return FALSE;
        }
        if (!g_utf8_validate (text, size, NULL)) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                         "%s: field '%s' is not valid UTF-8", m->name, f->key);
            return FALSE;
        }
        *total += size + 5;
        return TRUE;
    }
    case DBN_FIELD_BYTES: {
        gsize size = g_bytes_get_size (G_STRUCT_MEMBER (GBytes *, in, f->offset));
        if (size > f->max) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                         "%s: field '%s' is %" G_GSIZE_FORMAT " bytes, over its limit of %u", m->name, f->key,
                         size, f->max);
            return FALSE;
        }
        *total += size + 5;
        return TRUE;
    }
    case DBN_FIELD_STRINGS: {
        char *const *strv = G_STRUCT_MEMBER (char *const *, in, f->offset);
        guint n = strv != NULL ? g_strv_length ((char **) strv) : 0;
        if (n > f->max) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                         "%s: field '%s' has %u items, over its limit of %u", m->name, f->key, n, f->max);
            return FALSE;
        }
        for (guint i = 0; i < n; i++) {
            gsize size = strlen (strv[i]);
            if (size > f->item_max) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                             "%s: field '%s' item %u is %" G_GSIZE_FORMAT " bytes, over its limit of %u",
                             m->name, f->key, i, size, f->item_max);
                return FALSE;
            }
            if (!g_utf8_validate (strv[i], size, NULL)) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                             "%s: field '%s' item %u is not valid UTF-8", m->name, f->key, i);
                return FALSE;
            }
            *total += size + 5;
        }
        *total += 5;
        return TRUE;
    }
    case DBN_FIELD_BYTES_LIST: {
        const GPtrArray *list = G_STRUCT_MEMBER (const GPtrArray *, in, f->offset);
        guint n = list != NULL ? list->len : 0;
        if (n > f->max) {
            g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                         "%s: field '%s' has %u items, over its limit of %u", m->name, f->key, n, f->max);
            return FALSE;
        }
        for (guint i = 0; i < n; i++) {
            GBytes *item = g_ptr_array_index (list, i);
            if (item == NULL) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                             "%s: field '%s' item %u is NULL", m->name, f->key, i);
                return FALSE;
            }
            gsize size = g_bytes_get_size (item);
            if (size > f->item_max) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                             "%s: field '%s' item %u is %" G_GSIZE_FORMAT " bytes, over its limit of %u",
                             m->name, f->key, i, size, f->item_max);
                return FALSE;
            }
            *total += size + 5;
        }
        *total += 5;
        return TRUE;
    }
    }
    g_assert_not_reached ();
}

static int
pack_text (msgpack_packer *pk, const char *text)
{
    gsize size = strlen (text);
    return msgpack_pack_str_with_body (pk, text, size);
}

static int
pack_bytes (msgpack_packer *pk, GBytes *bytes)
{
    gsize size = 0;
    gconstpointer data = g_bytes_get_data (bytes, &size);
    return msgpack_pack_bin_with_body (pk, data, size);
}

static int
pack_field (msgpack_packer *pk, const DbnCodecField *f, gconstpointer in)
{
    int rc = pack_text (pk, f->key);

    switch (f->type) {
    case DBN_FIELD_INT: rc |= msgpack_pack_int64 (pk, G_STRUCT_MEMBER (gint64, in, f->offset)); break;
    case DBN_FIELD_BOOL:
        rc |= G_STRUCT_MEMBER (gboolean, in, f->offset) ? msgpack_pack_true (pk) : msgpack_pack_false (pk);
        break;
    case DBN_FIELD_STRING: rc |= pack_text (pk, G_STRUCT_MEMBER (const char *, in, f->offset)); break;
    case DBN_FIELD_BYTES: rc |= pack_bytes (pk, G_STRUCT_MEMBER (GBytes *, in, f->offset)); break;
    case DBN_FIELD_STRINGS: {
        char *const *strv = G_STRUCT_MEMBER (char *const *, in, f->offset);
        guint n = strv != NULL ? g_strv_length ((char **) strv) : 0;
        rc |= msgpack_pack_array (pk, n);
        for (guint i = 0; i < n; i++)
            rc |= pack_text (pk, strv[i]);
        break;
    }
    case DBN_FIELD_BYTES_LIST: {
        const GPtrArray *list = G_STRUCT_MEMBER (const GPtrArray *, in, f->offset);
        guint n = list != NULL ? list->len : 0;
        rc |= msgpack_pack_array (pk, n);
        for (guint i = 0; i < n; i++)
            rc |= pack_bytes (pk, g_ptr_array_index (list, i));
        break;
    }
    }
    return rc;
}

GBytes *
dbn_codec_encode_message (const DbnCodecMessage *m, gconstpointer in, GError **error)
{
    gboolean present[DBN_CODEC_MAX_FIELDS];
    guint n_present = 0;
    guint64 total = 1;

    g_return_val_if_fail (m != NULL && m->n_fields <= DBN_CODEC_MAX_FIELDS, NULL);
    g_return_val_if_fail (in != NULL, NULL);

    /* Validate everything before packing anything. */
    for (gsize i = 0; i < m->n_fields; i++) {
        const DbnCodecField *f = &m->fields[i];
        present[i] = field_present (f, in);
        if (!present[i]) {
            if (!f->optional) {
                g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD, "%s: field '%s' missing",
                             m->name, f->key);
                return NULL;
            }
            continue;
        }
        if (!validate_field (m, f, in, &total, error))
            return NULL;
        total += strlen (f->key) + 1;
        n_present++;
    }
    /* A lower bound of the frame: refuse before packing 64 MiB of events. */
    if (total > DBN_CODEC_MAX_FRAME) {
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                     "%s: the frame would be over the limit of %d bytes", m->name, DBN_CODEC_MAX_FRAME);
        return NULL;
    }

    Encoder *encoder = encoder_get ();
    int rc = msgpack_pack_map (&encoder->packer, n_present);
    for (gsize i = 0; i < m->n_fields; i++) {
        if (present[i])
            rc |= pack_field (&encoder->packer, &m->fields[i], in);
    }
    if (rc != 0)
        g_error ("dbn_codec: out of memory while encoding %s", m->name);

    GBytes *frame = NULL;
    if (encoder->buffer.size > DBN_CODEC_MAX_FRAME) {
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE,
                     "%s: the frame is %" G_GSIZE_FORMAT " bytes, over the limit of %d", m->name,
                     encoder->buffer.size, DBN_CODEC_MAX_FRAME);
    } else {
        frame = g_bytes_new (encoder->buffer.data, encoder->buffer.size);
    }
    encoder_trim (encoder);
    return frame;
}

void
dbn_codec_clear_message (const DbnCodecMessage *m, gpointer self)
{
    g_return_if_fail (m != NULL && self != NULL);

    for (gsize i = 0; i < m->n_fields; i++) {
        const DbnCodecField *f = &m->fields[i];
        gpointer member = G_STRUCT_MEMBER_P (self, f->offset);
        switch (f->type) {
        case DBN_FIELD_INT: *(gint64 *) member = 0; break;
        case DBN_FIELD_BOOL: *(gboolean *) member = FALSE; break;
        case DBN_FIELD_STRING: g_clear_pointer ((char **) member, g_free); break;
        case DBN_FIELD_BYTES: g_clear_pointer ((GBytes **) member, g_bytes_unref); break;
        case DBN_FIELD_STRINGS: g_clear_pointer ((char ***) member, g_strfreev); break;
        case DBN_FIELD_BYTES_LIST: g_clear_pointer ((GPtrArray **) member, g_ptr_array_unref); break;
        }
        if (f->optional && (f->type == DBN_FIELD_INT || f->type == DBN_FIELD_BOOL))
            G_STRUCT_MEMBER (gboolean, self, f->has_offset) = FALSE;
    }
}

/* ---------------------------------------------------------------- JSON */

static void build_json (JsonBuilder *builder, const msgpack_object *o);

/* Text safe for JSON: invalid UTF-8 and NUL bytes become U+FFFD. */
static char *
json_text (const char *ptr, gsize size)
{
    return size == 0 ? g_strdup ("") : g_utf8_make_valid (ptr, size);
}

static char *
json_base64 (const char *ptr, gsize size)
{
    return g_base64_encode ((const guchar *) ptr, size);
}

/* A map key that is not a string, as the JSON text of the key. */
static char *
json_key (const msgpack_object *key)
{
    if (key->type == MSGPACK_OBJECT_STR)
        return json_text (key->via.str.ptr, key->via.str.size);

    g_autoptr (JsonBuilder) builder = json_builder_new ();
    json_builder_begin_array (builder);
    build_json (builder, key);
    json_builder_end_array (builder);
    g_autoptr (JsonNode) root = json_builder_get_root (builder);
    JsonNode *node = json_array_get_element (json_node_get_array (root), 0);
    if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
    return json_to_string (node, FALSE);
}

static void
build_json (JsonBuilder *builder, const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: json_builder_add_null_value (builder); break;
    case MSGPACK_OBJECT_BOOLEAN: json_builder_add_boolean_value (builder, o->via.boolean); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        /* JSON-GLib holds gint64; beyond it a double is the nearest number. */
        if (o->via.u64 <= G_MAXINT64)
            json_builder_add_int_value (builder, (gint64) o->via.u64);
        else
            json_builder_add_double_value (builder, (double) o->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: json_builder_add_int_value (builder, o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        /* JSON has no NaN or infinity. */
        if (isfinite (o->via.f64))
            json_builder_add_double_value (builder, o->via.f64);
        else
            json_builder_add_null_value (builder);
        break;
    case MSGPACK_OBJECT_STR: {
        g_autofree char *text = json_text (o->via.str.ptr, o->via.str.size);
        json_builder_add_string_value (builder, text);
        break;
    }
    case MSGPACK_OBJECT_BIN: {
        g_autofree char *text = json_base64 (o->via.bin.ptr, o->via.bin.size);
        json_builder_add_string_value (builder, text);
        break;
    }
    case MSGPACK_OBJECT_EXT: {
        g_autofree char *text = json_base64 (o->via.ext.ptr, o->via.ext.size);
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "ext");
        json_builder_add_int_value (builder, o->via.ext.type);
        json_builder_set_member_name (builder, "data");
        json_builder_add_string_value (builder, text);
        json_builder_end_object (builder);
        break;
    }
    case MSGPACK_OBJECT_ARRAY:
        json_builder_begin_array (builder);
        for (guint32 i = 0; i < o->via.array.size; i++)
            build_json (builder, &o->via.array.ptr[i]);
        json_builder_end_array (builder);
        break;
    case MSGPACK_OBJECT_MAP:
        json_builder_begin_object (builder);
        for (guint32 i = 0; i < o->via.map.size; i++) {
            g_autofree char *name = json_key (&o->via.map.ptr[i].key);
            json_builder_set_member_name (builder, name);
            build_json (builder, &o->via.map.ptr[i].val);
        }
        json_builder_end_object (builder);
        break;
    }
}

char *
dbn_codec_to_json (const guint8 *data, gsize len, GError **error)
{
    msgpack_object unpacked;
    gsize consumed = 0;
    gsize used = 0;

    g_return_val_if_fail (data != NULL || len == 0, NULL);

    if (!dbn_codec_prevalidate (data, len, &consumed, error))
        return NULL;
    if (consumed != len) {
        g_set_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TRAILING_BYTES,
                     "%" G_GSIZE_FORMAT " bytes after the message", len - consumed);
        return NULL;
    }
    if (!unpack_frame (data, len, &unpacked, &used, error))
        return NULL;

    /* JsonBuilder wants a container at the top: build [root] and take root. */
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    json_builder_begin_array (builder);
    build_json (builder, &unpacked);
    json_builder_end_array (builder);
    release_frame ();

    g_autoptr (JsonNode) wrapper = json_builder_get_root (builder);
    g_autoptr (JsonGenerator) generator = json_generator_new ();
    json_generator_set_root (generator, json_array_get_element (json_node_get_array (wrapper), 0));
    return json_generator_to_data (generator, NULL);
}

/* ---------------------------------------------------------------- masks */

/* Keeps head and tail characters and stars the ones between; a text too
 * short to hide anything between them is starred entirely. */
static char *
mask_middle (const char *text, glong head, glong tail)
{
    if (text == NULL)
        return NULL;

    g_autofree char *valid = g_utf8_make_valid (text, -1);
    glong n = g_utf8_strlen (valid, -1);
    GString *out = g_string_new (NULL);

    if (n <= head + tail) {
        for (glong i = 0; i < n; i++)
            g_string_append_c (out, '*');
        return g_string_free (out, FALSE);
    }
    const char *middle = g_utf8_offset_to_pointer (valid, head);
    const char *end = g_utf8_offset_to_pointer (middle, n - head - tail);
    g_string_append_len (out, valid, middle - valid);
    for (glong i = 0; i < n - head - tail; i++)
        g_string_append_c (out, '*');
    g_string_append (out, end);
    return g_string_free (out, FALSE);
}

char *
dbn_codec_mask_id_number (const char *id_number)
{
    return mask_middle (id_number, 6, 4);
}

char *
dbn_codec_mask_phone (const char *phone)
{
    return mask_middle (phone, 3, 4);
}

char *
dbn_codec_mask_address (const char *address)
{
    if (address == NULL)
        return NULL;

    g_autofree char *valid = g_utf8_make_valid (address, -1);
    glong n = g_utf8_strlen (valid, -1);
    if (n == 0)
        return g_strdup ("");
    if (n <= 6)
        return g_strdup ("***");
    const char *cut = g_utf8_offset_to_pointer (valid, 6);
    return g_strdup_printf ("%.*s***", (int) (cut - valid), valid);
}
