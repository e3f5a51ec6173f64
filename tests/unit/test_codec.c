/* test_codec.c: the message codec, generated code and runtime together.
 *
 * Frames under test are written by a small MessagePack writer below rather
 * than by the encoder under test, so a decoder bug cannot hide behind a
 * matching encoder bug. Every rejection the decoders promise has a test with
 * the exact error code; round trips cover every message in the registry.
 */
#include <string.h>
#include <utime.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "daiban/dbn_codec.h"
#include "dbn_msg.h"

/* ---------------------------------------------------------------- a MessagePack writer */

static void
put_be (GByteArray *b, guint64 v, guint n)
{
    for (guint i = n; i > 0; i--) {
        guint8 byte = (guint8) (v >> (8 * (i - 1)));
        g_byte_array_append (b, &byte, 1);
    }
}

static void
put_byte (GByteArray *b, guint8 byte)
{
    g_byte_array_append (b, &byte, 1);
}

static void
mp_header (GByteArray *b, guint32 n, guint8 fix, guint32 fix_max, guint8 op16)
{
    if (n <= fix_max) {
        put_byte (b, fix | (guint8) n);
    } else if (n <= G_MAXUINT16) {
        put_byte (b, op16);
        put_be (b, n, 2);
    } else {
        put_byte (b, op16 + 1);
        put_be (b, n, 4);
    }
}

static void
mp_map (GByteArray *b, guint32 n)
{
    mp_header (b, n, 0x80, 15, 0xde);
}

static void
mp_array (GByteArray *b, guint32 n)
{
    mp_header (b, n, 0x90, 15, 0xdc);
}

static void
mp_str_len (GByteArray *b, const char *s, gsize n)
{
    if (n <= 31) {
        put_byte (b, 0xa0 | (guint8) n);
    } else if (n <= G_MAXUINT8) {
        put_byte (b, 0xd9);
        put_be (b, n, 1);
    } else if (n <= G_MAXUINT16) {
        put_byte (b, 0xda);
        put_be (b, n, 2);
    } else {
        put_byte (b, 0xdb);
        put_be (b, n, 4);
    }
    g_byte_array_append (b, (const guint8 *) s, (guint) n);
}

static void
mp_str (GByteArray *b, const char *s)
{
    mp_str_len (b, s, strlen (s));
}

static void
mp_bin (GByteArray *b, const void *p, gsize n)
{
    if (n <= G_MAXUINT8) {
        put_byte (b, 0xc4);
        put_be (b, n, 1);
    } else if (n <= G_MAXUINT16) {
        put_byte (b, 0xc5);
        put_be (b, n, 2);
    } else {
        put_byte (b, 0xc6);
        put_be (b, n, 4);
    }
    g_byte_array_append (b, p, (guint) n);
}

static void
mp_int (GByteArray *b, gint64 v)
{
    if (v >= 0 && v <= 127) {
        put_byte (b, (guint8) v);
    } else {
        put_byte (b, 0xd3);
        put_be (b, (guint64) v, 8);
    }
}

static GBytes *
take_frame (GByteArray *b)
{
    return g_byte_array_free_to_bytes (b);
}

/* ---------------------------------------------------------------- frames from key/value lists */

typedef enum {
    V_INT,  /* i */
    V_U64,  /* u, written as uint 64 */
    V_STR,  /* s; len when it holds NUL bytes */
    V_BOOL, /* i */
    V_STRV, /* strv */
    V_BIN,  /* s, len */
    V_RAW,  /* s, len: already encoded */
    V_NIL,
} Kind;

typedef struct {
    const char *key; /* NULL ends a change list */
    Kind kind;       /* what the value is */
    gint64 i;
    guint64 u;
    const char *s;
    gsize len;
    const char *const *strv;
} Pair;

static const char *const materials[] = { "户口本", "身份证", NULL };

static const Pair case_accepted_pairs[] = {
    { "v", V_INT, .i = 1 },
    { "type", V_STR, .s = "case.accepted" },
    { "src", V_STR, .s = "intake" },
    { "seq", V_INT, .i = 42 },
    { "ts", V_INT, .i = G_GINT64_CONSTANT (1735689600000) },
    { "case", V_STR, .s = "HD-2025-000001" },
    { "actor", V_STR, .s = "station:hd01" },
    { "matter", V_STR, .s = "M001" },
    { "village", V_STR, .s = "东村" },
    { "applicant", V_STR, .s = "张三" },
    { "id_number", V_STR, .s = "110105********1234" },
    { "phone", V_STR, .s = "138****8000" },
    { "channel", V_STR, .s = "station" },
    { "materials", V_STRV, .strv = materials },
    { "state", V_STR, .s = "accepted" },
};

static const Pair intake_submit_pairs[] = {
    { "v", V_INT, .i = 1 },
    { "cmd", V_STR, .s = "intake.submit" },
    { "key", V_STR, .s = "k-0001" },
    { "actor", V_STR, .s = "station:hd01" },
    { "applicant", V_STR, .s = "张三" },
    { "id_number", V_STR, .s = "110105199001011234" },
    { "phone", V_STR, .s = "13800138000" },
    { "village", V_STR, .s = "东村" },
    { "matter", V_STR, .s = "M001" },
    { "materials", V_STRV, .strv = materials },
    { "consent", V_BOOL, .i = TRUE },
    { "note", V_STR, .s = "想办低保" },
};

static void
put_value (GByteArray *b, const Pair *p)
{
    switch (p->kind) {
    case V_INT: mp_int (b, p->i); break;
    case V_U64:
        put_byte (b, 0xcf);
        put_be (b, p->u, 8);
        break;
    case V_STR: mp_str_len (b, p->s, p->len ? p->len : strlen (p->s)); break;
    case V_BOOL: put_byte (b, p->i ? 0xc3 : 0xc2); break;
    case V_STRV:
        mp_array (b, g_strv_length ((char **) p->strv));
        for (guint i = 0; p->strv[i] != NULL; i++)
            mp_str (b, p->strv[i]);
        break;
    case V_BIN: mp_bin (b, p->s, p->len); break;
    case V_RAW: g_byte_array_append (b, (const guint8 *) p->s, (guint) p->len); break;
    case V_NIL: put_byte (b, 0xc0); break;
    }
}

/* The base pairs minus the key omit, with each pair of changes (ended by a
 * NULL key) replacing the base pair of the same key or appended. */
static GBytes *
frame_with (const Pair *base, gsize n, const char *omit, const Pair *changes)
{
    GByteArray *b = g_byte_array_new ();
    GPtrArray *pairs = g_ptr_array_new ();

    for (gsize i = 0; i < n; i++) {
        if (g_strcmp0 (base[i].key, omit) == 0)
            continue;
        const Pair *p = &base[i];
        for (const Pair *c = changes; c != NULL && c->key != NULL; c++) {
            if (strcmp (c->key, p->key) == 0)
                p = c;
        }
        g_ptr_array_add (pairs, (gpointer) p);
    }
    for (const Pair *c = changes; c != NULL && c->key != NULL; c++) {
        gboolean in_base = FALSE;
        for (gsize i = 0; i < n; i++)
            in_base |= strcmp (base[i].key, c->key) == 0;
        if (!in_base)
            g_ptr_array_add (pairs, (gpointer) c);
    }
    mp_map (b, pairs->len);
    for (guint i = 0; i < pairs->len; i++) {
        const Pair *p = g_ptr_array_index (pairs, i);
        mp_str (b, p->key);
        put_value (b, p);
    }
    g_ptr_array_unref (pairs);
    return take_frame (b);
}

#define CASE_ACCEPTED(omit, ...)                                                                             \
    frame_with (case_accepted_pairs, G_N_ELEMENTS (case_accepted_pairs), omit,                               \
                (const Pair[]){ __VA_ARGS__{ NULL } })
#define INTAKE_SUBMIT(omit, ...)                                                                             \
    frame_with (intake_submit_pairs, G_N_ELEMENTS (intake_submit_pairs), omit,                               \
                (const Pair[]){ __VA_ARGS__{ NULL } })

static GBytes *
append_bytes (GBytes *frame, const char *tail, gsize n)
{
    GByteArray *b = g_byte_array_new ();
    g_byte_array_append (b, g_bytes_get_data (frame, NULL), (guint) g_bytes_get_size (frame));
    g_byte_array_append (b, (const guint8 *) tail, (guint) n);
    return take_frame (b);
}

static DbnMsgCaseAccepted *
decode_case_accepted (GBytes *frame, GError **error)
{
    return dbn_msg_case_accepted_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), error);
}

static DbnMsgIntakeSubmit *
decode_intake_submit (GBytes *frame, GError **error)
{
    return dbn_msg_intake_submit_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), error);
}

/* Asserts that case_accepted refuses frame with code, and the message when given. */
static void
assert_case_accepted_refuses (GBytes *frame, int code, const char *message)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) msg = decode_case_accepted (frame, &error);
    g_assert_null (msg);
    g_assert_error (error, DBN_CODEC_ERROR, code);
    if (message != NULL)
        g_assert_cmpstr (error->message, ==, message);
}

static void
assert_intake_submit_refuses (GBytes *frame, int code, const char *message)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeSubmit) msg = decode_intake_submit (frame, &error);
    g_assert_null (msg);
    g_assert_error (error, DBN_CODEC_ERROR, code);
    if (message != NULL)
        g_assert_cmpstr (error->message, ==, message);
}

static char *
repeat (const char *unit, guint n)
{
    GString *s = g_string_new (NULL);
    for (guint i = 0; i < n; i++)
        g_string_append (s, unit);
    return g_string_free (s, FALSE);
}

/* ---------------------------------------------------------------- prevalidate */

static void
assert_prevalidate_refuses (const guint8 *data, gsize len, int code)
{
    g_autoptr (GError) error = NULL;
    gsize consumed = 12345;
    g_assert_false (dbn_codec_prevalidate (data, len, &consumed, &error));
    g_assert_error (error, DBN_CODEC_ERROR, code);
    g_assert_cmpuint (consumed, ==, 12345);
}

static void
test_prevalidate_accepts_valid (void)
{
    g_autoptr (GBytes) frame = CASE_ACCEPTED (NULL, );
    g_autoptr (GError) error = NULL;
    gsize consumed = 0;

    g_assert_true (
        dbn_codec_prevalidate (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &consumed, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (consumed, ==, g_bytes_get_size (frame));

    /* Every kind of scalar, including ext and both float widths. */
    static const guint8 scalars[] = {
        0xdc, 0x00, 20,                                                   /* array 16 of 20 items */
        0x00, 0x7f, 0xe0, 0xff, 0xc0, 0xc2, 0xc3,                         /* fixints, nil, bools */
        0xcc, 1,    0xcd, 0,    1,    0xd2, 0,    0,    0, 1,             /* uint 8, uint 16, int 32 */
        0xca, 0,    0,    0,    0,    0xcb, 0,    0,    0, 0, 0, 0, 0, 0, /* float 32, float 64 */
        0xd4, 1,    2,    0xc7, 2,    5,    1,    2,                      /* fixext 1, ext 8 */
        0xa1, 'x',  0xc4, 1,    9,    0x80, 0x90, 0xd9, 0,                /* fixstr, bin 8, {}, [], str 8 */
        0xd8, 1,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* fixext 16 */
    };
    g_assert_true (dbn_codec_prevalidate (scalars, sizeof scalars, &consumed, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (consumed, ==, sizeof scalars);
}

static void
test_prevalidate_reports_first_object (void)
{
    static const guint8 two[] = { 0x92, 0x01, 0x02, 0xc0, 0xc0 };
    gsize consumed = 0;

    g_assert_true (dbn_codec_prevalidate (two, sizeof two, &consumed, NULL));
    g_assert_cmpuint (consumed, ==, 3);
}

static void
test_prevalidate_rejects_huge_counts (void)
{
    /* 5 bytes each; msgpack-c 4.0.0 would try to allocate gigabytes. */
    static const guint8 frames[][5] = {
        { 0xdd, 0xff, 0xff, 0xff, 0xff }, { 0xdf, 0xff, 0xff, 0xff, 0xff }, { 0xdf, 0x08, 0x00, 0x00, 0x00 },
        { 0xdd, 0x04, 0x00, 0x00, 0x00 }, { 0xdb, 0x00, 0x00, 0x00, 0x01 }, /* str of 1 byte, none left */
        { 0xc6, 0xff, 0xff, 0xff, 0xff }, { 0xc9, 0x00, 0x00, 0x00, 0x00 }, /* ext 32 lacks its type byte */
    };
    for (gsize i = 0; i < G_N_ELEMENTS (frames); i++) {
        assert_prevalidate_refuses (frames[i], 5, DBN_CODEC_ERROR_MALFORMED);

        g_autoptr (GError) error = NULL;
        g_autoptr (DbnMsgCaseAccepted) msg = dbn_msg_case_accepted_decode (frames[i], 5, &error);
        g_assert_null (msg);
        g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED);
        g_assert_true (g_str_has_prefix (error->message, "case.accepted: "));
    }

    /* Refused at the header, before walking a single element. */
    g_autoptr (GError) error = NULL;
    g_assert_false (dbn_codec_prevalidate (frames[0], 5, NULL, &error));
    g_assert_cmpstr (error->message, ==, "byte 0 declares 4294967295 array items but only 0 bytes remain");

    /* A map needs two bytes per entry: 3 entries in 5 bytes is a lie. */
    static const guint8 short_map[] = { 0x83, 0xc0, 0xc0, 0xc0, 0xc0 };
    assert_prevalidate_refuses (short_map, sizeof short_map, DBN_CODEC_ERROR_MALFORMED);
}

static void
test_prevalidate_rejects_depth_bomb (void)
{
    guint8 nested[DBN_CODEC_MAX_DEPTH + 2];

    /* DBN_CODEC_MAX_DEPTH levels are fine, one more is not. */
    memset (nested, 0x91, sizeof nested);
    nested[DBN_CODEC_MAX_DEPTH] = 0xc0;
    g_assert_true (dbn_codec_prevalidate (nested, DBN_CODEC_MAX_DEPTH + 1, NULL, NULL));
    nested[DBN_CODEC_MAX_DEPTH] = 0x91;
    nested[DBN_CODEC_MAX_DEPTH + 1] = 0xc0;
    assert_prevalidate_refuses (nested, sizeof nested, DBN_CODEC_ERROR_MALFORMED);

    /* An empty container one level too deep counts as well. */
    nested[DBN_CODEC_MAX_DEPTH] = 0x90;
    assert_prevalidate_refuses (nested, DBN_CODEC_MAX_DEPTH + 1, DBN_CODEC_ERROR_MALFORMED);

    /* The classic bomb: 100 000 nested one-element arrays. */
    gsize n = 100000;
    g_autofree guint8 *bomb = g_malloc (n + 1);
    memset (bomb, 0x91, n);
    bomb[n] = 0xc0;
    assert_prevalidate_refuses (bomb, n + 1, DBN_CODEC_ERROR_MALFORMED);

    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) msg = dbn_msg_case_accepted_decode (bomb, n + 1, &error);
    g_assert_null (msg);
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED);
}

static void
test_prevalidate_rejects_reserved_byte (void)
{
    static const guint8 reserved[] = { 0xc1 };
    static const guint8 inside[] = { 0x92, 0x01, 0xc1 };

    assert_prevalidate_refuses (reserved, sizeof reserved, DBN_CODEC_ERROR_MALFORMED);
    assert_prevalidate_refuses (inside, sizeof inside, DBN_CODEC_ERROR_MALFORMED);
}

static void
test_prevalidate_rejects_oversize_frame (void)
{
    gsize len = DBN_CODEC_MAX_FRAME + 1;
    g_autofree guint8 *big = g_malloc0 (len);

    /* Refused by size alone, before a byte is read. */
    assert_prevalidate_refuses (big, len, DBN_CODEC_ERROR_TOO_LARGE);

    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) msg = dbn_msg_case_accepted_decode (big, len, &error);
    g_assert_null (msg);
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
}

static void
test_prevalidate_rejects_empty (void)
{
    assert_prevalidate_refuses (NULL, 0, DBN_CODEC_ERROR_MALFORMED);
}

/* ---------------------------------------------------------------- decode: the rejections */

static void
test_case_accepted_decodes (void)
{
    g_autoptr (GBytes) frame = CASE_ACCEPTED (NULL, );
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) msg = decode_case_accepted (frame, &error);

    g_assert_no_error (error);
    g_assert_nonnull (msg);
    g_assert_cmpint (msg->env.v, ==, DBN_SCHEMA_VERSION);
    g_assert_cmpstr (msg->env.type, ==, DBN_MSG_CASE_ACCEPTED_WIRE);
    g_assert_cmpstr (msg->env.src, ==, "intake");
    g_assert_cmpint (msg->env.seq, ==, 42);
    g_assert_cmpint (msg->env.ts, ==, G_GINT64_CONSTANT (1735689600000));
    g_assert_cmpstr (msg->env.case_no, ==, "HD-2025-000001");
    g_assert_cmpstr (msg->env.actor, ==, "station:hd01");
    g_assert_cmpstr (msg->matter, ==, "M001");
    g_assert_cmpstr (msg->village, ==, "东村");
    g_assert_cmpstr (msg->applicant, ==, "张三");
    g_assert_cmpstr (msg->id_number, ==, "110105********1234");
    g_assert_cmpstr (msg->phone, ==, "138****8000");
    g_assert_cmpstr (msg->channel, ==, "station");
    g_assert_cmpstrv (msg->materials, materials);
    g_assert_cmpstr (msg->state, ==, "accepted");
}

static void
test_case_accepted_rejects_wrong_root_type (void)
{
    static const guint8 array[] = { 0x91, 0x01 };
    static const guint8 string[] = { 0xa1, 'x' };
    static const guint8 nil[] = { 0xc0 };
    g_autoptr (GBytes) a = g_bytes_new_static (array, sizeof array);
    g_autoptr (GBytes) s = g_bytes_new_static (string, sizeof string);
    g_autoptr (GBytes) n = g_bytes_new_static (nil, sizeof nil);

    assert_case_accepted_refuses (a, DBN_CODEC_ERROR_WRONG_ROOT_TYPE,
                                  "case.accepted: the frame is an array, not a map");
    assert_case_accepted_refuses (s, DBN_CODEC_ERROR_WRONG_ROOT_TYPE, NULL);
    assert_intake_submit_refuses (n, DBN_CODEC_ERROR_WRONG_ROOT_TYPE, NULL);
}

static void
test_case_accepted_rejects_missing_field (void)
{
    g_autoptr (GBytes) no_matter = CASE_ACCEPTED ("matter", );
    g_autoptr (GBytes) no_actor = CASE_ACCEPTED ("actor", );
    g_autoptr (GBytes) no_materials = CASE_ACCEPTED ("materials", );
    g_autoptr (GBytes) no_v = CASE_ACCEPTED ("v", );
    g_autoptr (GBytes) no_type = CASE_ACCEPTED ("type", );

    assert_case_accepted_refuses (no_matter, DBN_CODEC_ERROR_MISSING_FIELD,
                                  "case.accepted: field 'matter' missing");
    assert_case_accepted_refuses (no_actor, DBN_CODEC_ERROR_MISSING_FIELD,
                                  "case.accepted: field 'actor' missing");
    assert_case_accepted_refuses (no_materials, DBN_CODEC_ERROR_MISSING_FIELD, NULL);
    assert_case_accepted_refuses (no_v, DBN_CODEC_ERROR_MISSING_FIELD, "case.accepted: field 'v' missing");
    assert_case_accepted_refuses (no_type, DBN_CODEC_ERROR_MISSING_FIELD,
                                  "case.accepted: field 'type' missing");
}

static void
test_intake_submit_rejects_missing_field (void)
{
    g_autoptr (GBytes) no_consent = INTAKE_SUBMIT ("consent", );
    g_autoptr (GBytes) no_key = INTAKE_SUBMIT ("key", );

    assert_intake_submit_refuses (no_consent, DBN_CODEC_ERROR_MISSING_FIELD,
                                  "intake.submit: field 'consent' missing");
    assert_intake_submit_refuses (no_key, DBN_CODEC_ERROR_MISSING_FIELD,
                                  "intake.submit: field 'key' missing");
}

static void
test_case_accepted_optional_absent (void)
{
    g_autoptr (GBytes) frame = CASE_ACCEPTED ("case", );
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) msg = decode_case_accepted (frame, &error);

    g_assert_no_error (error);
    g_assert_null (msg->env.case_no);
}

