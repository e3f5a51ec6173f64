/* dbn_evidence_pdf.c: laid out top-down in points with PangoCairo, a new
 * page whenever the next block would pass the bottom margin. Hashes are
 * set in a monospace face, whole, one per line, so they can be read back
 * (and pdftotext finds them) exactly. */
#include "dbn_evidence_pdf.h"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#define A4_W   595.0
#define A4_H   842.0
#define MARGIN 48.0

#define FONT_TITLE "Noto Sans CJK SC Bold 15"
#define FONT_HEAD  "Noto Sans CJK SC Bold 10.5"
#define FONT_BODY  "Noto Sans CJK SC 9"
#define FONT_HASH  "Monospace 7.5"

typedef struct {
    cairo_t *cr;
    double y;
    int page;
} Pen;

static PangoLayout *
layout_new (cairo_t *cr, const char *font, const char *text, double width)
{
    PangoLayout *layout = pango_cairo_create_layout (cr);
    PangoFontDescription *desc = pango_font_description_from_string (font);
    pango_layout_set_font_description (layout, desc);
    pango_font_description_free (desc);
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
    pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text (layout, text, -1);
    return layout;
}

static void
footer (Pen *pen, const char *case_no)
{
    g_autofree char *text = g_strdup_printf (_ ("案件 %s 审计证据 · 第 %d 页"), case_no, pen->page);
    PangoLayout *layout = layout_new (pen->cr, FONT_HASH, text, A4_W - 2 * MARGIN);
    cairo_move_to (pen->cr, MARGIN, A4_H - MARGIN + 14);
    pango_cairo_show_layout (pen->cr, layout);
    g_object_unref (layout);
}

/* One block of text at the pen, wrapped; a new page first when it would
 * not fit. */
static void
put (Pen *pen, const char *case_no, double indent, const char *font, const char *text)
{
    PangoLayout *layout = layout_new (pen->cr, font, text, A4_W - 2 * MARGIN - indent);
    int w, h;
    pango_layout_get_size (layout, &w, &h);
    double height = (double) h / PANGO_SCALE;
    if (pen->y + height > A4_H - MARGIN) {
        footer (pen, case_no);
        cairo_show_page (pen->cr);
        pen->page++;
        pen->y = MARGIN;
    }
    cairo_move_to (pen->cr, MARGIN + indent, pen->y);
    pango_cairo_show_layout (pen->cr, layout);
    pen->y += height + 2;
    g_object_unref (layout);
}

