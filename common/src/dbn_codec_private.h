/* dbn_codec_private.h: the table-driven engine under the generated dbn_msg_*.c.
 *
 * schemas/gen/dbn_codegen.py writes, per message, a table of DbnCodecField
 * (wire key, type, limits, offset of the C member) and thin _new/_free/
 * _encode/_decode functions that hand the table to the three functions
 * below. The strict decoding rules therefore live in one place
 * (dbn_codec.c) and are tested once, not once per generated message.
 *
 * Private to libdaiban: only dbn_codec.c and generated code include it.
 */
#pragma once

#include "daiban/dbn_codec.h"

G_BEGIN_DECLS

/* Most fields one message may have (envelope included); the decoder keeps a
 * slot per field on the stack. dbn_codegen.py refuses bigger messages. */
#define DBN_CODEC_MAX_FIELDS 64

typedef enum {
    DBN_FIELD_INT,        /* gint64: any MessagePack integer that fits int64 */
    DBN_FIELD_BOOL,       /* gboolean */
    DBN_FIELD_STRING,     /* char *: str, valid UTF-8, no NUL, max bytes */
    DBN_FIELD_BYTES,      /* GBytes *: bin, max bytes */
    DBN_FIELD_STRINGS,    /* char ** (GStrv): array of str, max items of item_max bytes */
    DBN_FIELD_BYTES_LIST, /* GPtrArray * of GBytes *: array of bin, max items of item_max bytes */
} DbnFieldType;

typedef enum {
    DBN_FIELD_ROLE_BODY,      /* an ordinary field */
    DBN_FIELD_ROLE_VERSION,   /* "v": must be present, an integer, and equal DbnCodecMessage.version */
    DBN_FIELD_ROLE_WIRE_NAME, /* "type"/"cmd": must equal DbnCodecMessage.wire when that is set */
} DbnFieldRole;

typedef struct {
    const char *key;   /* map key on the wire */
    DbnFieldType type; /* wire and C type */
    DbnFieldRole role; /* checked before the other fields when not BODY */
    gboolean optional; /* may be absent; absent means NULL, or has_offset FALSE */
    guint32 max;       /* bytes (STRING, BYTES) or items (lists); unused otherwise */
    guint32 item_max;  /* bytes per item of a list */
    gsize offset;      /* of the C member in the struct */
    gsize has_offset;  /* of the gboolean has_<member>, for optional INT and BOOL only */
} DbnCodecField;

typedef struct {
    const char *name;            /* names the message in error messages: "case.accepted" */
    const char *wire;            /* the value the WIRE_NAME field must hold, or NULL */
    gint64 version;              /* the one "v" accepted */
    const DbnCodecField *fields; /* envelope fields first, in wire order */
    gsize n_fields;              /* at most DBN_CODEC_MAX_FIELDS */
} DbnCodecMessage;

/* Decodes one frame into the struct at out, which must be zeroed. Runs
 * dbn_codec_prevalidate() first, then checks root type, version, wire name,
 * required keys, types, limits and trailing bytes, in that order, and writes
 * to out only when every check passed. On failure returns FALSE with the
 * DBN_CODEC_ERROR of the first failed check and out untouched. */
gboolean dbn_codec_decode_message (const DbnCodecMessage *message, const guint8 *data, gsize len,
                                   gpointer out, GError **error);

/* Encodes the struct at in as one map, envelope first, optional fields that
 * are absent left out. Returns a new GBytes, or NULL with MISSING_FIELD (a
 * required string or bytes is NULL), WRONG_FIELD_TYPE (a string is not
 * UTF-8, a list item is NULL) or TOO_LARGE (over a limit or the frame). */
GBytes *dbn_codec_encode_message (const DbnCodecMessage *message, gconstpointer in, GError **error);

/* Frees every member of the struct at self and zeroes them; not self. */
void dbn_codec_clear_message (const DbnCodecMessage *message, gpointer self);

G_END_DECLS
