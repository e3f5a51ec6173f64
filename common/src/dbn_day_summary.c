/* dbn_day_summary.c: a daily summary's signed bytes (dbn_day_summary.h).
 * A fixed binary layout rather than the event's MessagePack: a checker with
 * only an Ed25519 library rebuilds it from the printed fields, whatever
 * order or encoding a peer used for the map. */
#include "daiban/dbn_day_summary.h"

#include <string.h>

#define MAGIC "DAIBAN-DAY-SUMMARY"

static void
put_u64 (GByteArray *b, gint64 value)
{
    guint64 v = (guint64) value;
    guint8 out[8];
    for (int i = 7; i >= 0; i--) {
        out[i] = (guint8) (v & 0xff);
        v >>= 8;
    }
    g_byte_array_append (b, out, 8);
}

static void
put_text (GByteArray *b, const char *text)
{
    gsize len = text != NULL ? strlen (text) : 0;
    guint8 l[2] = { (guint8) ((len >> 8) & 0xff), (guint8) (len & 0xff) };
    g_byte_array_append (b, l, 2);
    if (len > 0)
        g_byte_array_append (b, (const guint8 *) text, (guint) len);
}

GBytes *
dbn_day_summary_signed_bytes (const DbnMsgAuditSummary *m)
{
    g_return_val_if_fail (m != NULL, NULL);
    GByteArray *b = g_byte_array_new ();
    g_byte_array_append (b, (const guint8 *) MAGIC, strlen (MAGIC));
    guint8 version = 1;
    g_byte_array_append (b, &version, 1);
    /* Schema limits keep both texts far below 65,535 bytes. */
    put_text (b, m->window);
    put_text (b, m->day);
    put_u64 (b, m->env.ts);
    put_u64 (b, m->through);
    put_u64 (b, m->accepted);
    put_u64 (b, m->completed);
    put_u64 (b, m->overdue);
    put_u64 (b, m->violations);
    put_u64 (b, m->rated_satisfied);
    put_u64 (b, m->rated_basic);
    put_u64 (b, m->rated_unsatisfied);
    return g_byte_array_free_to_bytes (b);
}