static char *
format_time (gint64 ms)
{
    g_autoptr (GDateTime) t = g_date_time_new_from_unix_local (ms / 1000);
    return t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static void
put_head (Pen *pen, const DbnEvidence *ev)
{
    const char *c = ev->case_no;
    put (pen, c, 0, FONT_HEAD, _ ("签名树头 Signed tree head"));
    if (!ev->has_head) {
        put (pen, c, 8, FONT_BODY, _ ("尚无签名树头 / no signed head yet"));
        return;
    }
    g_autofree char *time = format_time (ev->head.time_ms);
    g_autofree char *root = audit_hex (ev->head.root, AUDIT_HASH_SIZE);
    g_autofree char *chain = audit_hex (ev->head.chain, AUDIT_HASH_SIZE);
    g_autofree char *sig = audit_hex (ev->head.signature, AUDIT_SIGNATURE_SIZE);
    g_autofree char *key = audit_hex (ev->key, AUDIT_PUBLIC_KEY_SIZE);
    g_autofree char *line =
        g_strdup_printf (_ ("树头 head %lld，签于 %s；签名%s"), (long long) ev->head.size, time,
                         ev->head_signature_ok ? _ ("有效 ✓ valid") : _ ("无效 ✗ INVALID"));
    put (pen, c, 8, FONT_BODY, line);
    g_autofree char *r = g_strconcat ("root      ", root, NULL);
    g_autofree char *ch = g_strconcat ("chain     ", chain, NULL);
    g_autofree char *k = g_strconcat ("key       ", key, NULL);
    put (pen, c, 8, FONT_HASH, r);
    put (pen, c, 8, FONT_HASH, ch);
    put (pen, c, 8, FONT_HASH, k);
    /* 128 hex digits: two lines of 64, unbroken within each. */
    g_autofree char *s1 = g_strndup (sig, 64);
    g_autofree char *l1 = g_strconcat ("signature ", s1, NULL);
    g_autofree char *l2 = g_strconcat ("          ", sig + 64, NULL);
    put (pen, c, 8, FONT_HASH, l1);
    put (pen, c, 8, FONT_HASH, l2);
}

gboolean
dbn_evidence_pdf_write (const DbnEvidence *ev, const char *path, GError **error)
{
    cairo_surface_t *surface = cairo_pdf_surface_create (path, A4_W, A4_H);
    if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path,
                     cairo_status_to_string (cairo_surface_status (surface)));
        cairo_surface_destroy (surface);
        return FALSE;
    }
    g_autofree char *title = g_strdup_printf (_ ("审计证据 %s"), ev->case_no);
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
    Pen pen = { .cr = cairo_create (surface), .y = MARGIN, .page = 1 };
    const char *c = ev->case_no;
    guint good = 0;
    for (guint i = 0; i < ev->entries->len; i++)
        good += ev->included[i] ? 1 : 0;

    put (&pen, c, 0, FONT_TITLE, _ ("案件审计证据 / Evidence from the audit record"));
    g_autofree char *printed = format_time (ev->printed_ms);
    g_autofree char *summary =
        g_strdup_printf (_ ("案件编号 %s · %u 条记录，%u 条已在本机核验包含于签名树头 · 打印于 %s"), c,
                         ev->entries->len, good, printed);
    put (&pen, c, 0, FONT_BODY, summary);
    put (&pen, c, 0, FONT_BODY,
         _ ("核验方法见 docs/audit.md：leaf = SHA-256(0x00 ‖ entry)，沿证明路径求得的根须等于签名树头的 "
            "root。"));
    pen.y += 6;
    put_head (&pen, ev);
    pen.y += 6;

    put (&pen, c, 0, FONT_HEAD, _ ("时间线 Timeline"));
    for (guint i = 0; i < ev->entries->len; i++) {
        const DbnMsgAuditCaseEntry *e = ev->entries->pdata[i];
        g_autofree char *time = format_time (e->time);
        g_autofree char *line =
            g_strdup_printf ("%s  #%" G_GINT64_FORMAT "  %s  %s  %s/%" G_GINT64_FORMAT "  %s", time, e->index,
                             e->type, *e->actor ? e->actor : "—", e->producer, e->event_seq,
                             ev->included[i]                              ? "✓"
                             : !ev->has_head || e->index >= ev->head.size ? "…"
                                                                          : "✗");
        put (&pen, c, 8, FONT_BODY, line);
    }
    pen.y += 6;

    put (&pen, c, 0, FONT_HEAD, _ ("记录条目与证明 Entries and proofs"));
    for (guint i = 0; i < ev->entries->len; i++) {
        const DbnMsgAuditCaseEntry *e = ev->entries->pdata[i];
        g_autofree char *mark =
            ev->included[i]
                ? g_strdup_printf (_ ("✓ 已包含于树头 %lld"), (long long) ev->head.size)
                : g_strdup (!ev->has_head || e->index >= ev->head.size ? _ ("… 尚未签名") : _ ("✗ 未能核验"));
        g_autofree char *line = g_strdup_printf ("#%" G_GINT64_FORMAT "  %s  %s", e->index, e->type, mark);
        pen.y += 3;
        put (&pen, c, 0, FONT_BODY, line);
        g_autofree char *leaf = g_strconcat ("leaf  ", e->leaf, NULL);
        put (&pen, c, 8, FONT_HASH, leaf);
        guint k = 0;
        for (char **p = e->path; p != NULL && *p != NULL; p++, k++) {
            g_autofree char *item = g_strdup_printf ("path[%u] %s", k, *p);
            put (&pen, c, 8, FONT_HASH, item);
        }
        if (e->event != NULL && *e->event != '\0') {
            /* The event as journaled (masked): cut, it is in the record. */
            g_autofree char *cut = g_utf8_substring (e->event, 0, MIN (g_utf8_strlen (e->event, -1), 600));
            put (&pen, c, 8, FONT_HASH, cut);
        }
    }
    footer (&pen, c);
    cairo_show_page (pen.cr);
    cairo_destroy (pen.cr);
    cairo_surface_finish (surface);
    cairo_status_t status = cairo_surface_status (surface);
    cairo_surface_destroy (surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, cairo_status_to_string (status));
        return FALSE;
    }
    return TRUE;
}