static void
test_case_accepted_rejects_wrong_field_type (void)
{
    g_autoptr (GBytes) matter_int = CASE_ACCEPTED (NULL, { "matter", V_INT, .i = 7 }, );
    g_autoptr (GBytes) matter_bin = CASE_ACCEPTED (NULL, { "matter", V_BIN, .s = "M001", .len = 4 }, );
    g_autoptr (GBytes) matter_nil = CASE_ACCEPTED (NULL, { "matter", V_NIL }, );
    g_autoptr (GBytes) seq_str = CASE_ACCEPTED (NULL, { "seq", V_STR, .s = "42" }, );
    g_autoptr (GBytes) seq_float =
        CASE_ACCEPTED (NULL, { "seq", V_RAW, .s = "\xcb\x40\x45\0\0\0\0\0\0", .len = 9 }, );
    g_autoptr (GBytes) seq_u64 =
        CASE_ACCEPTED (NULL, { "seq", V_U64, .u = G_GUINT64_CONSTANT (9223372036854775808) }, );
    g_autoptr (GBytes) materials_str = CASE_ACCEPTED (NULL, { "materials", V_STR, .s = "户口本" }, );
    g_autoptr (GBytes) materials_item =
        CASE_ACCEPTED (NULL, { "materials", V_RAW, .s = "\x92\xa1x\x05", .len = 4 }, );
    g_autoptr (GBytes) v_str = CASE_ACCEPTED (NULL, { "v", V_STR, .s = "1" }, );
    g_autoptr (GBytes) type_int = CASE_ACCEPTED (NULL, { "type", V_INT, .i = 1 }, );

    assert_case_accepted_refuses (matter_int, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                                  "case.accepted: field 'matter' is an integer, not a string");
    assert_case_accepted_refuses (matter_bin, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    /* nil is a value, not an absent key: an optional field is left out instead. */
    assert_case_accepted_refuses (matter_nil, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (seq_str, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (seq_float, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (
        seq_u64, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
        "case.accepted: field 'seq' is an integer, not an integer that fits in int64");
    assert_case_accepted_refuses (materials_str, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (materials_item, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                                  "case.accepted: field 'materials' item 1 is an integer, not a string");
    assert_case_accepted_refuses (v_str, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (type_int, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
}

static void
test_intake_submit_rejects_wrong_field_type (void)
{
    g_autoptr (GBytes) consent_str = INTAKE_SUBMIT (NULL, { "consent", V_STR, .s = "yes" }, );
    g_autoptr (GBytes) consent_int = INTAKE_SUBMIT (NULL, { "consent", V_INT, .i = 1 }, );
    g_autoptr (GBytes) channel_int = INTAKE_SUBMIT (NULL, { "channel", V_INT, .i = 1 }, );

    assert_intake_submit_refuses (consent_str, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                                  "intake.submit: field 'consent' is a string, not a bool");
    assert_intake_submit_refuses (consent_int, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    /* An optional field, when present, is checked like any other. */
    assert_intake_submit_refuses (channel_int, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
}

static void
test_case_accepted_int_range (void)
{
    g_autoptr (GBytes) max =
        CASE_ACCEPTED (NULL, { "seq", V_U64, .u = G_MAXINT64 }, { "ts", V_INT, .i = G_MININT64 }, );
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) msg = decode_case_accepted (max, &error);

    g_assert_no_error (error);
    g_assert_cmpint (msg->env.seq, ==, G_MAXINT64);
    g_assert_cmpint (msg->env.ts, ==, G_MININT64);
}

static void
test_case_accepted_rejects_invalid_utf8 (void)
{
    g_autoptr (GBytes) bad = CASE_ACCEPTED (NULL, { "applicant", V_STR, .s = "\xe5\xbc", .len = 2 }, );
    g_autoptr (GBytes) nul = CASE_ACCEPTED (NULL, { "applicant", V_STR, .s = "a\0b", .len = 3 }, );
    g_autoptr (GBytes) item = CASE_ACCEPTED (NULL, { "materials", V_RAW, .s = "\x91\xa1\xff", .len = 3 }, );
    g_autoptr (GBytes) overlong = CASE_ACCEPTED (NULL, { "matter", V_STR, .s = "\xc0\xaf", .len = 2 }, );

    assert_case_accepted_refuses (bad, DBN_CODEC_ERROR_WRONG_FIELD_TYPE,
                                  "case.accepted: field 'applicant' is not valid UTF-8 or holds a NUL byte");
    assert_case_accepted_refuses (nul, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (item, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (overlong, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
}

static void
test_case_accepted_rejects_unknown_version (void)
{
    g_autoptr (GBytes) v2 = CASE_ACCEPTED (NULL, { "v", V_INT, .i = 2 }, );
    g_autoptr (GBytes) v0 = CASE_ACCEPTED (NULL, { "v", V_INT, .i = 0 }, );
    g_autoptr (GBytes) vneg = CASE_ACCEPTED (NULL, { "v", V_INT, .i = -1 }, );
    g_autoptr (GBytes) vhuge = CASE_ACCEPTED (NULL, { "v", V_U64, .u = G_MAXUINT64 }, );

    assert_case_accepted_refuses (v2, DBN_CODEC_ERROR_UNKNOWN_VERSION,
                                  "case.accepted: schema version 2 is not the 1 this build speaks");
    assert_case_accepted_refuses (v0, DBN_CODEC_ERROR_UNKNOWN_VERSION, NULL);
    assert_case_accepted_refuses (vneg, DBN_CODEC_ERROR_UNKNOWN_VERSION, NULL);
    assert_case_accepted_refuses (vhuge, DBN_CODEC_ERROR_UNKNOWN_VERSION, NULL);
}

static void
test_intake_submit_rejects_unknown_version (void)
{
    g_autoptr (GBytes) v2 = INTAKE_SUBMIT (NULL, { "v", V_INT, .i = 2 }, );

    assert_intake_submit_refuses (v2, DBN_CODEC_ERROR_UNKNOWN_VERSION, NULL);
}

static void
test_case_accepted_rejects_unknown_type (void)
{
    g_autoptr (GBytes) refused = CASE_ACCEPTED (NULL, { "type", V_STR, .s = "case.refused" }, );
    g_autoptr (GBytes) submit = INTAKE_SUBMIT (NULL, { "cmd", V_STR, .s = "intake.case.get" }, );

    assert_case_accepted_refuses (refused, DBN_CODEC_ERROR_UNKNOWN_TYPE,
                                  "case.accepted: field 'type' is 'case.refused', not 'case.accepted'");
    assert_intake_submit_refuses (submit, DBN_CODEC_ERROR_UNKNOWN_TYPE, NULL);
}

static void
test_case_accepted_rejects_string_over_limit (void)
{
    g_autofree char *m32 = repeat ("m", 32);
    g_autofree char *m33 = repeat ("m", 33);
    g_autofree char *zh10 = repeat ("中", 10); /* 30 bytes */
    g_autofree char *zh11 = repeat ("中", 11); /* 33 bytes: the limit counts bytes */
    g_autofree char *actor129 = repeat ("a", 129);
    g_autoptr (GBytes) at_limit = CASE_ACCEPTED (NULL, { "matter", V_STR, .s = m32 }, );
    g_autoptr (GBytes) zh_fits = CASE_ACCEPTED (NULL, { "matter", V_STR, .s = zh10 }, );
    g_autoptr (GBytes) over = CASE_ACCEPTED (NULL, { "matter", V_STR, .s = m33 }, );
    g_autoptr (GBytes) zh_over = CASE_ACCEPTED (NULL, { "matter", V_STR, .s = zh11 }, );
    g_autoptr (GBytes) env_over = CASE_ACCEPTED (NULL, { "actor", V_STR, .s = actor129 }, );
    g_autoptr (DbnMsgCaseAccepted) ok1 = decode_case_accepted (at_limit, NULL);
    g_autoptr (DbnMsgCaseAccepted) ok2 = decode_case_accepted (zh_fits, NULL);

    g_assert_nonnull (ok1);
    g_assert_cmpstr (ok1->matter, ==, m32);
    g_assert_nonnull (ok2);
    assert_case_accepted_refuses (over, DBN_CODEC_ERROR_TOO_LARGE,
                                  "case.accepted: field 'matter' is 33 bytes, over its limit of 32");
    assert_case_accepted_refuses (zh_over, DBN_CODEC_ERROR_TOO_LARGE, NULL);
    assert_case_accepted_refuses (env_over, DBN_CODEC_ERROR_TOO_LARGE, NULL);
}

static void
test_intake_submit_rejects_string_over_limit (void)
{
    g_autofree char *id19 = repeat ("1", 19);
    g_autofree char *note1025 = repeat ("n", 1025);
    g_autoptr (GBytes) id = INTAKE_SUBMIT (NULL, { "id_number", V_STR, .s = id19 }, );
    g_autoptr (GBytes) note = INTAKE_SUBMIT (NULL, { "note", V_STR, .s = note1025 }, );

    assert_intake_submit_refuses (id, DBN_CODEC_ERROR_TOO_LARGE,
                                  "intake.submit: field 'id_number' is 19 bytes, over its limit of 18");
    assert_intake_submit_refuses (note, DBN_CODEC_ERROR_TOO_LARGE, NULL);
}

static GStrv
make_strv (guint n, guint item_len)
{
    char **strv = g_new0 (char *, n + 1);
    for (guint i = 0; i < n; i++)
        strv[i] = repeat ("x", item_len);
    return strv;
}

static void
test_case_accepted_rejects_array_over_limit (void)
{
    g_auto (GStrv) fits = make_strv (64, 128);
    g_auto (GStrv) too_many = make_strv (65, 1);
    g_auto (GStrv) item_too_long = make_strv (1, 129);
    g_autoptr (GBytes) at_limit =
        CASE_ACCEPTED (NULL, { "materials", V_STRV, .strv = (const char *const *) fits }, );
    g_autoptr (GBytes) many =
        CASE_ACCEPTED (NULL, { "materials", V_STRV, .strv = (const char *const *) too_many }, );
    g_autoptr (GBytes) long_item =
        CASE_ACCEPTED (NULL, { "materials", V_STRV, .strv = (const char *const *) item_too_long }, );
    g_autoptr (DbnMsgCaseAccepted) ok = decode_case_accepted (at_limit, NULL);

    g_assert_nonnull (ok);
    g_assert_cmpuint (g_strv_length (ok->materials), ==, 64);
    assert_case_accepted_refuses (many, DBN_CODEC_ERROR_TOO_LARGE,
                                  "case.accepted: field 'materials' has 65 items, over its limit of 64");
    assert_case_accepted_refuses (
        long_item, DBN_CODEC_ERROR_TOO_LARGE,
        "case.accepted: field 'materials' item 0 is 129 bytes, over its limit of 128");
}

static void
test_intake_submit_rejects_array_over_limit (void)
{
    g_auto (GStrv) too_many = make_strv (65, 1);
    g_autoptr (GBytes) many =
        INTAKE_SUBMIT (NULL, { "materials", V_STRV, .strv = (const char *const *) too_many }, );

    assert_intake_submit_refuses (many, DBN_CODEC_ERROR_TOO_LARGE, NULL);
}

static GBytes *
sync_reply_frame (guint n_events, gsize event_size)
{
    GByteArray *b = g_byte_array_new ();
    g_autofree guint8 *event = g_malloc0 (event_size + 1);

    mp_map (b, 8);
    mp_str (b, "v");
    mp_int (b, 1);
    mp_str (b, "ok");
    put_byte (b, 0xc3);
    mp_str (b, "code");
    mp_str (b, "ok");
    mp_str (b, "msg_zh");
    mp_str (b, "");
    mp_str (b, "msg_en");
    mp_str (b, "");
    mp_str (b, "events");
    mp_array (b, n_events);
    for (guint i = 0; i < n_events; i++)
        mp_bin (b, event, event_size);
    mp_str (b, "newest");
    mp_int (b, n_events);
    mp_str (b, "through");
    mp_int (b, n_events);
    return take_frame (b);
}

static void
test_sys_sync_reply_rejects_bytes_list_over_limit (void)
{
    g_autoptr (GBytes) fits = sync_reply_frame (2, 65536);
    g_autoptr (GBytes) many = sync_reply_frame (1001, 0);
    g_autoptr (GBytes) big = sync_reply_frame (1, 65537);
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgSysSyncReply) ok =
        dbn_msg_sys_sync_reply_decode (g_bytes_get_data (fits, NULL), g_bytes_get_size (fits), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ok->events->len, ==, 2);
    g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (ok->events, 1)), ==, 65536);

    g_autoptr (DbnMsgSysSyncReply) no1 =
        dbn_msg_sys_sync_reply_decode (g_bytes_get_data (many, NULL), g_bytes_get_size (many), &error);
    g_assert_null (no1);
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
    g_assert_cmpstr (error->message, ==,
                     "sys_sync_reply: field 'events' has 1001 items, over its limit of 1000");
    g_clear_error (&error);

    g_autoptr (DbnMsgSysSyncReply) no2 =
        dbn_msg_sys_sync_reply_decode (g_bytes_get_data (big, NULL), g_bytes_get_size (big), &error);
    g_assert_null (no2);
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
}

static void
test_case_accepted_rejects_trailing_bytes (void)
{
    g_autoptr (GBytes) frame = CASE_ACCEPTED (NULL, );
    g_autoptr (GBytes) one = append_bytes (frame, "\xc0", 1);
    g_autoptr (GBytes) two_maps = append_bytes (frame, "\x80", 1);
    g_autoptr (GBytes) junk = append_bytes (frame, "\xc1\xc1\xc1", 3);

    assert_case_accepted_refuses (one, DBN_CODEC_ERROR_TRAILING_BYTES,
                                  "case.accepted: 1 bytes after the message");
    assert_case_accepted_refuses (two_maps, DBN_CODEC_ERROR_TRAILING_BYTES, NULL);
    /* The prevalidator reads only the first object, so junk after it is trailing, not malformed. */
    assert_case_accepted_refuses (junk, DBN_CODEC_ERROR_TRAILING_BYTES, NULL);
}

static void
test_intake_submit_rejects_trailing_bytes (void)
{
    g_autoptr (GBytes) frame = INTAKE_SUBMIT (NULL, );
    g_autoptr (GBytes) trailing = append_bytes (frame, "\x00\x00", 2);

    assert_intake_submit_refuses (trailing, DBN_CODEC_ERROR_TRAILING_BYTES, NULL);
}

static void
assert_every_prefix_refused (const DbnMsgInfo *info, GBytes *frame)
{
    const guint8 *data = g_bytes_get_data (frame, NULL);
    gsize len = g_bytes_get_size (frame);

    g_assert_true (info->check (data, len, NULL));
    for (gsize n = 0; n < len; n++) {
        /* A copy of exactly n bytes, so ASan sees any read past the prefix. */
        g_autofree guint8 *prefix = g_memdup2 (data, n);
        g_autoptr (GError) error = NULL;
        g_assert_false (info->check (prefix, n, &error));
        g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED);
    }
}

static void
test_case_accepted_rejects_truncated (void)
{
    g_autoptr (GBytes) frame = CASE_ACCEPTED (NULL, );
    g_autoptr (GBytes) submit = INTAKE_SUBMIT (NULL, );

    assert_every_prefix_refused (dbn_msg_info_lookup ("case_accepted"), frame);
    assert_every_prefix_refused (dbn_msg_info_lookup ("env_event"), frame);
    assert_every_prefix_refused (dbn_msg_info_lookup ("intake_submit"), submit);
    assert_every_prefix_refused (dbn_msg_info_lookup ("env_command"), submit);
}

static void
test_case_accepted_rejects_duplicate_key (void)
{
    GByteArray *b = g_byte_array_new ();
    GByteArray *u = g_byte_array_new ();

    /* The valid map with "matter" once more at the end. */
    mp_map (b, G_N_ELEMENTS (case_accepted_pairs) + 1);
    for (gsize i = 0; i < G_N_ELEMENTS (case_accepted_pairs); i++) {
        mp_str (b, case_accepted_pairs[i].key);
        put_value (b, &case_accepted_pairs[i]);
    }
    mp_str (b, "matter");
    mp_str (b, "M002");
    g_autoptr (GBytes) dup = take_frame (b);
    assert_case_accepted_refuses (dup, DBN_CODEC_ERROR_MALFORMED,
                                  "case.accepted: key 'matter' appears twice");

    /* A repeated key the decoder does not know is none of its business. */
    mp_map (u, G_N_ELEMENTS (case_accepted_pairs) + 2);
    for (gsize i = 0; i < G_N_ELEMENTS (case_accepted_pairs); i++) {
        mp_str (u, case_accepted_pairs[i].key);
        put_value (u, &case_accepted_pairs[i]);
    }
    mp_str (u, "x-extra");
    mp_int (u, 1);
    mp_str (u, "x-extra");
    mp_int (u, 2);
    g_autoptr (GBytes) dup_unknown = take_frame (u);
    g_autoptr (DbnMsgCaseAccepted) msg = decode_case_accepted (dup_unknown, NULL);
    g_assert_nonnull (msg);
}

static void
test_case_accepted_ignores_unknown_keys (void)
{
    /* A newer sender may add keys of any type, non-string keys included,
     * and nest them as deep as the prevalidator allows. */
    g_autoptr (GBytes) frame =
        CASE_ACCEPTED (NULL, { "x-new", V_RAW, .s = "\x91\x91\x91\x91\x91\x91\x91\xc0", .len = 8 },
                       { "x-bin", V_BIN, .s = "\0\1", .len = 2 },
                       { "x-map", V_RAW, .s = "\x81\x01\xcb\x3f\xf8\0\0\0\0\0\0", .len = 11 }, );
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgCaseAccepted) msg = decode_case_accepted (frame, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (msg->matter, ==, "M001");

    /* One level deeper than the prevalidator allows is malformed, known key or not. */
    g_autoptr (GBytes) deep =
        CASE_ACCEPTED (NULL, { "x-new", V_RAW, .s = "\x91\x91\x91\x91\x91\x91\x91\x91\xc0", .len = 9 }, );
    assert_case_accepted_refuses (deep, DBN_CODEC_ERROR_MALFORMED, NULL);
}

/* The checks run in the documented order: each frame breaks two rules and
 * must be refused for the earlier one. */
static void
test_case_accepted_check_order (void)
{
    g_autofree char *m33 = repeat ("m", 33);
    g_autoptr (GBytes) version_before_missing = CASE_ACCEPTED ("matter", { "v", V_INT, .i = 9 }, );
    g_autoptr (GBytes) type_before_missing = CASE_ACCEPTED ("matter", { "type", V_STR, .s = "x" }, );
    g_autoptr (GBytes) version_before_type =
        CASE_ACCEPTED (NULL, { "v", V_INT, .i = 9 }, { "type", V_STR, .s = "x" }, );
    g_autoptr (GBytes) missing_before_type = CASE_ACCEPTED ("village", { "matter", V_INT, .i = 1 }, );
    g_autoptr (GBytes) type_before_limit =
        CASE_ACCEPTED (NULL, { "matter", V_STR, .s = m33 }, { "state", V_INT, .i = 1 }, );
    g_autoptr (GBytes) over = CASE_ACCEPTED (NULL, { "matter", V_STR, .s = m33 }, );
    g_autoptr (GBytes) limit_before_trailing = append_bytes (over, "\xc0", 1);
    g_autoptr (GBytes) missing = CASE_ACCEPTED ("matter", );
    g_autoptr (GBytes) missing_before_trailing = append_bytes (missing, "\xc0", 1);

    assert_case_accepted_refuses (version_before_missing, DBN_CODEC_ERROR_UNKNOWN_VERSION, NULL);
    assert_case_accepted_refuses (type_before_missing, DBN_CODEC_ERROR_UNKNOWN_TYPE, NULL);
    assert_case_accepted_refuses (version_before_type, DBN_CODEC_ERROR_UNKNOWN_VERSION, NULL);
    assert_case_accepted_refuses (missing_before_type, DBN_CODEC_ERROR_MISSING_FIELD, NULL);
    assert_case_accepted_refuses (type_before_limit, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    assert_case_accepted_refuses (limit_before_trailing, DBN_CODEC_ERROR_TOO_LARGE, NULL);
    assert_case_accepted_refuses (missing_before_trailing, DBN_CODEC_ERROR_MISSING_FIELD, NULL);
}

/* ---------------------------------------------------------------- round trips */

static void
fill_event (DbnEnvEvent *env, gboolean full)
{
    env->src = g_strdup ("intake");
    env->seq = 7;
    env->ts = G_GINT64_CONSTANT (1735689600123);
    env->case_no = full ? g_strdup ("HD-2025-000001") : NULL;
    env->actor = g_strdup ("service:intake");
}

static void
fill_command (DbnEnvCommand *env, gboolean full)
{
    env->key = g_strdup ("k-0001");
    env->actor = full ? g_strdup ("window:w1") : NULL;
}

static void
fill_reply (DbnEnvReply *env, gboolean full)
{
    if (full) {
        g_free (env->msg_zh);
        env->msg_zh = g_strdup ("已受理");
        g_free (env->msg_en);
        env->msg_en = g_strdup ("accepted");
    }
}

static GStrv
strv_of (gboolean full)
{
    return full ? g_strdupv ((char **) materials) : NULL;
}

static gpointer
make_case_accepted (gboolean full)
{
    DbnMsgCaseAccepted *m = dbn_msg_case_accepted_new ();
    fill_event (&m->env, full);
    m->matter = g_strdup ("M001");
    m->village = g_strdup ("东村");
    m->applicant = g_strdup ("张三");
    m->id_number = dbn_codec_mask_id_number ("110105199001011234");
    m->phone = dbn_codec_mask_phone ("13800138000");
    m->channel = g_strdup ("station");
    m->materials = strv_of (full);
    m->state = g_strdup ("accepted");
    m->previous_case = full ? g_strdup ("T01-2026-000001") : NULL;
    return m;
}

static gpointer
make_case_awaiting_materials (gboolean full)
{
    DbnMsgCaseAwaitingMaterials *m = dbn_msg_case_awaiting_materials_new ();
    fill_event (&m->env, full);
    m->matter = g_strdup ("M001");
    m->missing = strv_of (full);
    return m;
}

static gpointer
make_intake_submit (gboolean full)
{
    DbnMsgIntakeSubmit *m = dbn_msg_intake_submit_new ();
    fill_command (&m->env, full);
    m->applicant = g_strdup ("张三");
    m->id_number = g_strdup ("110105199001011234");
    m->phone = g_strdup ("13800138000");
    m->village = g_strdup ("东村");
    m->matter = g_strdup ("M001");
    m->materials = strv_of (full);
    m->consent = TRUE;
    if (full) {
        m->channel = g_strdup ("walk-in");
        m->address = g_strdup ("北京市海淀区中关村大街1号");
        m->note = g_strdup ("想办低保");
        m->visit = g_strdup ("T01-2026-V000001");
        m->previous_case = g_strdup ("T01-2026-000007");
        m->has_private_matter = TRUE;
        m->private_matter = FALSE;
    }
    return m;
}

static gpointer
make_intake_submit_reply (gboolean full)
{
    DbnMsgIntakeSubmitReply *m = dbn_msg_intake_submit_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("HD-2025-000001");
    m->state = g_strdup ("awaiting_materials");
    m->missing = strv_of (full);
    m->accepted_at = G_GINT64_CONSTANT (1735689600000);
    return m;
}

static gpointer
make_intake_case_get (gboolean full)
{
    DbnMsgIntakeCaseGet *m = dbn_msg_intake_case_get_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("HD-2025-000001");
    return m;
}

static gpointer
make_intake_case_get_reply (gboolean full)
{
    DbnMsgIntakeCaseGetReply *m = dbn_msg_intake_case_get_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("HD-2025-000001");
    m->matter = g_strdup ("M001");
    m->matter_name = g_strdup ("最低生活保障");
    m->applicant = g_strdup ("张三");
    m->id_number = g_strdup ("110105199001011234");
    m->phone = g_strdup ("13800138000");
    m->address = full ? g_strdup ("北京市海淀区中关村大街1号") : NULL;
    m->village = g_strdup ("东村");
    m->channel = g_strdup ("station");
    m->materials = strv_of (full);
    m->missing = strv_of (full);
    m->state = g_strdup ("accepted");
    m->accepted_at = -1;
    m->accepted_by = g_strdup ("station:hd01");
    m->note = full ? g_strdup ("") : NULL;
    return m;
}

static gpointer
make_sys_status (gboolean full)
{
    DbnMsgSysStatus *m = dbn_msg_sys_status_new ();
    fill_command (&m->env, full);
    return m;
}

/* An error reply is the envelope alone: ok false, a code and both sentences. */
static gpointer
make_sys_error_reply (gboolean full)
{
    DbnMsgSysErrorReply *m = dbn_msg_sys_error_reply_new ();
    fill_reply (&m->env, full);
    m->env.ok = FALSE;
    g_free (m->env.code);
    m->env.code = g_strdup ("intake.no-consent");
    g_free (m->env.msg_zh);
    m->env.msg_zh = g_strdup ("未经申办人本人同意委托，不能受理");
    g_free (m->env.msg_en);
    m->env.msg_en = g_strdup ("the applicant has not entrusted this request");
    return m;
}

static gpointer
make_sys_status_reply (gboolean full)
{
    DbnMsgSysStatusReply *m = dbn_msg_sys_status_reply_new ();
    fill_reply (&m->env, full);
    m->service = g_strdup ("intake");
    m->pid = 4242;
    m->started_at = G_GINT64_CONSTANT (1735689600000);
    m->uptime_ms = 1000;
    m->seq = G_MAXINT64;
    m->version = g_strdup ("0.1.0");
    return m;
}

static gpointer
make_sys_sync (gboolean full)
{
    DbnMsgSysSync *m = dbn_msg_sys_sync_new ();
    fill_command (&m->env, full);
    m->after = 41;
    m->has_max = full;
    m->max = full ? 0 : 99; /* 99 must not travel when has_max is FALSE */
    m->topic = full ? g_strdup ("q/jisheng/") : NULL;
    return m;
}

static gpointer
make_sys_sync_reply (gboolean full)
{
    DbnMsgSysSyncReply *m = dbn_msg_sys_sync_reply_new ();
    fill_reply (&m->env, full);
    if (full) {
        m->events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        g_ptr_array_add (m->events, g_bytes_new_static ("\x80", 1));
        g_ptr_array_add (m->events, g_bytes_new_static ("", 0));
    }
    m->newest = 43;
    m->through = 42;
    return m;
}

static gpointer
make_sys_heartbeat (gboolean full)
{
    DbnMsgSysHeartbeat *m = dbn_msg_sys_heartbeat_new ();
    fill_event (&m->env, full);
    return m;
}

/* ---- schemas/messages/routing.xml ---- */

static GPtrArray *
byte_list_of (gboolean full)
{
    GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    if (full) {
        g_ptr_array_add (list, g_bytes_new_static ("\x81\xa1v\x01", 4));
        g_ptr_array_add (list, g_bytes_new_static ("", 0));
    }
    return list;
}

static gpointer
make_case_classify (gboolean full)
{
    DbnMsgCaseClassify *m = dbn_msg_case_classify_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->kind = g_strdup ("joint");
    m->reason = g_strdup ("材料齐全，当场办结");
    if (full) {
        m->parts = strv_of (TRUE);
    }
    return m;
}

static gpointer
make_case_assign (gboolean full)
{
    DbnMsgCaseAssign *m = dbn_msg_case_assign_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    if (full) {
        m->window = g_strdup ("shebao");
        m->agent = g_strdup ("ts-zhao");
        m->reason = g_strdup ("材料齐全，当场办结");
    }
    return m;
}

static gpointer
make_case_handoff (gboolean full)
{
    DbnMsgCaseHandoff *m = dbn_msg_case_handoff_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->to = g_strdup ("county:renshe");
    m->reason = g_strdup ("材料齐全，当场办结");
    return m;
}

static gpointer
make_case_start (gboolean full)
{
    DbnMsgCaseStart *m = dbn_msg_case_start_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    return m;
}

static gpointer
make_case_complete (gboolean full)
{
    DbnMsgCaseComplete *m = dbn_msg_case_complete_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    if (full) {
        m->part = g_strdup ("县财政局");
        m->result = g_strdup ("已办结");
    }
    return m;
}

static gpointer
make_case_escalate (gboolean full)
{
    DbnMsgCaseEscalate *m = dbn_msg_case_escalate_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    if (full) {
        m->county = g_strdup ("renshe");
        m->reason = g_strdup ("材料齐全，当场办结");
    }
    return m;
}

static gpointer
make_case_county_answer (gboolean full)
{
    DbnMsgCaseCountyAnswer *m = dbn_msg_case_county_answer_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->answer = g_strdup ("同意");
    m->approved = TRUE;
    return m;
}

static gpointer
make_case_return (gboolean full)
{
    DbnMsgCaseReturn *m = dbn_msg_case_return_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->reason = g_strdup ("材料齐全，当场办结");
    m->apply_to = g_strdup ("县信访局");
    return m;
}

static gpointer
make_case_reply (gboolean full)
{
    DbnMsgCaseReply *m = dbn_msg_case_reply_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    if (full) {
        m->result = g_strdup ("已办结");
        m->reason = g_strdup ("材料齐全，当场办结");
        m->has_satisfied = TRUE;
        m->satisfied = FALSE;
        m->has_confirmed = TRUE;
        m->confirmed = FALSE;
        m->has_fee_charged = TRUE;
        m->fee_charged = 2000;
    }
    return m;
}

static gpointer
make_case_archive (gboolean full)
{
    DbnMsgCaseArchive *m = dbn_msg_case_archive_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    return m;
}

static gpointer
make_case_accompany (gboolean full)
{
    DbnMsgCaseAccompany *m = dbn_msg_case_accompany_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    if (full) {
        m->note = g_strdup ("代办员陪同到县医院鉴定");
    }
    return m;
}

static gpointer
make_routing_case_reply (gboolean full)
{
    DbnMsgRoutingCaseReply *m = dbn_msg_routing_case_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->location = g_strdup ("centre");
    m->seq = 3;
    return m;
}

static gpointer
make_routing_case_get (gboolean full)
{
    DbnMsgRoutingCaseGet *m = dbn_msg_routing_case_get_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    return m;
}

static gpointer
make_routing_case_get_reply (gboolean full)
{
    DbnMsgRoutingCaseGetReply *m = dbn_msg_routing_case_get_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->matter = g_strdup ("SB-ZHENGDI");
    m->matter_name = g_strdup ("征地农转非人员参加社会保险");
    m->level = g_strdup ("county");
    m->kind = g_strdup ("joint");
    m->state = g_strdup ("in_progress");
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->village = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->channel = g_strdup ("station");
    m->applicant = g_strdup ("张三");
    m->responsible = g_strdup ("station:qingshui");
    m->holder = g_strdup ("agent:ts-zhao");
    m->location = g_strdup ("centre");
    m->accepted_at = 3;
    m->accompanied = TRUE;
    m->parts = strv_of (full);
    m->parts_done = strv_of (full);
    m->missing = strv_of (full);
    m->timeline = byte_list_of (full);
    m->seq = 3;
    if (full) {
        m->sheet = g_strdup ("RS-20261129-qingshui-1");
        m->county = g_strdup ("renshe");
        m->outcome = g_strdup ("done");
        m->has_restricted = TRUE;
        m->restricted = TRUE;
    }
    return m;
}

static gpointer
make_routing_queue (gboolean full)
{
    DbnMsgRoutingQueue *m = dbn_msg_routing_queue_new ();
    fill_command (&m->env, full);
    m->kind = g_strdup ("joint");
    m->id = g_strdup ("shebao");
    if (full) {
        m->after = g_strdup ("T01-2026-000100");
        m->has_limit = TRUE;
        m->limit = 100;
    }
    return m;
}

static gpointer
make_routing_queue_reply (gboolean full)
{
    DbnMsgRoutingQueueReply *m = dbn_msg_routing_queue_reply_new ();
    fill_reply (&m->env, full);
    m->kind = g_strdup ("joint");
    m->id = g_strdup ("shebao");
    m->seq = 3;
    m->items = byte_list_of (full);
    m->truncated = TRUE;
    m->next = full ? g_strdup ("T01-2026-002000") : NULL;
    return m;
}

static gpointer
make_routing_queue_item (gboolean full)
{
    DbnMsgRoutingQueueItem *m = dbn_msg_routing_queue_item_new ();
    m->case_no = g_strdup ("T01-2026-000001");
    m->matter = g_strdup ("SB-ZHENGDI");
    m->matter_name = g_strdup ("征地农转非人员参加社会保险");
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->updated = 3;
    m->updated_seq = 3;
    if (full) {
        m->sheet = g_strdup ("RS-20261129-qingshui-1");
        m->has_due = TRUE;
        m->due = G_GINT64_CONSTANT (1735689600000);
    }
    return m;
}

static gpointer
make_runsheet_new (gboolean full)
{
    DbnMsgRunsheetNew *m = dbn_msg_runsheet_new_new ();
    fill_command (&m->env, full);
    m->station = g_strdup ("qingshui");
    if (full) {
        m->date = g_strdup ("2026-11-29");
    }
    return m;
}

static gpointer
make_runsheet_new_reply (gboolean full)
{
    DbnMsgRunsheetNewReply *m = dbn_msg_runsheet_new_reply_new ();
    fill_reply (&m->env, full);
    m->sheet = g_strdup ("RS-20261129-qingshui-1");
    m->station = g_strdup ("qingshui");
    m->date = g_strdup ("2026-11-29");
    m->cases = strv_of (full);
    return m;
}

static gpointer
make_runsheet_ack (gboolean full)
{
    DbnMsgRunsheetAck *m = dbn_msg_runsheet_ack_new ();
    fill_command (&m->env, full);
    m->sheet = g_strdup ("RS-20261129-qingshui-1");
    m->case_no = g_strdup ("T01-2026-000001");
    return m;
}

static gpointer
make_runsheet_ack_reply (gboolean full)
{
    DbnMsgRunsheetAckReply *m = dbn_msg_runsheet_ack_reply_new ();
    fill_reply (&m->env, full);
    m->sheet = g_strdup ("RS-20261129-qingshui-1");
    m->case_no = g_strdup ("T01-2026-000001");
    m->remaining = 3;
    m->seq = 3;
    return m;
}

static gpointer
make_case_routed (gboolean full)
{
    DbnMsgCaseRouted *m = dbn_msg_case_routed_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->matter = g_strdup ("SB-ZHENGDI");
    m->level = g_strdup ("county");
    m->departments = strv_of (full);
    m->village = g_strdup ("qingshui");
    m->channel = g_strdup ("station");
    return m;
}

static gpointer
make_case_classified (gboolean full)
{
    DbnMsgCaseClassified *m = dbn_msg_case_classified_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->previous = g_strdup ("escalated");
    m->reason = g_strdup ("材料齐全，当场办结");
    m->parts = strv_of (full);
    return m;
}

static gpointer
make_case_assigned (gboolean full)
{
    DbnMsgCaseAssigned *m = dbn_msg_case_assigned_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->from = g_strdup ("window:shebao");
    m->to = g_strdup ("county:renshe");
    if (full) {
        m->reason = g_strdup ("材料齐全，当场办结");
    }
    return m;
}

static gpointer
make_case_handed_off (gboolean full)
{
    DbnMsgCaseHandedOff *m = dbn_msg_case_handed_off_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->from = g_strdup ("window:shebao");
    m->to = g_strdup ("county:renshe");
    m->reason = g_strdup ("材料齐全，当场办结");
    return m;
}

static gpointer
make_case_started (gboolean full)
{
    DbnMsgCaseStarted *m = dbn_msg_case_started_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    return m;
}

static gpointer
make_case_part_completed (gboolean full)
{
    DbnMsgCasePartCompleted *m = dbn_msg_case_part_completed_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->part = g_strdup ("县财政局");
    m->parts_done = 3;
    m->parts_total = 3;
    if (full) {
        m->result = g_strdup ("已办结");
    }
    return m;
}

static gpointer
make_case_completed (gboolean full)
{
    DbnMsgCaseCompleted *m = dbn_msg_case_completed_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    if (full) {
        m->result = g_strdup ("已办结");
    }
    return m;
}

static gpointer
make_case_escalated (gboolean full)
{
    DbnMsgCaseEscalated *m = dbn_msg_case_escalated_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->county = g_strdup ("renshe");
    m->from = g_strdup ("window:shebao");
    if (full) {
        m->reason = g_strdup ("材料齐全，当场办结");
    }
    return m;
}

static gpointer
make_case_county_answered (gboolean full)
{
    DbnMsgCaseCountyAnswered *m = dbn_msg_case_county_answered_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->county = g_strdup ("renshe");
    m->answer = g_strdup ("同意");
    m->approved = TRUE;
    return m;
}

static gpointer
make_case_returned (gboolean full)
{
    DbnMsgCaseReturned *m = dbn_msg_case_returned_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->reason = g_strdup ("材料齐全，当场办结");
    m->apply_to = g_strdup ("县信访局");
    return m;
}

static gpointer
make_case_replied (gboolean full)
{
    DbnMsgCaseReplied *m = dbn_msg_case_replied_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->outcome = g_strdup ("done");
    m->text = g_strdup ("已办结，群众满意");
    if (full) {
        m->has_satisfied = TRUE;
        m->satisfied = FALSE;
        m->has_confirmed = TRUE;
        m->confirmed = FALSE;
        m->has_fee_charged = TRUE;
        m->fee_charged = 2550;
    }
    return m;
}

static gpointer
make_case_archived (gboolean full)
{
    DbnMsgCaseArchived *m = dbn_msg_case_archived_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    return m;
}

static gpointer
make_case_accompanied (gboolean full)
{
    DbnMsgCaseAccompanied *m = dbn_msg_case_accompanied_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    if (full) {
        m->note = g_strdup ("代办员陪同到县医院鉴定");
    }
    return m;
}

static gpointer
make_runsheet_created (gboolean full)
{
    DbnMsgRunsheetCreated *m = dbn_msg_runsheet_created_new ();
    fill_event (&m->env, full);
    m->sheet = g_strdup ("RS-20261129-qingshui-1");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->date = g_strdup ("2026-11-29");
    m->cases = strv_of (full);
    m->windows = strv_of (full);
    return m;
}

static gpointer
make_runsheet_acknowledged (gboolean full)
{
    DbnMsgRunsheetAcknowledged *m = dbn_msg_runsheet_acknowledged_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("shebao");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("in_progress");
    m->kind = g_strdup ("joint");
    m->holder = g_strdup ("agent:ts-zhao");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("centre");
    m->sheet = g_strdup ("RS-20261129-qingshui-1");
    m->remaining = 3;
    return m;
}

/* Issue 4's intake remainder (D-INT-1, -4, -5, D-CAT-3). */
static gpointer
make_intake_supplement (gboolean full)
{
    DbnMsgIntakeSupplement *m = dbn_msg_intake_supplement_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->materials = strv_of (full);
    return m;
}

static gpointer
make_intake_supplement_reply (gboolean full)
{
    DbnMsgIntakeSupplementReply *m = dbn_msg_intake_supplement_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->state = g_strdup ("awaiting_materials");
    m->missing = strv_of (full);
    return m;
}

static gpointer
make_case_materials_supplemented (gboolean full)
{
    DbnMsgCaseMaterialsSupplemented *m = dbn_msg_case_materials_supplemented_new ();
    fill_event (&m->env, full);
    m->matter = g_strdup ("JS-ZHUNSHENG");
    m->materials = strv_of (full);
    return m;
}

static gpointer
make_intake_refuse (gboolean full)
{
    DbnMsgIntakeRefuse *m = dbn_msg_intake_refuse_new ();
    fill_command (&m->env, full);
    m->applicant = g_strdup ("李四");
    m->village = g_strdup ("qingshui");
    m->request = g_strdup ("代办民间借贷诉讼");
    m->reason = g_strdup ("不属于代办范围");
    m->apply_to = g_strdup ("县人民法院");
    if (full) {
        m->matter = g_strdup ("TJ-FALV");
        m->channel = g_strdup ("phone");
    }
    return m;
}

static gpointer
make_intake_refuse_reply (gboolean full)
{
    DbnMsgIntakeRefuseReply *m = dbn_msg_intake_refuse_reply_new ();
    fill_reply (&m->env, full);
    m->refusal = g_strdup ("T01-2026-R000001");
    m->refused_at = 1764000000000;
    return m;
}

static gpointer
make_case_refused (gboolean full)
{
    DbnMsgCaseRefused *m = dbn_msg_case_refused_new ();
    fill_event (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->applicant = g_strdup ("李四");
    m->matter = full ? g_strdup ("TJ-FALV") : NULL;
    m->request = g_strdup ("代办民间借贷诉讼");
    m->reason = g_strdup ("不属于代办范围");
    m->apply_to = g_strdup ("县人民法院");
    m->channel = g_strdup ("station");
    return m;
}

static gpointer
make_intake_visit (gboolean full)
{
    DbnMsgIntakeVisit *m = dbn_msg_intake_visit_new ();
    fill_command (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->household = g_strdup ("赵大爷");
    m->needs = strv_of (full);
    if (full) {
        m->address = g_strdup ("清水村三组12号");
        m->must_visit = g_strdup ("hardship");
        m->note = g_strdup ("独居");
    }
    return m;
}

static gpointer
make_intake_visit_reply (gboolean full)
{
    DbnMsgIntakeVisitReply *m = dbn_msg_intake_visit_reply_new ();
    fill_reply (&m->env, full);
    m->visit = g_strdup ("T01-2026-V000001");
    m->visited_at = 1764000000000;
    return m;
}

static gpointer
make_visit_recorded (gboolean full)
{
    DbnMsgVisitRecorded *m = dbn_msg_visit_recorded_new ();
    fill_event (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->household = g_strdup ("赵大爷");
    m->needs = strv_of (full);
    m->must_visit = full ? g_strdup ("petitioner") : NULL;
    return m;
}

static gpointer
make_intake_logbook (gboolean full)
{
    DbnMsgIntakeLogbook *m = dbn_msg_intake_logbook_new ();
    fill_command (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->has_from_ms = full;
    m->from_ms = full ? 1764000000000 : 0;
    m->has_to_ms = full;
    m->to_ms = full ? 1764086400000 : 0;
    m->after = full ? g_strdup ("T01-2026-000042") : NULL;
    return m;
}

static gpointer
make_intake_logbook_reply (gboolean full)
{
    DbnMsgIntakeLogbookReply *m = dbn_msg_intake_logbook_reply_new ();
    fill_reply (&m->env, full);
    m->entries = byte_list_of (full);
    m->truncated = full;
    return m;
}

static gpointer
make_intake_logbook_entry (gboolean full)
{
    DbnMsgIntakeLogbookEntry *m = dbn_msg_intake_logbook_entry_new ();
    m->number = g_strdup ("T01-2026-000001");
    m->entry = g_strdup ("accepted");
    m->at = 1764000000000;
    m->applicant = g_strdup ("张三");
    m->channel = g_strdup ("station");
    m->by = g_strdup ("station:qingshui");
    if (full) {
        m->id_number = g_strdup ("110105********1234");
        m->matter = g_strdup ("JS-ZHUNSHENG");
        m->detail = g_strdup ("缺：结婚证");
    }
    return m;
}

static gpointer
make_intake_visit_list (gboolean full)
{
    DbnMsgIntakeVisitList *m = dbn_msg_intake_visit_list_new ();
    fill_command (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->has_max = full;
    m->max = full ? 20 : 0;
    return m;
}

static gpointer
make_intake_visit_list_reply (gboolean full)
{
    DbnMsgIntakeVisitListReply *m = dbn_msg_intake_visit_list_reply_new ();
    fill_reply (&m->env, full);
    m->visits = byte_list_of (full);
    return m;
}

static gpointer
make_intake_visit_item (gboolean full)
{
    DbnMsgIntakeVisitItem *m = dbn_msg_intake_visit_item_new ();
    m->visit = g_strdup ("T01-2026-V000001");
    m->village = g_strdup ("qingshui");
    m->household = g_strdup ("赵大爷");
    m->needs = strv_of (full);
    m->visited_at = 1764000000000;
    m->visited_by = g_strdup ("station:qingshui");
    m->cases = strv_of (full);
    if (full) {
        m->address = g_strdup ("清水村三组12号");
        m->must_visit = g_strdup ("party_member");
        m->note = g_strdup ("老党员");
    }
    return m;
}

static gpointer
make_intake_must_add (gboolean full)
{
    DbnMsgIntakeMustAdd *m = dbn_msg_intake_must_add_new ();
    fill_command (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->household = g_strdup ("赵大爷");
    m->kind = g_strdup ("hardship");
    m->has_interval_days = full;
    m->interval_days = full ? 14 : 0;
    if (full) {
        m->address = g_strdup ("清水村三组12号");
        m->note = g_strdup ("独居老人");
    }
    return m;
}

static gpointer
make_intake_must_add_reply (gboolean full)
{
    DbnMsgIntakeMustAddReply *m = dbn_msg_intake_must_add_reply_new ();
    fill_reply (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->household = g_strdup ("赵大爷");
    m->interval_days = 30;
    m->added = full;
    return m;
}

static gpointer
make_intake_must_list (gboolean full)
{
    DbnMsgIntakeMustList *m = dbn_msg_intake_must_list_new ();
    fill_command (&m->env, full);
    m->village = g_strdup ("qingshui");
    m->has_due = full;
    m->due = full;
    return m;
}

static gpointer
make_intake_must_list_reply (gboolean full)
{
    DbnMsgIntakeMustListReply *m = dbn_msg_intake_must_list_reply_new ();
    fill_reply (&m->env, full);
    m->items = byte_list_of (full);
    m->at = 1764000000000;
    return m;
}

static gpointer
make_intake_must_item (gboolean full)
{
    DbnMsgIntakeMustItem *m = dbn_msg_intake_must_item_new ();
    m->village = g_strdup ("qingshui");
    m->household = g_strdup ("赵大爷");
    m->kind = g_strdup ("petitioner");
    m->interval_days = 10;
    m->added_at = 1764000000000;
    m->due_at = 1764864000000;
    m->state = g_strdup ("due");
    if (full) {
        m->address = g_strdup ("清水村三组12号");
        m->note = g_strdup ("多次上访");
        m->last_visit = g_strdup ("T01-2026-V000001");
        m->has_last_visited_at = TRUE;
        m->last_visited_at = 1764000000000;
    }
    return m;
}

/* Issue 16 item 2: group agents' handovers (handover.xml). */
static gpointer
make_intake_handover (gboolean full)
{
    DbnMsgIntakeHandover *m = dbn_msg_intake_handover_new ();
    fill_command (&m->env, full);
    m->applicant = g_strdup ("周八");
    m->id_number = g_strdup ("11010519491231002X");
    m->phone = g_strdup ("13800138091");
    m->matter = g_strdup ("MZ-WUBAO");
    m->materials = strv_of (full);
    if (full) {
        m->address = g_strdup ("清水村一组3号");
        m->note = g_strdup ("托组长转交");
    }
    return m;
}

static gpointer
make_intake_handover_reply (gboolean full)
{
    DbnMsgIntakeHandoverReply *m = dbn_msg_intake_handover_reply_new ();
    fill_reply (&m->env, full);
    m->handover = g_strdup ("T01-2026-H000001");
    m->station = g_strdup ("qingshui");
    m->at = 1764000000000;
    return m;
}

static gpointer
make_handover_pending (gboolean full)
{
    DbnMsgHandoverPending *m = dbn_msg_handover_pending_new ();
    fill_event (&m->env, full);
    m->station = g_strdup ("qingshui");
    m->group_agent = g_strdup ("qs-liu");
    m->group_name = g_strdup ("一组");
    m->matter = g_strdup ("MZ-WUBAO");
    m->applicant = g_strdup ("周八");
    m->id_number = g_strdup ("110105********002X");
    return m;
}

static gpointer
make_intake_handover_list (gboolean full)
{
    DbnMsgIntakeHandoverList *m = dbn_msg_intake_handover_list_new ();
    fill_command (&m->env, full);
    m->station = g_strdup ("qingshui");
    m->state = full ? g_strdup ("pending") : NULL;
    return m;
}

static gpointer
make_intake_handover_list_reply (gboolean full)
{
    DbnMsgIntakeHandoverListReply *m = dbn_msg_intake_handover_list_reply_new ();
    fill_reply (&m->env, full);
    m->items = byte_list_of (full);
    return m;
}

static gpointer
make_intake_handover_item (gboolean full)
{
    DbnMsgIntakeHandoverItem *m = dbn_msg_intake_handover_item_new ();
    m->handover = g_strdup ("T01-2026-H000001");
    m->station = g_strdup ("qingshui");
    m->group_agent = g_strdup ("qs-liu");
    m->group_name = g_strdup ("一组");
    m->applicant = g_strdup ("周八");
    m->id_number = g_strdup ("11010519491231002X");
    m->phone = g_strdup ("13800138091");
    m->matter = g_strdup ("MZ-WUBAO");
    m->materials = strv_of (full);
    m->state = g_strdup (full ? "returned" : "pending");
    m->at = 1764000000000;
    if (full) {
        m->note = g_strdup ("托组长转交");
        m->case_no = g_strdup ("T01-2026-000001");
        m->reason = g_strdup ("已迁出本村");
    }
    return m;
}

static gpointer
make_intake_handover_accept (gboolean full)
{
    DbnMsgIntakeHandoverAccept *m = dbn_msg_intake_handover_accept_new ();
    fill_command (&m->env, full);
    m->handover = g_strdup ("T01-2026-H000001");
    m->consent = full;
    return m;
}

static gpointer
make_intake_handover_accept_reply (gboolean full)
{
    DbnMsgIntakeHandoverAcceptReply *m = dbn_msg_intake_handover_accept_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->state = g_strdup (full ? "awaiting_materials" : "accepted");
    m->missing = strv_of (full);
    return m;
}

static gpointer
make_handover_accepted (gboolean full)
{
    DbnMsgHandoverAccepted *m = dbn_msg_handover_accepted_new ();
    fill_event (&m->env, full);
    m->handover = g_strdup ("T01-2026-H000001");
    m->station = g_strdup ("qingshui");
    m->group_agent = g_strdup ("qs-liu");
    return m;
}

static gpointer
make_intake_handover_return (gboolean full)
{
    DbnMsgIntakeHandoverReturn *m = dbn_msg_intake_handover_return_new ();
    fill_command (&m->env, full);
    m->handover = g_strdup ("T01-2026-H000001");
    m->reason = g_strdup ("已迁出本村");
    return m;
}

static gpointer
make_intake_handover_return_reply (gboolean full)
{
    DbnMsgIntakeHandoverReturnReply *m = dbn_msg_intake_handover_return_reply_new ();
    fill_reply (&m->env, full);
    m->at = 1764000000000;
    return m;
}

static gpointer
make_handover_returned (gboolean full)
{
    DbnMsgHandoverReturned *m = dbn_msg_handover_returned_new ();
    fill_event (&m->env, full);
    m->station = g_strdup ("qingshui");
    m->group_agent = g_strdup ("qs-liu");
    m->reason = g_strdup ("已迁出本村");
    return m;
}

static gpointer
make_catalog_reload (gboolean full)
{
    DbnMsgCatalogReload *m = dbn_msg_catalog_reload_new ();
    fill_command (&m->env, full);
    return m;
}

static gpointer
make_catalog_reload_reply (gboolean full)
{
    DbnMsgCatalogReloadReply *m = dbn_msg_catalog_reload_reply_new ();
    fill_reply (&m->env, full);
    m->path = g_strdup ("/etc/daiban/catalog.ini");
    m->matters = 31;
    return m;
}

static gpointer
make_case_resumed (gboolean full)
{
    DbnMsgCaseResumed *m = dbn_msg_case_resumed_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("jisheng");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup ("east");
    m->state = g_strdup ("received");
    m->kind = g_strdup ("immediate");
    m->holder = g_strdup ("station:qingshui");
    m->responsible = g_strdup ("station:qingshui");
    m->location = g_strdup ("station");
    m->materials = strv_of (full);
    return m;
}

typedef struct {
    const char *name;                                       /* registry name */
    gpointer (*make) (gboolean full);                       /* a filled message */
    GBytes *(*encode) (gconstpointer self, GError **error); /* the typed encoder */
    gpointer (*decode) (const guint8 *data, gsize len, GError **error);
    void (*free) (gpointer self);
} RoundTrip;

/* Adapters with the generic signatures, one per message. */
/* ---- deadline.xml ---- */

static gpointer
make_deadline_case_due (gboolean full)
{
    DbnMsgDeadlineCaseDue *m = dbn_msg_deadline_case_due_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    return m;
}

static gpointer
make_deadline_case_due_reply (gboolean full)
{
    DbnMsgDeadlineCaseDueReply *m = dbn_msg_deadline_case_due_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->suspended = full;
    m->clocks = byte_list_of (full);
    m->today = g_strdup ("2026-02-13");
    return m;
}

static gpointer
make_deadline_clock (gboolean full)
{
    DbnMsgDeadlineClock *m = dbn_msg_deadline_clock_new ();
    m->name = g_strdup ("progress");
    m->rule = g_strdup ("D-DL-2");
    m->length = 5;
    m->state = g_strdup (full ? "running" : "stopped");
    m->stage = g_strdup ("warning");
    m->started = G_GINT64_CONSTANT (1770940800000);
    m->due = full ? g_strdup ("2026-02-27") : NULL;
    m->remaining = -2;
    m->covered = full;
    m->explained = !full;
    return m;
}

static gpointer
make_deadline_case_explain (gboolean full)
{
    DbnMsgDeadlineCaseExplain *m = dbn_msg_deadline_case_explain_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->text = g_strdup ("县民政局审核需要补充入户调查，预计延后三个工作日");
    m->clock = full ? g_strdup ("committed") : NULL;
    return m;
}

static gpointer
make_deadline_case_explain_reply (gboolean full)
{
    DbnMsgDeadlineCaseExplainReply *m = dbn_msg_deadline_case_explain_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->clocks = full ? g_strdupv ((char *[]){ "committed", "progress", NULL }) : NULL;
    m->seq = 12;
    return m;
}

static gpointer
make_deadline_case_suspend (gboolean full)
{
    DbnMsgDeadlineCaseSuspend *m = dbn_msg_deadline_case_suspend_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->reason = g_strdup ("待补充户口簿复印件");
    return m;
}

static gpointer
make_deadline_case_resume (gboolean full)
{
    DbnMsgDeadlineCaseResume *m = dbn_msg_deadline_case_resume_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    return m;
}

static gpointer
make_deadline_calendar_reload (gboolean full)
{
    DbnMsgDeadlineCalendarReload *m = dbn_msg_deadline_calendar_reload_new ();
    fill_command (&m->env, full);
    return m;
}

static gpointer
make_deadline_calendar_reload_reply (gboolean full)
{
    DbnMsgDeadlineCalendarReloadReply *m = dbn_msg_deadline_calendar_reload_reply_new ();
    fill_reply (&m->env, full);
    m->path = g_strdup ("/usr/share/daiban/calendar.ini");
    m->first_year = 2025;
    m->last_year = 2026;
    m->recomputed = full ? 1000000 : 0;
    return m;
}

#define FILL_DEADLINE_ROW(m)                                                                                 \
    G_STMT_START                                                                                             \
    {                                                                                                        \
        fill_event (&(m)->env, full);                                                                        \
        (m)->window = g_strdup (full ? "minzheng" : "");                                                     \
        (m)->station = g_strdup ("qingshui");                                                                \
        (m)->area = g_strdup (full ? "east" : "");                                                           \
        (m)->matter = g_strdup ("MZ-DIBAO");                                                                 \
    }                                                                                                        \
    G_STMT_END

static gpointer
make_deadline_warning (gboolean full)
{
    DbnMsgDeadlineWarning *m = dbn_msg_deadline_warning_new ();
    FILL_DEADLINE_ROW (m);
    m->clock = g_strdup ("committed");
    m->rule = g_strdup ("D-DL-4");
    m->due = g_strdup ("2026-02-27");
    m->covered = full;
    return m;
}

static gpointer
make_deadline_overdue (gboolean full)
{
    DbnMsgDeadlineOverdue *m = dbn_msg_deadline_overdue_new ();
    FILL_DEADLINE_ROW (m);
    m->clock = g_strdup ("centre");
    m->rule = g_strdup ("D-DL-1");
    m->due = g_strdup ("2026-02-27");
    m->covered = full;
    m->explained = !full;
    return m;
}

static gpointer
make_deadline_violation (gboolean full)
{
    DbnMsgDeadlineViolation *m = dbn_msg_deadline_violation_new ();
    FILL_DEADLINE_ROW (m);
    m->clock = g_strdup ("department");
    m->rule = g_strdup ("D-DL-3");
    m->due = g_strdup ("2027-01-04");
    m->covered = !full;
    m->grace = 1;
    return m;
}

static gpointer
make_deadline_explained (gboolean full)
{
    DbnMsgDeadlineExplained *m = dbn_msg_deadline_explained_new ();
    FILL_DEADLINE_ROW (m);
    m->clocks = g_strdupv ((char *[]){ "committed", NULL });
    m->text = g_strdup ("县民政局审核需要补充入户调查");
    return m;
}

static gpointer
make_deadline_queue (gboolean full)
{
    DbnMsgDeadlineQueue *m = dbn_msg_deadline_queue_new ();
    fill_command (&m->env, full);
    m->queue = g_strdup ("window");
    m->id = g_strdup ("minzheng");
    m->after = full ? g_strdup ("T01-2026-000100") : NULL;
    m->has_limit = full;
    m->limit = full ? 500 : 0;
    return m;
}

static gpointer
make_deadline_queue_reply (gboolean full)
{
    DbnMsgDeadlineQueueReply *m = dbn_msg_deadline_queue_reply_new ();
    fill_reply (&m->env, full);
    m->seq = 42;
    m->items = byte_list_of (full);
    m->truncated = full;
    m->next = full ? g_strdup ("T01-2026-002100") : NULL;
    return m;
}

static gpointer
make_deadline_due (gboolean full)
{
    DbnMsgDeadlineDue *m = dbn_msg_deadline_due_new ();
    m->case_no = g_strdup ("T01-2026-000001");
    m->stage = g_strdup (full ? "warning" : "none");
    m->suspended = !full;
    m->covered = full;
    if (full) {
        m->clock = g_strdup ("progress");
        m->rule = g_strdup ("D-DL-2");
        m->due = g_strdup ("2026-03-09");
    } else {
        m->has_remaining = TRUE;
        m->remaining = 4;
    }
    return m;
}

static gpointer
make_deadline_due_changed (gboolean full)
{
    DbnMsgDeadlineDueChanged *m = dbn_msg_deadline_due_changed_new ();
    fill_event (&m->env, full);
    m->window = g_strdup (full ? "minzheng" : "");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup (full ? "east" : "");
    m->stage = g_strdup (full ? "overdue" : "none");
    m->suspended = FALSE;
    m->covered = TRUE;
    if (full) {
        m->clock = g_strdup ("committed");
        m->rule = g_strdup ("D-DL-4");
        m->due = g_strdup ("2026-03-30");
    }
    return m;
}

/* audit.xml (issue 14): the audit service's events on audit/. */
static gpointer
make_audit_entry (gboolean full)
{
    DbnMsgAuditEntry *m = dbn_msg_audit_entry_new ();
    fill_event (&m->env, full);
    m->index = full ? 41 : 0;
    m->producer = g_strdup ("routing");
    m->event_seq = full ? 1234 : 1;
    m->event_type = g_strdup ("case.handed_off");
    m->event_time = full ? 1772416800000 : 0;
    m->leaf = g_strdup (full ? "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" : "");
    return m;
}

static gpointer
make_audit_head (gboolean full)
{
    DbnMsgAuditHead *m = dbn_msg_audit_head_new ();
    fill_event (&m->env, full);
    m->size = full ? 10000 : 0;
    m->time = full ? 1772416800000 : 0;
    m->root = g_strdup ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    m->chain = g_strdup (full ? "00" : "");
    m->signature = g_strdup (full ? "ab" : "");
    m->key = g_strdup ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    return m;
}

static gpointer
make_audit_violation (gboolean full)
{
    DbnMsgAuditViolation *m = dbn_msg_audit_violation_new ();
    fill_event (&m->env, full);
    m->kind = g_strdup (full ? "overdue_unexplained" : "handoff_without_reason");
    m->rule = g_strdup (full ? "D-DL-6" : "D-RTE-5");
    m->person = g_strdup (full ? "window:minzheng" : "");
    m->index = full ? 77 : 0;
    m->producer = g_strdup ("deadline");
    m->event_seq = full ? 9 : 1;
    m->detail =
        full ? g_strdup ("charged 25.50 yuan for QT-SHENFENZHENG, the catalog's fee is 20.00 yuan") : NULL;
    m->day = full ? g_strdup ("2026-03-02") : NULL;
    return m;
}

/* Spot checks (issue 14 item 5) and corrections (item 6). */
static gpointer
make_audit_spotcheck_draw (gboolean full)
{
    DbnMsgAuditSpotcheckDraw *m = dbn_msg_audit_spotcheck_draw_new ();
    fill_command (&m->env, full);
    m->week = g_strdup ("2026-W10");
    return m;
}

static gpointer
make_audit_spotcheck_draw_reply (gboolean full)
{
    DbnMsgAuditSpotcheckDrawReply *m = dbn_msg_audit_spotcheck_draw_reply_new ();
    fill_reply (&m->env, full);
    m->week = g_strdup ("2026-W10");
    m->head_size = full ? 83 : 0;
    m->head_time = full ? 1772989200000 : 0;
    m->seed = g_strdup (full ? "3bbb7f2f8a379b2c" : "");
    m->per_window = full ? 2 : 1;
    m->windows = g_strdupv (full ? (char *[]){ "huji", "jisheng", NULL } : (char *[]){ NULL });
    m->cases =
        g_strdupv (full ? (char *[]){ "T01-2026-000006", "T01-2026-000004", NULL } : (char *[]){ NULL });
    return m;
}

static gpointer
make_audit_spotcheck_record (gboolean full)
{
    DbnMsgAuditSpotcheckRecord *m = dbn_msg_audit_spotcheck_record_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000006");
    m->finding = g_strdup (full ? "problem" : "ok");
    m->text = full ? g_strdup ("承诺期限未告知申办人") : NULL;
    return m;
}

static gpointer
make_audit_spotcheck_record_reply (gboolean full)
{
    DbnMsgAuditSpotcheckRecordReply *m = dbn_msg_audit_spotcheck_record_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000006");
    m->finding = g_strdup (full ? "problem" : "ok");
    m->index = full ? 90 : 0;
    m->seq = full ? 61 : 1;
    return m;
}

static gpointer
make_audit_findings (gboolean full)
{
    DbnMsgAuditFindings *m = dbn_msg_audit_findings_new ();
    fill_command (&m->env, full);
    m->month = g_strdup ("2026-03");
    m->window = full ? g_strdup ("huji") : NULL;
    return m;
}

static gpointer
make_audit_findings_reply (gboolean full)
{
    DbnMsgAuditFindingsReply *m = dbn_msg_audit_findings_reply_new ();
    fill_reply (&m->env, full);
    m->month = g_strdup ("2026-03");
    m->findings = byte_list_of (full);
    return m;
}

static gpointer
make_audit_finding (gboolean full)
{
    DbnMsgAuditFinding *m = dbn_msg_audit_finding_new ();
    fill_event (&m->env, full);
    m->window = g_strdup (full ? "huji" : "");
    m->station = g_strdup (full ? "qingshui" : "");
    m->finding = g_strdup (full ? "problem" : "ok");
    m->text = g_strdup (full ? "承诺期限未告知申办人" : "");
    return m;
}

/* Daily summaries (issue 14 item 7, D-AUD-6). */
static gpointer
make_audit_summary (gboolean full)
{
    DbnMsgAuditSummary *m = dbn_msg_audit_summary_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("huji");
    m->day = g_strdup ("2026-03-02");
    m->through = full ? 812 : 0;
    m->accepted = full ? 14 : 0;
    m->completed = full ? 11 : 0;
    m->overdue = full ? 1 : 0;
    m->violations = full ? 2 : 0;
    m->rated_satisfied = full ? 9 : 0;
    m->rated_basic = full ? 1 : 0;
    m->rated_unsatisfied = full ? 1 : 0;
    return m;
}

static gpointer
make_audit_summary_signed (gboolean full)
{
    DbnMsgAuditSummarySigned *m = dbn_msg_audit_summary_signed_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("huji");
    m->day = g_strdup ("2026-03-02");
    m->draft_index = full ? 800 : 0;
    m->leader = g_strdup (full ? "leader:zhang" : "");
    m->public_key = g_strdup (full ? "8548167e103727ebac85f037f23bb34897ff2d27a0d81a53854eea0958286a94" : "");
    m->signature = g_strdup (full ? "00ff" : "");
    return m;
}

static gpointer
make_audit_summary_sign (gboolean full)
{
    DbnMsgAuditSummarySign *m = dbn_msg_audit_summary_sign_new ();
    fill_command (&m->env, full);
    m->window = g_strdup ("huji");
    m->day = g_strdup ("2026-03-02");
    m->signature = g_strdup (full ? "00ff" : "");
    return m;
}

static gpointer
make_audit_summary_sign_reply (gboolean full)
{
    DbnMsgAuditSummarySignReply *m = dbn_msg_audit_summary_sign_reply_new ();
    fill_reply (&m->env, full);
    m->window = g_strdup ("huji");
    m->day = g_strdup ("2026-03-02");
    m->index = full ? 820 : 0;
    m->seq = full ? 70 : 1;
    return m;
}

static gpointer
make_audit_summary_list (gboolean full)
{
    DbnMsgAuditSummaryList *m = dbn_msg_audit_summary_list_new ();
    fill_command (&m->env, full);
    m->day = full ? g_strdup ("2026-03-02") : NULL;
    return m;
}

static gpointer
make_audit_summary_list_reply (gboolean full)
{
    DbnMsgAuditSummaryListReply *m = dbn_msg_audit_summary_list_reply_new ();
    fill_reply (&m->env, full);
    m->day = g_strdup (full ? "2026-03-02" : "");
    m->summaries = byte_list_of (full);
    m->signatures = byte_list_of (full);
    return m;
}

static gpointer
make_case_correct (gboolean full)
{
    DbnMsgCaseCorrect *m = dbn_msg_case_correct_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->field = g_strdup (full ? "applicant" : "phone");
    m->value = g_strdup (full ? "张三丰" : "13912345678");
    m->reason = g_strdup ("录入时写错");
    return m;
}

static gpointer
make_case_correct_reply (gboolean full)
{
    DbnMsgCaseCorrectReply *m = dbn_msg_case_correct_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->field = g_strdup ("applicant");
    m->seq = full ? 12 : 1;
    return m;
}

static gpointer
make_case_corrected (gboolean full)
{
    DbnMsgCaseCorrected *m = dbn_msg_case_corrected_new ();
    fill_event (&m->env, full);
    m->field = g_strdup (full ? "applicant" : "phone");
    m->value = g_strdup (full ? "张三丰" : "139****5678");
    m->previous = g_strdup (full ? "张三" : "");
    m->reason = g_strdup ("录入时写错");
    return m;
}

static gpointer
make_case_correction (gboolean full)
{
    DbnMsgCaseCorrection *m = dbn_msg_case_correction_new ();
    fill_event (&m->env, full);
    m->window = g_strdup ("jisheng");
    m->station = g_strdup ("qingshui");
    m->area = g_strdup (full ? "east" : "");
    m->state = g_strdup ("received");
    m->kind = g_strdup ("immediate");
    m->holder = g_strdup ("window:jisheng");
    m->responsible = g_strdup ("window:jisheng");
    m->location = g_strdup ("centre");
    m->field = g_strdup ("applicant");
    m->value = g_strdup ("张三丰");
    m->previous = g_strdup (full ? "张三" : "");
    m->reason = g_strdup ("录入时写错");
    return m;
}

/* The committee's reads on the audit service (issue 14 items 3, 9). */
static gpointer
make_audit_head_record (gboolean full)
{
    DbnMsgAuditHeadRecord *m = dbn_msg_audit_head_record_new ();
    m->size = full ? 10000 : 0;
    m->time = full ? 1772416800000 : 0;
    m->root = g_strdup ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    m->chain = g_strdup (full ? "00" : "");
    m->signature = g_strdup (full ? "ab" : "");
    m->key = g_strdup ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    return m;
}

static gpointer
make_audit_case (gboolean full)
{
    DbnMsgAuditCase *m = dbn_msg_audit_case_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000006");
    m->has_after = full;
    m->after = full ? 41 : 0;
    return m;
}

static gpointer
make_audit_case_reply (gboolean full)
{
    DbnMsgAuditCaseReply *m = dbn_msg_audit_case_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000006");
    m->size = full ? 10003 : 0;
    m->head = full ? g_bytes_new_static ("\x80", 1) : NULL;
    m->entries = byte_list_of (full);
    m->more = full;
    return m;
}

static gpointer
make_audit_case_entry (gboolean full)
{
    DbnMsgAuditCaseEntry *m = dbn_msg_audit_case_entry_new ();
    m->index = full ? 41 : 0;
    m->producer = g_strdup ("intake");
    m->event_seq = full ? 7 : 1;
    m->type = g_strdup ("case.accepted");
    m->time = full ? 1772416800000 : 0;
    m->actor = g_strdup (full ? "station:qingshui" : "");
    m->event = g_strdup (full ? "{\"v\":1,\"type\":\"case.accepted\"}" : "");
    m->entry = g_bytes_new_static (full ? "\x01\x00" : "", full ? 2 : 0);
    m->leaf = g_strdup ("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    m->path = g_strdupv (full ? (char *[]){ "aa", "bb", NULL } : (char *[]){ NULL });
    return m;
}

static gpointer
make_audit_proof (gboolean full)
{
    DbnMsgAuditProof *m = dbn_msg_audit_proof_new ();
    fill_command (&m->env, full);
    m->has_index = full;
    m->index = full ? 777 : 0;
    m->has_size = full;
    m->size = full ? 1000 : 0;
    m->has_first = !full;
    m->first = 0;
    m->has_second = FALSE;
    return m;
}

static gpointer
make_audit_proof_reply (gboolean full)
{
    DbnMsgAuditProofReply *m = dbn_msg_audit_proof_reply_new ();
    fill_reply (&m->env, full);
    m->kind = g_strdup (full ? "inclusion" : "consistency");
    m->index = full ? 777 : -1;
    m->size = full ? 1000 : 0;
    m->first = full ? -1 : 0;
    m->entry = full ? g_bytes_new_static ("\x01", 1) : NULL;
    m->leaf = full ? g_strdup ("ab") : NULL;
    m->path = g_strdupv (full ? (char *[]){ "aa", NULL } : (char *[]){ NULL });
    m->heads = byte_list_of (full);
    return m;
}

static gpointer
make_audit_verify (gboolean full)
{
    DbnMsgAuditVerify *m = dbn_msg_audit_verify_new ();
    fill_command (&m->env, full);
    m->kept = full ? g_bytes_new_static ("\x80", 1) : NULL;
    return m;
}

static gpointer
make_audit_verify_reply (gboolean full)
{
    DbnMsgAuditVerifyReply *m = dbn_msg_audit_verify_reply_new ();
    fill_reply (&m->env, full);
    m->verified = !full;
    m->problem = g_strdup (full ? "leaf" : "ok");
    m->index = full ? 3 : -1;
    m->entries = full ? 21 : 0;
    m->heads = full ? 4 : 0;
    m->head = full ? g_bytes_new_static ("\x80", 1) : NULL;
    m->kept_checked = full;
    m->detail = g_strdup (full ? "entry 3's bytes do not hash to its stored leaf" : "");
    m->detail_zh = g_strdup (full ? "第 3 条内容被改动" : "");
    m->elapsed_ms = full ? 12 : 0;
    return m;
}

/* ---- eval.xml (issue 13) ---- */

static gpointer
make_eval_rate (gboolean full)
{
    DbnMsgEvalRate *m = dbn_msg_eval_rate_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->stage = g_strdup (full ? "reply" : "window");
    m->level = g_strdup (full ? "basic" : "unsatisfied");
    /* D-RPL-1: the completion card's fields, optional. */
    m->result = full ? g_strdup ("准生证已领取") : NULL;
    m->signature = full ? g_bytes_new_static ("\x89PNG\r\n\x1a\n", 8) : NULL;
    m->signature_sha256 = full ? g_strdup ("0144ffce57053b4189abc6486e8078e527bd9ad82a81985fce757f4be3735454") : NULL;
    return m;
}

static gpointer
make_eval_rate_reply (gboolean full)
{
    DbnMsgEvalRateReply *m = dbn_msg_eval_rate_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->stage = g_strdup ("reply");
    m->level = g_strdup ("satisfied");
    m->seq = full ? 41 : 1;
    return m;
}

static gpointer
make_eval_month (gboolean full)
{
    DbnMsgEvalMonth *m = dbn_msg_eval_month_new ();
    fill_command (&m->env, full);
    m->month = g_strdup ("2026-11");
    return m;
}

static gpointer
make_eval_month_reply (gboolean full)
{
    DbnMsgEvalMonthReply *m = dbn_msg_eval_month_reply_new ();
    fill_reply (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->closed = full;
    m->figures = byte_list_of (full);
    return m;
}

static gpointer
make_eval_figure (gboolean full)
{
    DbnMsgEvalFigure *m = dbn_msg_eval_figure_new ();
    m->scope = g_strdup (full ? "station" : "person");
    m->id = g_strdup (full ? "qingshui" : "station:qingshui");
    m->accepted = 214;
    m->completed = full ? 210 : 0;
    m->on_time = full ? 205 : 0;
    m->returns = 3;
    m->rated = 180;
    m->satisfied = 150;
    m->basic = 25;
    m->unsatisfied = 5;
    m->stars = full ? 3 : 0;
    m->score_milli = full ? 97123 : 0;
    m->has_repeats = full;
    m->repeats = full ? 2 : 0;
    return m;
}

static gpointer
make_eval_board (gboolean full)
{
    DbnMsgEvalBoard *m = dbn_msg_eval_board_new ();
    fill_command (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->has_months = full;
    m->months = full ? 12 : 0;
    return m;
}

static gpointer
make_eval_board_reply (gboolean full)
{
    DbnMsgEvalBoardReply *m = dbn_msg_eval_board_reply_new ();
    fill_reply (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->closed = full;
    m->rows = byte_list_of (full);
    return m;
}

static gpointer
make_eval_board_row (gboolean full)
{
    DbnMsgEvalBoardRow *m = dbn_msg_eval_board_row_new ();
    m->month = g_strdup (full ? "2026-11" : "2025-12");
    m->scope = g_strdup (full ? "station" : "window");
    m->id = g_strdup (full ? "qingshui" : "jisheng");
    m->accepted = 214;
    m->completed = full ? 210 : 0;
    m->on_time = full ? 205 : 0;
    m->working_days = full ? 331 : 0;
    m->returns = 3;
    m->repeats = full ? 2 : 0;
    m->rated = 180;
    m->satisfied = 150;
    m->basic = 25;
    m->unsatisfied = 5;
    m->stars = full ? 3 : 0;
    m->score_milli = full ? 97123 : 0;
    return m;
}

static gpointer
make_eval_close (gboolean full)
{
    DbnMsgEvalClose *m = dbn_msg_eval_close_new ();
    fill_command (&m->env, full);
    m->month = g_strdup ("2026-11");
    return m;
}

static gpointer
make_eval_close_reply (gboolean full)
{
    DbnMsgEvalCloseReply *m = dbn_msg_eval_close_reply_new ();
    fill_reply (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->figures = full ? 37 : 0;
    m->seq = 9;
    return m;
}

static gpointer
make_eval_sample (gboolean full)
{
    DbnMsgEvalSample *m = dbn_msg_eval_sample_new ();
    fill_command (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->seed = full ? g_strdup ("daiban-T01-2026-11") : NULL;
    return m;
}

static gpointer
make_eval_sample_reply (gboolean full)
{
    DbnMsgEvalSampleReply *m = dbn_msg_eval_sample_reply_new ();
    fill_reply (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->seed = g_strdup ("daiban-T01-2026-11");
    m->percent = 35;
    m->population =
        full ? g_strdupv ((char *[]){ "T01-2026-000001", "T01-2026-000002", "T01-2026-000003", NULL }) : NULL;
    m->cases = full ? g_strdupv ((char *[]){ "T01-2026-000002", NULL }) : NULL;
    m->seed_source = full ? g_strdup ("audit-head") : NULL;
    m->has_head_size = full;
    m->head_size = full ? 1000 : 0;
    m->has_head_time = full;
    m->head_time = full ? 1764518399000 : 0;
    m->head_root =
        full ? g_strdup ("6a09e667f3bcc908b2fb1366ea957d3e3adec17512775099da2f590b0667322a") : NULL;
    m->head_signature = full ? g_strnfill (128, 'a') : NULL;
    m->head_key = full ? g_strnfill (64, 'b') : NULL;
    m->has_drawn_at = full;
    m->drawn_at = full ? 1764547200000 : 0;
    return m;
}

static gpointer
make_eval_export (gboolean full)
{
    DbnMsgEvalExport *m = dbn_msg_eval_export_new ();
    fill_command (&m->env, full);
    m->month = g_strdup ("2026-11");
    return m;
}

static gpointer
make_eval_export_reply (gboolean full)
{
    DbnMsgEvalExportReply *m = dbn_msg_eval_export_reply_new ();
    fill_reply (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->json = g_strdup (full ? "{\"month\":\"2026-11\",\"records\":[]}" : "");
    return m;
}

static gpointer
make_eval_rated (gboolean full)
{
    DbnMsgEvalRated *m = dbn_msg_eval_rated_new ();
    fill_event (&m->env, full);
    m->window = g_strdup (full ? "minzheng" : "");
    m->station = g_strdup (full ? "qingshui" : "");
    m->area = g_strdup (full ? "east" : "");
    m->stage = g_strdup ("reply");
    m->level = g_strdup (full ? "unsatisfied" : "satisfied");
    m->signature_sha256 = full ? g_strdup ("0144ffce57053b4189abc6486e8078e527bd9ad82a81985fce757f4be3735454") : NULL;
    return m;
}

/* D-RPL-1: the completion card (eval.card). */
static gpointer
make_eval_card (gboolean full)
{
    DbnMsgEvalCard *m = dbn_msg_eval_card_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    return m;
}

static gpointer
make_eval_card_reply (gboolean full)
{
    DbnMsgEvalCardReply *m = dbn_msg_eval_card_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000001");
    m->matter = g_strdup ("JS-ZHUNSHENG");
    m->level = g_strdup (full ? "basic" : "satisfied");
    m->result = full ? g_strdup ("准生证已领取") : NULL;
    m->signature = full ? g_bytes_new_static ("\x89PNG\r\n\x1a\n\0\0", 10) : NULL;
    m->signature_sha256 = full ? g_strdup ("0144ffce57053b4189abc6486e8078e527bd9ad82a81985fce757f4be3735454") : NULL;
    m->by = g_strdup ("station:qingshui");
    m->at = full ? 1790730000000 : 0;
    return m;
}

static gpointer
make_eval_report (gboolean full)
{
    DbnMsgEvalReport *m = dbn_msg_eval_report_new ();
    fill_event (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->figures = full ? 37 : 0;
    return m;
}

static gpointer
make_eval_callback_record (gboolean full)
{
    DbnMsgEvalCallbackRecord *m = dbn_msg_eval_callback_record_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000002");
    m->reached = full;
    m->attitude = full ? g_strdup ("satisfied") : NULL;
    m->quality = full ? g_strdup ("basic") : NULL;
    m->speed = full ? g_strdup ("unsatisfied") : NULL;
    m->note = full ? g_strdup ("办得慢 / slow") : NULL;
    return m;
}

static gpointer
make_eval_callback_record_reply (gboolean full)
{
    DbnMsgEvalCallbackRecordReply *m = dbn_msg_eval_callback_record_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000002");
    m->month = g_strdup ("2026-11");
    m->unsatisfied = full;
    m->seq = full ? 12 : 1;
    return m;
}

static gpointer
make_eval_callback_list (gboolean full)
{
    DbnMsgEvalCallbackList *m = dbn_msg_eval_callback_list_new ();
    fill_command (&m->env, full);
    m->month = g_strdup ("2026-11");
    return m;
}

static gpointer
make_eval_callback_list_reply (gboolean full)
{
    DbnMsgEvalCallbackListReply *m = dbn_msg_eval_callback_list_reply_new ();
    fill_reply (&m->env, full);
    m->month = g_strdup ("2026-11");
    m->seed = g_strdup (full ? "6a09e667f3bcc908b2fb1366ea957d3e3adec17512775099da2f590b0667322a"
                             : "daiban-T01-2026-11");
    m->seed_source = g_strdup (full ? "audit-head" : "fallback");
    m->items = byte_list_of (full);
    return m;
}

static gpointer
make_eval_callback_item (gboolean full)
{
    DbnMsgEvalCallbackItem *m = dbn_msg_eval_callback_item_new ();
    m->case_no = g_strdup ("T01-2026-000002");
    m->window = g_strdup (full ? "minzheng" : "");
    m->station = g_strdup (full ? "qingshui" : "");
    m->area = g_strdup (full ? "east" : "");
    m->matter = g_strdup ("MZ-JINGLAOYUAN");
    m->state = g_strdup (full ? "reached" : "pending");
    m->attitude = full ? g_strdup ("satisfied") : NULL;
    m->quality = full ? g_strdup ("satisfied") : NULL;
    m->speed = full ? g_strdup ("basic") : NULL;
    m->note = full ? g_strdup ("好 / fine") : NULL;
    m->has_at = full;
    m->at = full ? 1764600000000 : 0;
    m->by = full ? g_strdup ("supervisor:east") : NULL;
    return m;
}

static gpointer
make_eval_followup_record (gboolean full)
{
    DbnMsgEvalFollowupRecord *m = dbn_msg_eval_followup_record_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000002");
    m->text = g_strdup (full ? "已上门解释并重新办理 / visited and redone" : "");
    return m;
}

static gpointer
make_eval_followup_record_reply (gboolean full)
{
    DbnMsgEvalFollowupRecordReply *m = dbn_msg_eval_followup_record_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000002");
    m->seq = full ? 14 : 1;
    return m;
}

static gpointer
make_eval_callback_recorded (gboolean full)
{
    DbnMsgEvalCallbackRecorded *m = dbn_msg_eval_callback_recorded_new ();
    fill_event (&m->env, full);
    m->window = g_strdup (full ? "minzheng" : "");
    m->station = g_strdup (full ? "qingshui" : "");
    m->area = g_strdup (full ? "east" : "");
    m->month = g_strdup ("2026-11");
    m->reached = full;
    m->attitude = full ? g_strdup ("satisfied") : NULL;
    m->quality = full ? g_strdup ("basic") : NULL;
    m->speed = full ? g_strdup ("unsatisfied") : NULL;
    m->unsatisfied = full;
    return m;
}

static gpointer
make_eval_followup_opened (gboolean full)
{
    DbnMsgEvalFollowupOpened *m = dbn_msg_eval_followup_opened_new ();
    fill_event (&m->env, full);
    m->window = g_strdup (full ? "minzheng" : "");
    m->station = g_strdup (full ? "qingshui" : "");
    m->area = g_strdup (full ? "east" : "");
    m->matter = g_strdup ("MZ-JINGLAOYUAN");
    m->cause = g_strdup (full ? "callback" : "reply");
    return m;
}

static gpointer
make_eval_followup_recorded (gboolean full)
{
    DbnMsgEvalFollowupRecorded *m = dbn_msg_eval_followup_recorded_new ();
    fill_event (&m->env, full);
    m->window = g_strdup (full ? "minzheng" : "");
    m->station = g_strdup (full ? "qingshui" : "");
    m->area = g_strdup (full ? "east" : "");
    m->text = g_strdup (full ? "已解决 / solved" : "");
    return m;
}

static gpointer
make_intake_case_contact (gboolean full)
{
    DbnMsgIntakeCaseContact *m = dbn_msg_intake_case_contact_new ();
    fill_command (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000002");
    return m;
}

static gpointer
make_intake_case_contact_reply (gboolean full)
{
    DbnMsgIntakeCaseContactReply *m = dbn_msg_intake_case_contact_reply_new ();
    fill_reply (&m->env, full);
    m->case_no = g_strdup ("T01-2026-000002");
    m->applicant = g_strdup (full ? "张三" : "");
    m->phone = g_strdup (full ? "13800138000" : "");
    m->area = g_strdup (full ? "east" : "");
    return m;
}

static gpointer
make_eval_period (gboolean full)
{
    DbnMsgEvalPeriod *m = dbn_msg_eval_period_new ();
    fill_command (&m->env, full);
    m->from = g_strdup ("2026-09-01");
    m->to = g_strdup (full ? "2026-11-30" : "2026-09-01");
    return m;
}

static gpointer
make_eval_period_reply (gboolean full)
{
    DbnMsgEvalPeriodReply *m = dbn_msg_eval_period_reply_new ();
    fill_reply (&m->env, full);
    m->from = g_strdup ("2026-09-01");
    m->to = g_strdup ("2026-11-30");
    m->figures = byte_list_of (full);
    return m;
}

/* The public board (issue 16 item 4, schemas/messages/board.xml). */
static gpointer
make_board_row (gboolean full)
{
    DbnMsgBoardRow *m = dbn_msg_board_row_new ();
    fill_event (&m->env, full);
    m->matter = g_strdup ("MZ-JINGLAOYUAN");
    m->matter_name = g_strdup ("敬老院入住");
    m->state = g_strdup (full ? "in_progress" : "received");
    m->applicant = g_strdup ("张**");
    m->window = g_strdup (full ? "minzheng" : "");
    m->due = full ? g_strdup ("2026-11-20") : NULL;
    return m;
}

static gpointer
make_routing_board (gboolean full)
{
    DbnMsgRoutingBoard *m = dbn_msg_routing_board_new ();
    fill_command (&m->env, full);
    m->after = full ? g_strdup ("T01-2026-000010") : NULL;
    m->has_limit = full;
    m->limit = full ? 500 : 0;
    return m;
}

static gpointer
make_routing_board_reply (gboolean full)
{
    DbnMsgRoutingBoardReply *m = dbn_msg_routing_board_reply_new ();
    fill_reply (&m->env, full);
    m->seq = full ? 42 : 0;
    m->items = byte_list_of (full);
    m->truncated = full;
    m->next = full ? g_strdup ("T01-2026-000011") : NULL;
    return m;
}

static gpointer
make_routing_board_item (gboolean full)
{
    DbnMsgRoutingBoardItem *m = dbn_msg_routing_board_item_new ();
    m->case_no = g_strdup ("T01-2026-000001");
    m->matter = g_strdup ("MZ-JINGLAOYUAN");
    m->matter_name = g_strdup ("敬老院入住");
    m->state = g_strdup ("received");
    m->applicant = g_strdup ("张**");
    m->window = g_strdup (full ? "minzheng" : "");
    m->due = full ? g_strdup ("2026-11-20") : NULL;
    return m;
}

#define ROUND_TRIP(name, Type)                                                                               \
    static GBytes *name##_encode (gconstpointer self, GError **error)                                        \
    {                                                                                                        \
        return dbn_msg_##name##_encode (self, error);                                                        \
    }                                                                                                        \
    static gpointer name##_decode (const guint8 *data, gsize len, GError **error)                            \
    {                                                                                                        \
        return dbn_msg_##name##_decode (data, len, error);                                                   \
    }                                                                                                        \
    static void name##_free (gpointer self)                                                                  \
    {                                                                                                        \
        dbn_msg_##name##_free (self);                                                                        \
    }

ROUND_TRIP (case_accepted, DbnMsgCaseAccepted)
ROUND_TRIP (case_awaiting_materials, DbnMsgCaseAwaitingMaterials)
ROUND_TRIP (intake_submit, DbnMsgIntakeSubmit)
ROUND_TRIP (intake_submit_reply, DbnMsgIntakeSubmitReply)
ROUND_TRIP (intake_case_get, DbnMsgIntakeCaseGet)
ROUND_TRIP (intake_case_get_reply, DbnMsgIntakeCaseGetReply)
ROUND_TRIP (sys_error_reply, DbnMsgSysErrorReply)
ROUND_TRIP (sys_status, DbnMsgSysStatus)
ROUND_TRIP (sys_status_reply, DbnMsgSysStatusReply)
ROUND_TRIP (sys_sync, DbnMsgSysSync)
ROUND_TRIP (sys_sync_reply, DbnMsgSysSyncReply)
ROUND_TRIP (sys_heartbeat, DbnMsgSysHeartbeat)
ROUND_TRIP (case_classify, DbnMsgCaseClassify)
ROUND_TRIP (case_assign, DbnMsgCaseAssign)
ROUND_TRIP (case_handoff, DbnMsgCaseHandoff)
ROUND_TRIP (case_start, DbnMsgCaseStart)
ROUND_TRIP (case_complete, DbnMsgCaseComplete)
ROUND_TRIP (case_escalate, DbnMsgCaseEscalate)
ROUND_TRIP (case_county_answer, DbnMsgCaseCountyAnswer)
ROUND_TRIP (case_return, DbnMsgCaseReturn)
ROUND_TRIP (case_reply, DbnMsgCaseReply)
ROUND_TRIP (case_archive, DbnMsgCaseArchive)
ROUND_TRIP (case_accompany, DbnMsgCaseAccompany)
ROUND_TRIP (routing_case_reply, DbnMsgRoutingCaseReply)
ROUND_TRIP (routing_case_get, DbnMsgRoutingCaseGet)
ROUND_TRIP (routing_case_get_reply, DbnMsgRoutingCaseGetReply)
ROUND_TRIP (routing_queue, DbnMsgRoutingQueue)
ROUND_TRIP (routing_queue_reply, DbnMsgRoutingQueueReply)
ROUND_TRIP (routing_queue_item, DbnMsgRoutingQueueItem)
ROUND_TRIP (runsheet_new, DbnMsgRunsheetNew)
ROUND_TRIP (runsheet_new_reply, DbnMsgRunsheetNewReply)
ROUND_TRIP (runsheet_ack, DbnMsgRunsheetAck)
ROUND_TRIP (runsheet_ack_reply, DbnMsgRunsheetAckReply)
ROUND_TRIP (case_routed, DbnMsgCaseRouted)
ROUND_TRIP (case_classified, DbnMsgCaseClassified)
ROUND_TRIP (case_assigned, DbnMsgCaseAssigned)
ROUND_TRIP (case_handed_off, DbnMsgCaseHandedOff)
ROUND_TRIP (case_started, DbnMsgCaseStarted)
ROUND_TRIP (case_part_completed, DbnMsgCasePartCompleted)
ROUND_TRIP (case_completed, DbnMsgCaseCompleted)
ROUND_TRIP (case_escalated, DbnMsgCaseEscalated)
ROUND_TRIP (case_county_answered, DbnMsgCaseCountyAnswered)
ROUND_TRIP (case_returned, DbnMsgCaseReturned)
ROUND_TRIP (case_replied, DbnMsgCaseReplied)
ROUND_TRIP (case_archived, DbnMsgCaseArchived)
ROUND_TRIP (case_accompanied, DbnMsgCaseAccompanied)
ROUND_TRIP (runsheet_created, DbnMsgRunsheetCreated)
ROUND_TRIP (runsheet_acknowledged, DbnMsgRunsheetAcknowledged)
ROUND_TRIP (intake_supplement, DbnMsgIntakeSupplement)
ROUND_TRIP (intake_supplement_reply, DbnMsgIntakeSupplementReply)
ROUND_TRIP (case_materials_supplemented, DbnMsgCaseMaterialsSupplemented)
ROUND_TRIP (intake_refuse, DbnMsgIntakeRefuse)
ROUND_TRIP (intake_refuse_reply, DbnMsgIntakeRefuseReply)
ROUND_TRIP (case_refused, DbnMsgCaseRefused)
ROUND_TRIP (intake_visit, DbnMsgIntakeVisit)
ROUND_TRIP (intake_visit_reply, DbnMsgIntakeVisitReply)
ROUND_TRIP (visit_recorded, DbnMsgVisitRecorded)
ROUND_TRIP (intake_logbook, DbnMsgIntakeLogbook)
ROUND_TRIP (intake_logbook_reply, DbnMsgIntakeLogbookReply)
ROUND_TRIP (intake_logbook_entry, DbnMsgIntakeLogbookEntry)
ROUND_TRIP (intake_visit_list, DbnMsgIntakeVisitList)
ROUND_TRIP (intake_visit_list_reply, DbnMsgIntakeVisitListReply)
ROUND_TRIP (intake_visit_item, DbnMsgIntakeVisitItem)
ROUND_TRIP (intake_must_add, DbnMsgIntakeMustAdd)
ROUND_TRIP (intake_must_add_reply, DbnMsgIntakeMustAddReply)
ROUND_TRIP (intake_must_list, DbnMsgIntakeMustList)
ROUND_TRIP (intake_must_list_reply, DbnMsgIntakeMustListReply)
ROUND_TRIP (intake_must_item, DbnMsgIntakeMustItem)
ROUND_TRIP (intake_handover, DbnMsgIntakeHandover)
ROUND_TRIP (intake_handover_reply, DbnMsgIntakeHandoverReply)
ROUND_TRIP (handover_pending, DbnMsgHandoverPending)
ROUND_TRIP (intake_handover_list, DbnMsgIntakeHandoverList)
ROUND_TRIP (intake_handover_list_reply, DbnMsgIntakeHandoverListReply)
ROUND_TRIP (intake_handover_item, DbnMsgIntakeHandoverItem)
ROUND_TRIP (intake_handover_accept, DbnMsgIntakeHandoverAccept)
ROUND_TRIP (intake_handover_accept_reply, DbnMsgIntakeHandoverAcceptReply)
ROUND_TRIP (handover_accepted, DbnMsgHandoverAccepted)
ROUND_TRIP (intake_handover_return, DbnMsgIntakeHandoverReturn)
ROUND_TRIP (intake_handover_return_reply, DbnMsgIntakeHandoverReturnReply)
ROUND_TRIP (handover_returned, DbnMsgHandoverReturned)
ROUND_TRIP (catalog_reload, DbnMsgCatalogReload)
ROUND_TRIP (catalog_reload_reply, DbnMsgCatalogReloadReply)
ROUND_TRIP (case_resumed, DbnMsgCaseResumed)
ROUND_TRIP (deadline_case_due, DbnMsgDeadlineCaseDue)
ROUND_TRIP (deadline_case_due_reply, DbnMsgDeadlineCaseDueReply)
ROUND_TRIP (deadline_clock, DbnMsgDeadlineClock)
ROUND_TRIP (deadline_case_explain, DbnMsgDeadlineCaseExplain)
ROUND_TRIP (deadline_case_explain_reply, DbnMsgDeadlineCaseExplainReply)
ROUND_TRIP (deadline_case_suspend, DbnMsgDeadlineCaseSuspend)
ROUND_TRIP (deadline_case_resume, DbnMsgDeadlineCaseResume)
ROUND_TRIP (deadline_calendar_reload, DbnMsgDeadlineCalendarReload)
ROUND_TRIP (deadline_calendar_reload_reply, DbnMsgDeadlineCalendarReloadReply)
ROUND_TRIP (deadline_warning, DbnMsgDeadlineWarning)
ROUND_TRIP (deadline_overdue, DbnMsgDeadlineOverdue)
ROUND_TRIP (deadline_violation, DbnMsgDeadlineViolation)
ROUND_TRIP (deadline_explained, DbnMsgDeadlineExplained)
ROUND_TRIP (eval_rate, DbnMsgEvalRate)
ROUND_TRIP (eval_rate_reply, DbnMsgEvalRateReply)
ROUND_TRIP (eval_month, DbnMsgEvalMonth)
ROUND_TRIP (eval_month_reply, DbnMsgEvalMonthReply)
ROUND_TRIP (eval_figure, DbnMsgEvalFigure)
ROUND_TRIP (eval_board, DbnMsgEvalBoard)
ROUND_TRIP (eval_board_reply, DbnMsgEvalBoardReply)
ROUND_TRIP (eval_board_row, DbnMsgEvalBoardRow)
ROUND_TRIP (board_row, DbnMsgBoardRow)
ROUND_TRIP (eval_period, DbnMsgEvalPeriod)
ROUND_TRIP (eval_period_reply, DbnMsgEvalPeriodReply)
ROUND_TRIP (routing_board, DbnMsgRoutingBoard)
ROUND_TRIP (routing_board_reply, DbnMsgRoutingBoardReply)
ROUND_TRIP (routing_board_item, DbnMsgRoutingBoardItem)
ROUND_TRIP (eval_close, DbnMsgEvalClose)
ROUND_TRIP (eval_close_reply, DbnMsgEvalCloseReply)
ROUND_TRIP (eval_sample, DbnMsgEvalSample)
ROUND_TRIP (eval_sample_reply, DbnMsgEvalSampleReply)
ROUND_TRIP (eval_export, DbnMsgEvalExport)
ROUND_TRIP (eval_export_reply, DbnMsgEvalExportReply)
ROUND_TRIP (eval_rated, DbnMsgEvalRated)
ROUND_TRIP (eval_report, DbnMsgEvalReport)
ROUND_TRIP (eval_card, DbnMsgEvalCard)
ROUND_TRIP (eval_card_reply, DbnMsgEvalCardReply)
ROUND_TRIP (eval_callback_record, DbnMsgEvalCallbackRecord)
ROUND_TRIP (eval_callback_record_reply, DbnMsgEvalCallbackRecordReply)
ROUND_TRIP (eval_callback_list, DbnMsgEvalCallbackList)
ROUND_TRIP (eval_callback_list_reply, DbnMsgEvalCallbackListReply)
ROUND_TRIP (eval_callback_item, DbnMsgEvalCallbackItem)
ROUND_TRIP (eval_followup_record, DbnMsgEvalFollowupRecord)
ROUND_TRIP (eval_followup_record_reply, DbnMsgEvalFollowupRecordReply)
ROUND_TRIP (eval_callback_recorded, DbnMsgEvalCallbackRecorded)
ROUND_TRIP (eval_followup_opened, DbnMsgEvalFollowupOpened)
ROUND_TRIP (eval_followup_recorded, DbnMsgEvalFollowupRecorded)
ROUND_TRIP (intake_case_contact, DbnMsgIntakeCaseContact)
ROUND_TRIP (intake_case_contact_reply, DbnMsgIntakeCaseContactReply)
ROUND_TRIP (deadline_queue, DbnMsgDeadlineQueue)
ROUND_TRIP (deadline_queue_reply, DbnMsgDeadlineQueueReply)
ROUND_TRIP (deadline_due, DbnMsgDeadlineDue)
ROUND_TRIP (deadline_due_changed, DbnMsgDeadlineDueChanged)
ROUND_TRIP (audit_entry, DbnMsgAuditEntry)
ROUND_TRIP (audit_head, DbnMsgAuditHead)
ROUND_TRIP (audit_violation, DbnMsgAuditViolation)
ROUND_TRIP (audit_spotcheck_draw, DbnMsgAuditSpotcheckDraw)
ROUND_TRIP (audit_spotcheck_draw_reply, DbnMsgAuditSpotcheckDrawReply)
ROUND_TRIP (audit_spotcheck_record, DbnMsgAuditSpotcheckRecord)
ROUND_TRIP (audit_spotcheck_record_reply, DbnMsgAuditSpotcheckRecordReply)
ROUND_TRIP (audit_findings, DbnMsgAuditFindings)
ROUND_TRIP (audit_findings_reply, DbnMsgAuditFindingsReply)
ROUND_TRIP (audit_finding, DbnMsgAuditFinding)
ROUND_TRIP (audit_summary, DbnMsgAuditSummary)
ROUND_TRIP (audit_summary_signed, DbnMsgAuditSummarySigned)
ROUND_TRIP (audit_summary_sign, DbnMsgAuditSummarySign)
ROUND_TRIP (audit_summary_sign_reply, DbnMsgAuditSummarySignReply)
ROUND_TRIP (audit_summary_list, DbnMsgAuditSummaryList)
ROUND_TRIP (audit_summary_list_reply, DbnMsgAuditSummaryListReply)
ROUND_TRIP (case_correct, DbnMsgCaseCorrect)
ROUND_TRIP (case_correct_reply, DbnMsgCaseCorrectReply)
ROUND_TRIP (case_corrected, DbnMsgCaseCorrected)
ROUND_TRIP (case_correction, DbnMsgCaseCorrection)
ROUND_TRIP (audit_head_record, DbnMsgAuditHeadRecord)
ROUND_TRIP (audit_case, DbnMsgAuditCase)
ROUND_TRIP (audit_case_reply, DbnMsgAuditCaseReply)
ROUND_TRIP (audit_case_entry, DbnMsgAuditCaseEntry)
ROUND_TRIP (audit_proof, DbnMsgAuditProof)
ROUND_TRIP (audit_proof_reply, DbnMsgAuditProofReply)
ROUND_TRIP (audit_verify, DbnMsgAuditVerify)
ROUND_TRIP (audit_verify_reply, DbnMsgAuditVerifyReply)

#define ENTRY(name)                                                                                          \
    {                                                                                                        \
#name, make_##name, name##_encode, name##_decode, name##_free                                        \
    }

static const RoundTrip round_trips[] = {
    ENTRY (case_accepted),
    ENTRY (case_awaiting_materials),
    ENTRY (intake_submit),
    ENTRY (intake_submit_reply),
    ENTRY (intake_case_get),
    ENTRY (intake_case_get_reply),
    ENTRY (sys_error_reply),
    ENTRY (sys_status),
    ENTRY (sys_status_reply),
    ENTRY (sys_sync),
    ENTRY (sys_sync_reply),
    ENTRY (sys_heartbeat),
    ENTRY (case_classify),
    ENTRY (case_assign),
    ENTRY (case_handoff),
    ENTRY (case_start),
    ENTRY (case_complete),
    ENTRY (case_escalate),
    ENTRY (case_county_answer),
    ENTRY (case_return),
    ENTRY (case_reply),
    ENTRY (case_archive),
    ENTRY (case_accompany),
    ENTRY (routing_case_reply),
    ENTRY (routing_case_get),
    ENTRY (routing_case_get_reply),
    ENTRY (routing_queue),
    ENTRY (routing_queue_reply),
    ENTRY (routing_queue_item),
    ENTRY (runsheet_new),
    ENTRY (runsheet_new_reply),
    ENTRY (runsheet_ack),
    ENTRY (runsheet_ack_reply),
    ENTRY (case_routed),
    ENTRY (case_classified),
    ENTRY (case_assigned),
    ENTRY (case_handed_off),
    ENTRY (case_started),
    ENTRY (case_part_completed),
    ENTRY (case_completed),
    ENTRY (case_escalated),
    ENTRY (case_county_answered),
    ENTRY (case_returned),
    ENTRY (case_replied),
    ENTRY (case_archived),
    ENTRY (case_accompanied),
    ENTRY (runsheet_created),
    ENTRY (runsheet_acknowledged),
    ENTRY (intake_supplement),
    ENTRY (intake_supplement_reply),
    ENTRY (case_materials_supplemented),
    ENTRY (intake_refuse),
    ENTRY (intake_refuse_reply),
    ENTRY (case_refused),
    ENTRY (intake_visit),
    ENTRY (intake_visit_reply),
    ENTRY (visit_recorded),
    ENTRY (intake_logbook),
    ENTRY (intake_logbook_reply),
    ENTRY (intake_logbook_entry),
    ENTRY (intake_visit_list),
    ENTRY (intake_must_add),
    ENTRY (intake_must_add_reply),
    ENTRY (intake_must_list),
    ENTRY (intake_must_list_reply),
    ENTRY (intake_must_item),
    ENTRY (intake_handover),
    ENTRY (intake_handover_reply),
    ENTRY (handover_pending),
    ENTRY (intake_handover_list),
    ENTRY (intake_handover_list_reply),
    ENTRY (intake_handover_item),
    ENTRY (intake_handover_accept),
    ENTRY (intake_handover_accept_reply),
    ENTRY (handover_accepted),
    ENTRY (intake_handover_return),
    ENTRY (intake_handover_return_reply),
    ENTRY (handover_returned),
    ENTRY (intake_visit_list_reply),
    ENTRY (intake_visit_item),
    ENTRY (catalog_reload),
    ENTRY (catalog_reload_reply),
    ENTRY (case_resumed),
    ENTRY (deadline_case_due),
    ENTRY (deadline_case_due_reply),
    ENTRY (deadline_clock),
    ENTRY (deadline_case_explain),
    ENTRY (deadline_case_explain_reply),
    ENTRY (deadline_case_suspend),
    ENTRY (deadline_case_resume),
    ENTRY (deadline_calendar_reload),
    ENTRY (deadline_calendar_reload_reply),
    ENTRY (deadline_warning),
    ENTRY (deadline_overdue),
    ENTRY (deadline_violation),
    ENTRY (deadline_explained),
    ENTRY (deadline_queue),
    ENTRY (deadline_queue_reply),
    ENTRY (deadline_due),
    ENTRY (deadline_due_changed),
    ENTRY (eval_rate),
    ENTRY (eval_rate_reply),
    ENTRY (eval_month),
    ENTRY (eval_month_reply),
    ENTRY (eval_figure),
    ENTRY (eval_board),
    ENTRY (eval_board_reply),
    ENTRY (eval_board_row),
    ENTRY (board_row),
    ENTRY (eval_period),
    ENTRY (eval_period_reply),
    ENTRY (routing_board),
    ENTRY (routing_board_reply),
    ENTRY (routing_board_item),
    ENTRY (eval_close),
    ENTRY (eval_close_reply),
    ENTRY (eval_sample),
    ENTRY (eval_sample_reply),
    ENTRY (eval_export),
    ENTRY (eval_export_reply),
    ENTRY (eval_rated),
    ENTRY (eval_card),
    ENTRY (eval_card_reply),
    ENTRY (eval_report),
    ENTRY (eval_callback_record),
    ENTRY (eval_callback_record_reply),
    ENTRY (eval_callback_list),
    ENTRY (eval_callback_list_reply),
    ENTRY (eval_callback_item),
    ENTRY (eval_followup_record),
    ENTRY (eval_followup_record_reply),
    ENTRY (eval_callback_recorded),
    ENTRY (eval_followup_opened),
    ENTRY (eval_followup_recorded),
    ENTRY (intake_case_contact),
    ENTRY (intake_case_contact_reply),
    ENTRY (audit_entry),
    ENTRY (audit_head),
    ENTRY (audit_violation),
    ENTRY (audit_spotcheck_draw),
    ENTRY (audit_spotcheck_draw_reply),
    ENTRY (audit_spotcheck_record),
    ENTRY (audit_spotcheck_record_reply),
    ENTRY (audit_findings),
    ENTRY (audit_findings_reply),
    ENTRY (audit_finding),
    ENTRY (audit_summary),
    ENTRY (audit_summary_signed),
    ENTRY (audit_summary_sign),
    ENTRY (audit_summary_sign_reply),
    ENTRY (audit_summary_list),
    ENTRY (audit_summary_list_reply),
    ENTRY (case_correct),
    ENTRY (case_correct_reply),
    ENTRY (case_corrected),
    ENTRY (case_correction),
    ENTRY (audit_head_record),
    ENTRY (audit_case),
    ENTRY (audit_case_reply),
    ENTRY (audit_case_entry),
    ENTRY (audit_proof),
    ENTRY (audit_proof_reply),
    ENTRY (audit_verify),
    ENTRY (audit_verify_reply),
};

static void
test_round_trip_every_message (void)
{
    /* A message added to the schemas must be added here too. */
    guint n_messages = 0;
    for (gsize i = 0; i < dbn_msg_n_infos; i++) {
        const DbnMsgInfo *info = &dbn_msg_infos[i];
        if (g_str_has_prefix (info->name, "env_"))
            continue;
        n_messages++;
        gboolean found = FALSE;
        for (gsize j = 0; j < G_N_ELEMENTS (round_trips); j++)
            found |= strcmp (round_trips[j].name, info->name) == 0;
        if (!found)
            g_error ("no round-trip test for %s", info->name);
    }
    g_assert_cmpuint (n_messages, ==, G_N_ELEMENTS (round_trips));

    for (gsize j = 0; j < G_N_ELEMENTS (round_trips); j++) {
        const RoundTrip *rt = &round_trips[j];
        const DbnMsgInfo *info = dbn_msg_info_lookup (rt->name);
        for (int full = 0; full <= 1; full++) {
            g_autoptr (GError) error = NULL;
            gpointer msg = rt->make (full);
            g_autoptr (GBytes) first = rt->encode (msg, &error);
            g_assert_no_error (error);
            const guint8 *data = g_bytes_get_data (first, NULL);
            gsize len = g_bytes_get_size (first);

            gpointer back = rt->decode (data, len, &error);
            g_assert_no_error (error);
            g_assert_nonnull (back);
            /* The encoding is canonical, so equal bytes mean equal values. */
            g_autoptr (GBytes) second = rt->encode (back, &error);
            g_assert_no_error (error);
            if (!g_bytes_equal (first, second))
                g_error ("%s (full=%d) did not survive a round trip", rt->name, full);
            g_assert_true (info->check (data, len, NULL));
            if (!full)
                g_assert_true (len < 4096);
            rt->free (back);
            rt->free (msg);
        }
    }
}

static gboolean
contains (GBytes *frame, const char *text)
{
    gsize len = g_bytes_get_size (frame);
    const guint8 *data = g_bytes_get_data (frame, NULL);
    gsize n = strlen (text);
    for (gsize i = 0; i + n <= len; i++) {
        if (memcmp (data + i, text, n) == 0)
            return TRUE;
    }
    return FALSE;
}

static void
test_intake_submit_round_trip (void)
{
    g_autoptr (DbnMsgIntakeSubmit) full = make_intake_submit (TRUE);
    g_autoptr (DbnMsgIntakeSubmit) minimal = make_intake_submit (FALSE);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) full_frame = dbn_msg_intake_submit_encode (full, &error);
    g_autoptr (GBytes) minimal_frame = dbn_msg_intake_submit_encode (minimal, &error);
    g_assert_no_error (error);

    g_autoptr (DbnMsgIntakeSubmit) a = decode_intake_submit (full_frame, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (a->env.cmd, ==, "intake.submit");
    g_assert_cmpstr (a->env.key, ==, "k-0001");
    g_assert_cmpstr (a->env.actor, ==, "window:w1");
    g_assert_cmpstr (a->applicant, ==, "张三");
    g_assert_cmpstr (a->id_number, ==, "110105199001011234");
    g_assert_cmpstrv (a->materials, materials);
    g_assert_true (a->consent);
    g_assert_cmpstr (a->channel, ==, "walk-in");
    g_assert_cmpstr (a->address, ==, "北京市海淀区中关村大街1号");
    g_assert_cmpstr (a->note, ==, "想办低保");

    /* Absent optional fields are not written, and come back NULL; a NULL
     * GStrv goes out as an empty array and comes back as an empty vector. */
    g_assert_false (contains (minimal_frame, "channel"));
    g_assert_false (contains (minimal_frame, "actor"));
    g_assert_true (contains (minimal_frame, "materials"));
    g_autoptr (DbnMsgIntakeSubmit) b = decode_intake_submit (minimal_frame, &error);
    g_assert_no_error (error);
    g_assert_null (b->env.actor);
    g_assert_null (b->channel);
    g_assert_null (b->address);
    g_assert_null (b->note);
    g_assert_nonnull (b->materials);
    g_assert_cmpuint (g_strv_length (b->materials), ==, 0);
}

static void
test_sys_sync_optional_int (void)
{
    g_autoptr (DbnMsgSysSync) with_max = make_sys_sync (TRUE);
    g_autoptr (DbnMsgSysSync) without = make_sys_sync (FALSE);
    g_autoptr (GBytes) a = dbn_msg_sys_sync_encode (with_max, NULL);
    g_autoptr (GBytes) b = dbn_msg_sys_sync_encode (without, NULL);
    g_autoptr (DbnMsgSysSync) da =
        dbn_msg_sys_sync_decode (g_bytes_get_data (a, NULL), g_bytes_get_size (a), NULL);
    g_autoptr (DbnMsgSysSync) db =
        dbn_msg_sys_sync_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), NULL);

    g_assert_true (da->has_max);
    g_assert_cmpint (da->max, ==, 0);
    g_assert_false (db->has_max);
    g_assert_cmpint (db->max, ==, 0);
    g_assert_false (contains (b, "max"));
}

static void
test_sys_sync_reply_bytes (void)
{
    g_autoptr (DbnMsgSysSyncReply) m = make_sys_sync_reply (TRUE);
    g_autoptr (GBytes) frame = dbn_msg_sys_sync_reply_encode (m, NULL);
    g_autoptr (DbnMsgSysSyncReply) back =
        dbn_msg_sys_sync_reply_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), NULL);

    g_assert_cmpuint (back->events->len, ==, 2);
    g_assert_true (g_bytes_equal (g_ptr_array_index (back->events, 0), g_ptr_array_index (m->events, 0)));
    g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (back->events, 1)), ==, 0);
    g_assert_cmpint (back->newest, ==, 43);
}

/* ---------------------------------------------------------------- new and encode */

static void
test_new_fills_envelope (void)
{
    g_autoptr (DbnMsgCaseAccepted) event = dbn_msg_case_accepted_new ();
    g_autoptr (DbnMsgIntakeSubmit) command = dbn_msg_intake_submit_new ();
    g_autoptr (DbnMsgIntakeSubmitReply) reply = dbn_msg_intake_submit_reply_new ();

    g_assert_cmpint (event->env.v, ==, DBN_SCHEMA_VERSION);
    g_assert_cmpstr (event->env.type, ==, "case.accepted");
    g_assert_null (event->env.src);
    g_assert_null (event->matter);
    g_assert_cmpstr (command->env.cmd, ==, DBN_MSG_INTAKE_SUBMIT_WIRE);
    g_assert_false (command->consent);
    g_assert_true (reply->env.ok);
    g_assert_cmpstr (reply->env.code, ==, "ok");
    g_assert_cmpstr (reply->env.msg_zh, ==, "");
    g_assert_cmpstr (reply->env.msg_en, ==, "");

    dbn_msg_case_accepted_free (NULL);
}

static void
test_encode_refuses_over_limit (void)
{
    g_autoptr (DbnMsgCaseAccepted) m = make_case_accepted (TRUE);
    g_autoptr (GError) error = NULL;

    g_free (m->matter);
    m->matter = repeat ("m", 33);
    g_assert_null (dbn_msg_case_accepted_encode (m, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
    g_assert_cmpstr (error->message, ==, "case.accepted: field 'matter' is 33 bytes, over its limit of 32");
    g_clear_error (&error);
    g_free (m->matter);
    m->matter = g_strdup ("M001");

    g_strfreev (m->materials);
    m->materials = make_strv (65, 1);
    g_assert_null (dbn_msg_case_accepted_encode (m, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
    g_clear_error (&error);

    g_strfreev (m->materials);
    m->materials = make_strv (1, 129);
    g_assert_null (dbn_msg_case_accepted_encode (m, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
    g_clear_error (&error);

    g_free (m->env.actor);
    m->env.actor = repeat ("a", 129);
    g_clear_pointer (&m->materials, g_strfreev);
    g_assert_null (dbn_msg_case_accepted_encode (m, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);
}

static void
test_encode_refuses_missing_and_invalid (void)
{
    g_autoptr (DbnMsgCaseAccepted) m = make_case_accepted (TRUE);
    g_autoptr (GError) error = NULL;

    g_clear_pointer (&m->state, g_free);
    g_assert_null (dbn_msg_case_accepted_encode (m, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD);
    g_assert_cmpstr (error->message, ==, "case.accepted: field 'state' missing");
    g_clear_error (&error);

    /* A fresh message lacks src and actor until the producer sets them. */
    g_autoptr (DbnMsgCaseAccepted) fresh = dbn_msg_case_accepted_new ();
    g_assert_null (dbn_msg_case_accepted_encode (fresh, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD);
    g_clear_error (&error);

    m->state = g_strdup ("\xff");
    g_assert_null (dbn_msg_case_accepted_encode (m, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE);
    g_clear_error (&error);

    g_autoptr (DbnMsgSysSyncReply) r = make_sys_sync_reply (TRUE);
    g_ptr_array_add (r->events, NULL);
    g_assert_null (dbn_msg_sys_sync_reply_encode (r, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE);
}

static void
test_encode_refuses_oversize_frame (void)
{
    g_autoptr (DbnMsgSysSyncReply) r = make_sys_sync_reply (FALSE);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) event = g_bytes_new_take (g_malloc0 (65536), 65536);

    /* 100 events of 64 KiB each are within the schema's limits but not the frame's. */
    r->events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (int i = 0; i < 100; i++)
        g_ptr_array_add (r->events, g_bytes_ref (event));
    g_assert_null (dbn_msg_sys_sync_reply_encode (r, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TOO_LARGE);

    /* The thread's encoder is fine afterwards. */
    g_autoptr (DbnMsgSysStatus) s = make_sys_status (TRUE);
    g_autoptr (GBytes) ok = dbn_msg_sys_status_encode (s, NULL);
    g_assert_nonnull (ok);
}

/* ---------------------------------------------------------------- envelopes */

static void
test_env_event_ignores_body (void)
{
    /* The body may be anything: env_event reads only the envelope keys. */
    g_autoptr (GBytes) frame = CASE_ACCEPTED (NULL, { "matter", V_INT, .i = 5 }, { "state", V_NIL }, );
    g_auto (DbnEnvEvent) env = { 0 };
    g_autoptr (GError) error = NULL;

    g_assert_true (
        dbn_env_event_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &env, &error));
    g_assert_no_error (error);
    g_assert_cmpint (env.v, ==, 1);
    g_assert_cmpstr (env.type, ==, "case.accepted");
    g_assert_cmpstr (env.src, ==, "intake");
    g_assert_cmpint (env.seq, ==, 42);
    g_assert_cmpstr (env.case_no, ==, "HD-2025-000001");
    g_assert_cmpstr (env.actor, ==, "station:hd01");

    /* Any type is fine for the envelope decoder. */
    g_autoptr (GBytes) other = CASE_ACCEPTED (NULL, { "type", V_STR, .s = "case.refused" }, );
    dbn_env_event_clear (&env);
    g_assert_true (
        dbn_env_event_decode (g_bytes_get_data (other, NULL), g_bytes_get_size (other), &env, NULL));
    g_assert_cmpstr (env.type, ==, "case.refused");
}

static void
test_env_event_is_strict (void)
{
    g_autofree char *actor129 = repeat ("a", 129);
    g_autoptr (GBytes) v2 = CASE_ACCEPTED (NULL, { "v", V_INT, .i = 2 }, );
    g_autoptr (GBytes) long_actor = CASE_ACCEPTED (NULL, { "actor", V_STR, .s = actor129 }, );
    g_autoptr (GBytes) valid = CASE_ACCEPTED (NULL, );
    g_autoptr (GBytes) trailing = append_bytes (valid, "\xc0", 1);
    g_autoptr (GBytes) no_src = CASE_ACCEPTED ("src", );
    struct {
        GBytes *frame;
        int code;
    } cases[] = {
        { v2, DBN_CODEC_ERROR_UNKNOWN_VERSION },
        { long_actor, DBN_CODEC_ERROR_TOO_LARGE },
        { trailing, DBN_CODEC_ERROR_TRAILING_BYTES },
        { no_src, DBN_CODEC_ERROR_MISSING_FIELD },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        DbnEnvEvent env;
        g_autoptr (GError) error = NULL;
        memset (&env, 0xaa, sizeof env);
        g_assert_false (dbn_env_event_decode (g_bytes_get_data (cases[i].frame, NULL),
                                              g_bytes_get_size (cases[i].frame), &env, &error));
        g_assert_error (error, DBN_CODEC_ERROR, cases[i].code);
        /* Left zeroed: clearing it is safe. */
        g_assert_null (env.type);
        g_assert_null (env.actor);
        dbn_env_event_clear (&env);
    }

    /* A command decoder looks for "cmd" in an event and does not find it. */
    g_auto (DbnEnvCommand) cmd = { 0 };
    g_autoptr (GError) error = NULL;
    g_assert_false (
        dbn_env_command_decode (g_bytes_get_data (valid, NULL), g_bytes_get_size (valid), &cmd, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD);
    g_assert_cmpstr (error->message, ==, "command envelope: field 'cmd' missing");
}

/* ---------------------------------------------------------------- the case_row reader */

static const Pair case_started_pairs[] = {
    { "v", V_INT, .i = 1 },
    { "type", V_STR, .s = "case.started" },
    { "src", V_STR, .s = "routing" },
    { "seq", V_INT, .i = 77 },
    { "ts", V_INT, .i = G_GINT64_CONSTANT (1735689600000) },
    { "case", V_STR, .s = "T01-2026-000001" },
    { "actor", V_STR, .s = "window:jisheng" },
    { "window", V_STR, .s = "jisheng" },
    { "station", V_STR, .s = "qingshui" },
    { "area", V_STR, .s = "east" },
    { "state", V_STR, .s = "in_progress" },
    { "kind", V_STR, .s = "committed" },
    { "holder", V_STR, .s = "window:jisheng" },
    { "responsible", V_STR, .s = "station:qingshui" },
    { "location", V_STR, .s = "centre" },
};

#define CASE_STARTED(omit, ...)                                                                              \
    frame_with (case_started_pairs, G_N_ELEMENTS (case_started_pairs), omit,                                 \
                (const Pair[]){ __VA_ARGS__{ NULL } })

static DbnMsgCaseRow *
read_row (GBytes *frame, GError **error)
{
    DbnMsgCaseRow *row = (DbnMsgCaseRow *) 0x1;
    gboolean ok =
        dbn_msg_case_row_read (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &row, error);
    /* Never a row with a failure, never a stale pointer left behind. */
    g_assert_true (ok || row == NULL);
    g_assert_true (row != (DbnMsgCaseRow *) 0x1);
    return row;
}

static void
assert_row_refused (GBytes *frame, int code, const char *message)
{
    g_autoptr (GError) error = NULL;
    DbnMsgCaseRow *row = (DbnMsgCaseRow *) 0x1;
    g_assert_false (
        dbn_msg_case_row_read (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &row, &error));
    g_assert_null (row);
    g_assert_error (error, DBN_CODEC_ERROR, code);
    if (message != NULL)
        g_assert_cmpstr (error->message, ==, message);
}

static void
test_case_row_reads_any_carrier (void)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) started = CASE_STARTED (NULL, );
    g_autoptr (DbnMsgCaseRow) row = read_row (started, &error);
    g_assert_no_error (error);
    g_assert_nonnull (row);
    g_assert_cmpstr (row->env.type, ==, "case.started");
    g_assert_cmpstr (row->env.case_no, ==, "T01-2026-000001");
    g_assert_cmpint (row->env.seq, ==, 77);
    g_assert_cmpstr (row->window, ==, "jisheng");
    g_assert_cmpstr (row->station, ==, "qingshui");
    g_assert_cmpstr (row->area, ==, "east");
    g_assert_cmpstr (row->state, ==, "in_progress");
    g_assert_cmpstr (row->kind, ==, "committed");
    g_assert_cmpstr (row->holder, ==, "window:jisheng");
    g_assert_cmpstr (row->responsible, ==, "station:qingshui");
    g_assert_cmpstr (row->location, ==, "centre");

    /* The carrier's own keys (from, to, reason) are not the reader's business. */
    g_autoptr (DbnMsgCaseAssigned) assigned = make_case_assigned (TRUE);
    g_autoptr (GBytes) frame = dbn_msg_case_assigned_encode (assigned, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgCaseRow) from_assigned = read_row (frame, &error);
    g_assert_no_error (error);
    g_assert_nonnull (from_assigned);
    g_assert_cmpstr (from_assigned->env.type, ==, DBN_MSG_CASE_ASSIGNED_WIRE);
    g_assert_cmpstr (from_assigned->env.case_no, ==, assigned->env.case_no);
    g_assert_cmpstr (from_assigned->window, ==, assigned->window);
    g_assert_cmpstr (from_assigned->state, ==, assigned->state);
    g_assert_cmpstr (from_assigned->holder, ==, assigned->holder);
    g_assert_cmpstr (from_assigned->location, ==, assigned->location);

    /* A type newer than this build that carries the row is read too. */
    g_autoptr (GBytes) newer =
        CASE_STARTED (NULL, { "type", V_STR, .s = "case.reopened" }, { "why", V_INT, .i = 1 }, );
    g_autoptr (DbnMsgCaseRow) from_newer = read_row (newer, &error);
    g_assert_no_error (error);
    g_assert_nonnull (from_newer);
    g_assert_cmpstr (from_newer->env.type, ==, "case.reopened");
    g_assert_cmpstr (from_newer->holder, ==, "window:jisheng");
}

static void
test_case_row_rejects_wrong_type (void)
{
    g_autoptr (GBytes) kind_int = CASE_STARTED (NULL, { "kind", V_INT, .i = 3 }, );
    assert_row_refused (kind_int, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    g_autoptr (GBytes) state_nil = CASE_STARTED (NULL, { "state", V_NIL }, );
    assert_row_refused (state_nil, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    /* The envelope is checked as strictly: a case number that is no string. */
    g_autoptr (GBytes) case_int = CASE_STARTED (NULL, { "case", V_INT, .i = 1 }, );
    assert_row_refused (case_int, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
    /* Also in a type this build does not know: what is there is checked. */
    g_autoptr (GBytes) newer =
        CASE_STARTED (NULL, { "type", V_STR, .s = "case.reopened" }, { "location", V_BOOL, .i = 1 }, );
    assert_row_refused (newer, DBN_CODEC_ERROR_WRONG_FIELD_TYPE, NULL);
}

static void
test_case_row_rejects_missing_field (void)
{
    /* A declared carrier without a key of the row is broken, not rowless. */
    static const char *const keys[] = { "window", "station", "area",        "state",
                                        "kind",   "holder",  "responsible", "location" };
    for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
        g_autoptr (GBytes) frame = CASE_STARTED (keys[i], );
        g_autofree char *message = g_strdup_printf ("case_row: field '%s' missing", keys[i]);
        assert_row_refused (frame, DBN_CODEC_ERROR_MISSING_FIELD, message);
    }
    /* The envelope's required keys are the reader's too. */
    g_autoptr (GBytes) no_seq = CASE_STARTED ("seq", );
    assert_row_refused (no_seq, DBN_CODEC_ERROR_MISSING_FIELD, "case_row: field 'seq' missing");
    g_autoptr (GBytes) no_type = CASE_STARTED ("type", );
    assert_row_refused (no_type, DBN_CODEC_ERROR_MISSING_FIELD, "case_row: field 'type' missing");
    g_autoptr (GBytes) no_v = CASE_STARTED ("v", );
    assert_row_refused (no_v, DBN_CODEC_ERROR_MISSING_FIELD, "case_row: field 'v' missing");
}

static void
test_case_row_rejects_oversize (void)
{
    g_autofree char *state33 = repeat ("s", 33);
    g_autofree char *responsible129 = repeat ("r", 129);
    g_autofree char *location17 = repeat ("l", 17);
    g_autofree char *state32 = repeat ("s", 32);
    g_autoptr (GBytes) long_state = CASE_STARTED (NULL, { "state", V_STR, .s = state33 }, );
    assert_row_refused (long_state, DBN_CODEC_ERROR_TOO_LARGE, NULL);
    g_autoptr (GBytes) long_responsible =
        CASE_STARTED (NULL, { "responsible", V_STR, .s = responsible129 }, );
    assert_row_refused (long_responsible, DBN_CODEC_ERROR_TOO_LARGE, NULL);
    g_autoptr (GBytes) long_location = CASE_STARTED (NULL, { "location", V_STR, .s = location17 }, );
    assert_row_refused (long_location, DBN_CODEC_ERROR_TOO_LARGE, NULL);
    /* At the limit is fine. */
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) at_limit = CASE_STARTED (NULL, { "state", V_STR, .s = state32 }, );
    g_autoptr (DbnMsgCaseRow) row = read_row (at_limit, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (row->state, ==, state32);
    /* And the frame as a whole: version, trailing bytes, garbage. */
    g_autoptr (GBytes) v2 = CASE_STARTED (NULL, { "v", V_INT, .i = 2 }, );
    assert_row_refused (v2, DBN_CODEC_ERROR_UNKNOWN_VERSION, NULL);
    g_autoptr (GBytes) valid = CASE_STARTED (NULL, );
    g_autoptr (GBytes) trailing = append_bytes (valid, "\xc0", 1);
    assert_row_refused (trailing, DBN_CODEC_ERROR_TRAILING_BYTES, NULL);
    g_autoptr (GBytes) junk = g_bytes_new_static ("\xc1\xc1", 2);
    assert_row_refused (junk, DBN_CODEC_ERROR_MALFORMED, NULL);
    g_autoptr (GBytes) array = g_bytes_new_static ("\x90", 1);
    assert_row_refused (array, DBN_CODEC_ERROR_WRONG_ROOT_TYPE, NULL);
}

static void
test_case_row_every_event (void)
{
    /* Every event of the schemas, as the round trips make it: the declared
     * carriers give their row, every other event (runsheet.created with its
     * station and area, intake's case.accepted with its state, deadline's)
     * none, and no error. */
    guint carriers = 0;
    for (gsize j = 0; j < G_N_ELEMENTS (round_trips); j++) {
        const RoundTrip *rt = &round_trips[j];
        const DbnMsgInfo *info = dbn_msg_info_lookup (rt->name);
        if (strcmp (info->envelope, "event") != 0)
            continue;
        for (int full = 0; full <= 1; full++) {
            g_autoptr (GError) error = NULL;
            gpointer msg = rt->make (full);
            g_autoptr (GBytes) frame = rt->encode (msg, &error);
            g_assert_no_error (error);
            g_autoptr (DbnMsgCaseRow) row = read_row (frame, &error);
            g_assert_no_error (error);
            if (dbn_msg_case_row_carried_by (info->wire)) {
                if (row == NULL)
                    g_error ("%s (full=%d) carries case_row, but none was read", rt->name, full);
                g_assert_cmpstr (row->env.type, ==, info->wire);
                g_assert_nonnull (row->location);
                carriers += full;
            } else if (row != NULL) {
                g_error ("%s (full=%d) does not carry case_row, but one was read", rt->name, full);
            }
            rt->free (msg);
        }
    }
    /* routing.xml: fifteen case.* events (case.correction among them) and
     * runsheet.acknowledged. */
    g_assert_cmpuint (carriers, ==, 16);
}

static void
test_case_row_event_without_row (void)
{
    g_autoptr (GError) error = NULL;
    /* A type newer than this build without the row's keys. */
    g_autoptr (GBytes) newer = CASE_STARTED ("holder", { "type", V_STR, .s = "case.reopened" }, );
    g_assert_null (read_row (newer, &error));
    g_assert_no_error (error);

    g_assert_true (dbn_msg_case_row_carried_by (DBN_MSG_CASE_ROUTED_WIRE));
    g_assert_true (dbn_msg_case_row_carried_by (DBN_MSG_CASE_ARCHIVED_WIRE));
    g_assert_true (dbn_msg_case_row_carried_by (DBN_MSG_RUNSHEET_ACKNOWLEDGED_WIRE));
    g_assert_false (dbn_msg_case_row_carried_by (DBN_MSG_RUNSHEET_CREATED_WIRE));
    g_assert_false (dbn_msg_case_row_carried_by (DBN_MSG_CASE_ACCEPTED_WIRE));
    g_assert_false (dbn_msg_case_row_carried_by (DBN_MSG_DEADLINE_DUE_CHANGED_WIRE));
    g_assert_false (dbn_msg_case_row_carried_by ("case.reopened"));
    g_assert_false (dbn_msg_case_row_carried_by (NULL));
}

static void
test_env_reply_error_reply (void)
{
    g_auto (DbnEnvReply) env = { 0 };
    g_auto (DbnEnvReply) back = { 0 };
    g_autoptr (GError) error = NULL;

    env.v = DBN_SCHEMA_VERSION;
    env.ok = FALSE;
    env.code = g_strdup ("codec.missing-field");
    env.msg_zh = g_strdup ("消息缺少必填项");
    env.msg_en = g_strdup ("required field missing");
    g_autoptr (GBytes) frame = dbn_env_reply_encode (&env, &error);
    g_assert_no_error (error);

    g_assert_true (
        dbn_env_reply_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &back, &error));
    g_assert_false (back.ok);
    g_assert_cmpstr (back.code, ==, "codec.missing-field");
    g_assert_cmpstr (back.msg_zh, ==, "消息缺少必填项");

    /* The body is absent in an error reply: a client reads the envelope first. */
    g_autoptr (DbnMsgIntakeSubmitReply) msg =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
    g_assert_null (msg);
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MISSING_FIELD);
}

/* ---------------------------------------------------------------- registry */

/* Counts the <envelope> and <message> elements of one schema file. */
static void
count_schema_element (G_GNUC_UNUSED GMarkupParseContext *context, const char *element,
                      G_GNUC_UNUSED const char **names, G_GNUC_UNUSED const char **values,
                      gpointer user_data, G_GNUC_UNUSED GError **error)
{
    guint *n = user_data;
    if (strcmp (element, "envelope") == 0 || strcmp (element, "message") == 0)
        (*n)++;
}

/* The messages the schemas declare, read from the XML itself (not through the
 * generator), so the registry's size is checked against an independent count. */
static guint
count_schema_messages (void)
{
    const char *top = g_getenv ("DAIBAN_SOURCE_DIR");
    g_assert_nonnull (top);
    g_autofree char *dir_path = g_build_filename (top, "schemas", "messages", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &error);
    g_assert_no_error (error);
    static const GMarkupParser parser = { .start_element = count_schema_element };
    guint n = 0, n_files = 0;
    for (const char *name; (name = g_dir_read_name (dir)) != NULL;) {
        if (!g_str_has_suffix (name, ".xml"))
            continue;
        g_autofree char *path = g_build_filename (dir_path, name, NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        g_assert_true (g_file_get_contents (path, &text, &len, &error));
        g_autoptr (GMarkupParseContext) ctx = g_markup_parse_context_new (&parser, 0, &n, NULL);
        g_assert_true (g_markup_parse_context_parse (ctx, text, (gssize) len, &error));
        g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
        g_assert_no_error (error);
        n_files++;
    }
    g_assert_cmpuint (n_files, >, 1);
    return n;
}

static void
test_registry (void)
{
    /* The envelopes + the messages of the schemas/messages XML files, counted from the
     * files: a message added to a schema grows both sides, and one lost by the
     * generator (or a schema file it was not given) fails here. */
    g_assert_cmpuint (dbn_msg_n_infos, ==, count_schema_messages ());
    for (gsize i = 1; i < dbn_msg_n_infos; i++)
        g_assert_cmpint (strcmp (dbn_msg_infos[i - 1].name, dbn_msg_infos[i].name), <, 0);

    const DbnMsgInfo *info = dbn_msg_info_lookup ("case_accepted");
    g_assert_nonnull (info);
    g_assert_cmpstr (info->wire, ==, "case.accepted");
    g_assert_cmpstr (info->envelope, ==, "event");

    info = dbn_msg_info_lookup ("intake_submit_reply");
    g_assert_null (info->wire);
    g_assert_cmpstr (info->envelope, ==, "reply");

    info = dbn_msg_info_lookup ("env_command");
    g_assert_null (info->wire);
    g_assert_cmpstr (info->envelope, ==, "command");

    g_assert_null (dbn_msg_info_lookup ("case.accepted"));
    g_assert_null (dbn_msg_info_lookup ("nope"));

    /* Every decoder refuses garbage with a codec error. */
    static const guint8 garbage[] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
    for (gsize i = 0; i < dbn_msg_n_infos; i++) {
        g_autoptr (GError) error = NULL;
        g_assert_false (dbn_msg_infos[i].check (garbage, sizeof garbage, &error));
        g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED);
    }
}

/* ---------------------------------------------------------------- JSON */

static void
test_to_json_scalars_and_keys (void)
{
    GByteArray *b = g_byte_array_new ();
    g_autoptr (GError) error = NULL;

    mp_map (b, 7);
    mp_str (b, "a");
    mp_int (b, 1);
    mp_str (b, "b");
    mp_array (b, 4);
    put_byte (b, 0xc3);
    put_byte (b, 0xc0);
    g_byte_array_append (b, (const guint8 *) "\xcb\x3f\xf8\0\0\0\0\0\0", 9); /* 1.5 */
    mp_int (b, -3);
    mp_str (b, "c");
    mp_bin (b, "hi", 2);
    mp_int (b, 7);
    mp_str (b, "x");
    mp_str (b, "e");
    mp_str (b, "中文");
    mp_str (b, "big");
    put_byte (b, 0xcf);
    put_be (b, G_MAXINT64, 8);
    mp_str (b, "bad");
    mp_str_len (b, "a\xff", 2);
    g_autoptr (GBytes) frame = take_frame (b);

    g_autofree char *json =
        dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json, ==,
                     "{\"a\":1,\"b\":[true,null,1.5,-3],\"c\":\"aGk=\",\"7\":\"x\",\"e\":\"中文\","
                     "\"big\":9223372036854775807,\"bad\":\"a\xef\xbf\xbd\"}");

    static const guint8 scalar[] = { 0x05 };
    g_autofree char *five = dbn_codec_to_json (scalar, sizeof scalar, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (five, ==, "5");
}

static void
test_to_json_message (void)
{
    g_autoptr (DbnMsgCaseAccepted) m = make_case_accepted (TRUE);
    g_autoptr (GBytes) frame = dbn_msg_case_accepted_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autofree char *json =
        dbn_codec_to_json (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &error);
    g_assert_no_error (error);

    g_autoptr (JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_int_member (o, "v"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "case.accepted");
    g_assert_cmpstr (json_object_get_string_member (o, "case"), ==, "HD-2025-000001");
    g_assert_cmpstr (json_object_get_string_member (o, "id_number"), ==, "110105********1234");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "materials")), ==, 2);
}

static void
test_to_json_rejects (void)
{
    static const guint8 trailing[] = { 0x80, 0xc0 };
    static const guint8 bomb[] = { 0xdf, 0x08, 0x00, 0x00, 0x00 };
    g_autoptr (GError) error = NULL;

    g_assert_null (dbn_codec_to_json (trailing, sizeof trailing, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_TRAILING_BYTES);
    g_clear_error (&error);
    g_assert_null (dbn_codec_to_json (bomb, sizeof bomb, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED);
}

/* ---------------------------------------------------------------- masks */

static void
assert_mask (char *masked, const char *expected)
{
    g_assert_cmpstr (masked, ==, expected);
    g_free (masked);
}

static void
test_masks (void)
{
    assert_mask (dbn_codec_mask_id_number ("110105199001011234"), "110105********1234");
    assert_mask (dbn_codec_mask_id_number ("11010519900101123X"), "110105********123X");
    assert_mask (dbn_codec_mask_phone ("13800138000"), "138****8000");
    assert_mask (dbn_codec_mask_address ("北京市海淀区中关村大街1号"), "北京市海淀区***");
    /* Characters, not bytes: a Chinese name is cut at a character boundary. */
    assert_mask (dbn_codec_mask_phone ("电话一二三四五六七八"), "电话一***五六七八");
    /* Too short to keep both ends: everything goes. */
    assert_mask (dbn_codec_mask_id_number ("1234567890"), "**********");
    assert_mask (dbn_codec_mask_phone ("1234567"), "*******");
    assert_mask (dbn_codec_mask_address ("东村"), "***");
    assert_mask (dbn_codec_mask_id_number (""), "");
    assert_mask (dbn_codec_mask_address (""), "");
    g_assert_null (dbn_codec_mask_id_number (NULL));
    g_assert_null (dbn_codec_mask_phone (NULL));
    g_assert_null (dbn_codec_mask_address (NULL));
}

/* ---------------------------------------------------------------- the generator */

static char *
run_generator (const char *out_dir, const char *extra)
{
    const char *python = g_getenv ("DBN_PYTHON");
    const char *source = g_getenv ("DAIBAN_SOURCE_DIR");
    g_autoptr (GError) error = NULL;
    g_autofree char *out = NULL;
    int status = 0;

    if (source == NULL)
        source = DBN_SOURCE_DIR;
    g_autofree char *command = g_strdup_printf (
        "%s %s/schemas/gen/dbn_codegen.py %s --out %s %s/schemas/messages/system.xml "
        "%s/schemas/messages/case.xml %s/schemas/messages/routing.xml %s/schemas/messages/deadline.xml "
        "%s/schemas/messages/envelope.xml %s/schemas/messages/audit.xml %s/schemas/messages/visits.xml "
        "%s/schemas/messages/eval.xml %s/schemas/messages/audit_query.xml %s/schemas/messages/handover.xml "
        "%s/schemas/messages/board.xml",
        python != NULL ? python : "python3", source, extra, out_dir, source, source, source, source, source,
        source, source, source, source, source, source);
    g_assert_true (g_spawn_command_line_sync (command, &out, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    return g_steal_pointer (&out);
}

static void
assert_same_file (const char *a, const char *b)
{
    g_autofree char *ca = NULL;
    g_autofree char *cb = NULL;
    gsize la = 0;
    gsize lb = 0;

    g_assert_true (g_file_get_contents (a, &ca, &la, NULL));
    g_assert_true (g_file_get_contents (b, &cb, &lb, NULL));
    if (la != lb || memcmp (ca, cb, la) != 0)
        g_error ("%s and %s differ", a, b);
}

static void
test_generator_deterministic (void)
{
    g_autofree char *dir_a = g_dir_make_tmp ("dbn-codegen-a-XXXXXX", NULL);
    g_autofree char *dir_b = g_dir_make_tmp ("dbn-codegen-b-XXXXXX", NULL);
    const char *build = g_getenv ("DAIBAN_BUILD_DIR");

    /* --list-outputs only lists. */
    g_autofree char *listing = run_generator (dir_a, "--list-outputs");
    g_auto (GStrv) files = g_strsplit (g_strstrip (listing), "\n", -1);
    /* A .c and a .h per schema file given (eleven), the registry and dbn_msg.h. */
    g_assert_cmpuint (g_strv_length (files), ==, 24);
    for (guint i = 0; files[i] != NULL; i++)
        g_assert_false (g_file_test (files[i], G_FILE_TEST_EXISTS));

    g_free (run_generator (dir_a, ""));
    g_free (run_generator (dir_b, ""));
    for (guint i = 0; files[i] != NULL; i++) {
        g_autofree char *name = g_path_get_basename (files[i]);
        g_autofree char *b = g_build_filename (dir_b, name, NULL);
        assert_same_file (files[i], b);
        /* And the build compiled exactly this. */
        if (build != NULL) {
            g_autofree char *built = g_build_filename (build, "gen", name, NULL);
            assert_same_file (files[i], built);
        }
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (files[i], &text, NULL, NULL));
        g_assert_true (g_str_has_prefix (text, "/* GENERATED from schemas/messages/"));
    }

    /* A second run into the same folder leaves the files alone (mtime kept). */
    GStatBuf after;
    struct utimbuf old = { 1, 1 };
    g_assert_cmpint (g_utime (files[0], &old), ==, 0);
    g_free (run_generator (dir_a, ""));
    g_assert_cmpint (g_stat (files[0], &after), ==, 0);
    g_assert_cmpint (after.st_mtime, ==, 1);

    for (guint i = 0; files[i] != NULL; i++) {
        g_autofree char *name = g_path_get_basename (files[i]);
        g_autofree char *b = g_build_filename (dir_b, name, NULL);
        g_assert_cmpint (g_remove (files[i]), ==, 0);
        g_assert_cmpint (g_remove (b), ==, 0);
    }
    g_assert_cmpint (g_rmdir (dir_a), ==, 0);
    g_assert_cmpint (g_rmdir (dir_b), ==, 0);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);

    g_test_add_func ("/codec/prevalidate/accepts-valid", test_prevalidate_accepts_valid);
    g_test_add_func ("/codec/prevalidate/reports-first-object", test_prevalidate_reports_first_object);
    g_test_add_func ("/codec/prevalidate/rejects-huge-counts", test_prevalidate_rejects_huge_counts);
    g_test_add_func ("/codec/prevalidate/rejects-depth-bomb", test_prevalidate_rejects_depth_bomb);
    g_test_add_func ("/codec/prevalidate/rejects-reserved-byte", test_prevalidate_rejects_reserved_byte);
    g_test_add_func ("/codec/prevalidate/rejects-oversize-frame", test_prevalidate_rejects_oversize_frame);
    g_test_add_func ("/codec/prevalidate/rejects-empty", test_prevalidate_rejects_empty);

    g_test_add_func ("/codec/case-accepted/decodes", test_case_accepted_decodes);
    g_test_add_func ("/codec/case-accepted/optional-absent", test_case_accepted_optional_absent);
    g_test_add_func ("/codec/case-accepted/rejects-wrong-root-type",
                     test_case_accepted_rejects_wrong_root_type);
    g_test_add_func ("/codec/case-accepted/rejects-missing-field", test_case_accepted_rejects_missing_field);
    g_test_add_func ("/codec/case-accepted/rejects-wrong-field-type",
                     test_case_accepted_rejects_wrong_field_type);
    g_test_add_func ("/codec/case-accepted/int-range", test_case_accepted_int_range);
    g_test_add_func ("/codec/case-accepted/rejects-invalid-utf8", test_case_accepted_rejects_invalid_utf8);
    g_test_add_func ("/codec/case-accepted/rejects-unknown-version",
                     test_case_accepted_rejects_unknown_version);
    g_test_add_func ("/codec/case-accepted/rejects-unknown-type", test_case_accepted_rejects_unknown_type);
    g_test_add_func ("/codec/case-accepted/rejects-string-over-limit",
                     test_case_accepted_rejects_string_over_limit);
    g_test_add_func ("/codec/case-accepted/rejects-array-over-limit",
                     test_case_accepted_rejects_array_over_limit);
    g_test_add_func ("/codec/case-accepted/rejects-trailing-bytes",
                     test_case_accepted_rejects_trailing_bytes);
    g_test_add_func ("/codec/case-accepted/rejects-truncated", test_case_accepted_rejects_truncated);
    g_test_add_func ("/codec/case-accepted/rejects-duplicate-key", test_case_accepted_rejects_duplicate_key);
    g_test_add_func ("/codec/case-accepted/ignores-unknown-keys", test_case_accepted_ignores_unknown_keys);
    g_test_add_func ("/codec/case-accepted/check-order", test_case_accepted_check_order);

    g_test_add_func ("/codec/intake-submit/round-trip", test_intake_submit_round_trip);
    g_test_add_func ("/codec/intake-submit/rejects-missing-field", test_intake_submit_rejects_missing_field);
    g_test_add_func ("/codec/intake-submit/rejects-wrong-field-type",
                     test_intake_submit_rejects_wrong_field_type);
    g_test_add_func ("/codec/intake-submit/rejects-unknown-version",
                     test_intake_submit_rejects_unknown_version);
    g_test_add_func ("/codec/intake-submit/rejects-string-over-limit",
                     test_intake_submit_rejects_string_over_limit);
    g_test_add_func ("/codec/intake-submit/rejects-array-over-limit",
                     test_intake_submit_rejects_array_over_limit);
    g_test_add_func ("/codec/intake-submit/rejects-trailing-bytes",
                     test_intake_submit_rejects_trailing_bytes);

    g_test_add_func ("/codec/sys-sync/optional-int", test_sys_sync_optional_int);
    g_test_add_func ("/codec/sys-sync-reply/bytes", test_sys_sync_reply_bytes);
    g_test_add_func ("/codec/sys-sync-reply/rejects-bytes-list-over-limit",
                     test_sys_sync_reply_rejects_bytes_list_over_limit);

    g_test_add_func ("/codec/round-trip/every-message", test_round_trip_every_message);
    g_test_add_func ("/codec/new/fills-envelope", test_new_fills_envelope);
    g_test_add_func ("/codec/encode/refuses-over-limit", test_encode_refuses_over_limit);
    g_test_add_func ("/codec/encode/refuses-missing-and-invalid", test_encode_refuses_missing_and_invalid);
    g_test_add_func ("/codec/encode/refuses-oversize-frame", test_encode_refuses_oversize_frame);

    g_test_add_func ("/codec/env-event/ignores-body", test_env_event_ignores_body);
    g_test_add_func ("/codec/env-event/is-strict", test_env_event_is_strict);
    g_test_add_func ("/codec/env-reply/error-reply", test_env_reply_error_reply);

    g_test_add_func ("/codec/case-row/reads-any-carrier", test_case_row_reads_any_carrier);
    g_test_add_func ("/codec/case-row/rejects-wrong-type", test_case_row_rejects_wrong_type);
    g_test_add_func ("/codec/case-row/rejects-missing-field", test_case_row_rejects_missing_field);
    g_test_add_func ("/codec/case-row/rejects-oversize", test_case_row_rejects_oversize);
    g_test_add_func ("/codec/case-row/every-event", test_case_row_every_event);
    g_test_add_func ("/codec/case-row/event-without-row", test_case_row_event_without_row);

    g_test_add_func ("/codec/registry/lookup-and-check", test_registry);

    g_test_add_func ("/codec/json/scalars-and-keys", test_to_json_scalars_and_keys);
    g_test_add_func ("/codec/json/message", test_to_json_message);
    g_test_add_func ("/codec/json/rejects", test_to_json_rejects);

    g_test_add_func ("/codec/mask/all", test_masks);

    g_test_add_func ("/codec/generator/deterministic", test_generator_deterministic);

    return g_test_run ();
}
