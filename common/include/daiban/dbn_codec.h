/* dbn_codec.h: the runtime under the generated message code.
 *
 * Only common/src/dbn_codec.c and the generated dbn_msg_*.c include <msgpack.h>.
 * Every decoder runs dbn_codec_prevalidate() before msgpack-c sees a byte,
 * because msgpack-c 4.0.0 allocates count x 16..32 bytes on reading an array
 * or map header (a 5-byte frame asks for 64 GiB) and answers CONTINUE, not an
 * error, on a truncated frame.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DBN_CODEC_ERROR (dbn_codec_error_quark ())
GQuark dbn_codec_error_quark (void);

/* The codes (DbnCodecError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

/* Largest frame any socket accepts (ZMQ_MAXMSGSIZE) and any decoder reads. */
#define DBN_CODEC_MAX_FRAME (4 * 1024 * 1024)
/* Deepest nesting the pre-check allows; our schemas use at most 3. */
#define DBN_CODEC_MAX_DEPTH 8

/* Walks one MessagePack object at the start of data without allocating.
 * Checks nesting depth, that every declared str/bin/ext length and every
 * array/map count fits in the bytes that remain. On success stores in
 * *consumed the length of that first object (it may be less than len: the
 * caller decides whether trailing bytes are an error). On failure returns
 * FALSE with DBN_CODEC_ERROR_MALFORMED or _TOO_LARGE. */
gboolean dbn_codec_prevalidate (const guint8 *data, gsize len, gsize *consumed, GError **error);

/* Renders a frame as JSON text for people and scripts (`daiban events --json`).
 * Returns a newly allocated string, or NULL with DBN_CODEC_ERROR set when the
 * frame does not pass dbn_codec_prevalidate() or has trailing bytes.
 * Binary fields print as base64 strings. */
char *dbn_codec_to_json (const guint8 *data, gsize len, GError **error);

/* Masks personal data for events that leave intake and routing: keeps the
 * first 6 and last 4 characters of an ID number (110105********1234), the
 * first 3 and last 4 of a phone number, and replaces an address by its first
 * 6 characters and "***". Returns a newly allocated string; NULL gives NULL.
 * They count characters, not bytes (UTF-8; invalid bytes become U+FFFD). A
 * text too short to keep both ends is starred entirely, an address of 6
 * characters or fewer becomes "***", and "" stays "". */
char *dbn_codec_mask_id_number (const char *id_number);
char *dbn_codec_mask_phone (const char *phone);
char *dbn_codec_mask_address (const char *address);

G_END_DECLS
