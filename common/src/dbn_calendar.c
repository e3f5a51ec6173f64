/* dbn_calendar.c: working-day arithmetic as table lookups (D-DL-5).
 *
 * Days are numbered d = julian - 1, so d = 0 is Monday 0001-01-01 and the
 * weekday of d is d % 7 (0 = Monday). Two functions make every question a
 * lookup:
 *
 *   C(d)   = the working days in [0, d)         (a count up to a day)
 *   inv(k) = the day of the k-th working day    (k from 0)
 *
 * For a weekends-only world both are closed forms: C(d) = 5*(d/7) +
 * min(d%7, 5) and inv(k) = 7*(k/5) + k%5. Inside the covered years
 * [S, E) a table per area holds cum[i] = working days in [S, S+i) and
 * nth[c] = the offset from S of the c-th working day; outside, the closed
 * form continues from the table's ends. Then
 *
 *   add (date, n > 0) = inv (C (date + 1) + n - 1)
 *   add (date, n < 0) = inv (C (date) + n)
 *   between (a, b)    = C (b + 1) - C (a + 1)
 *
 * each O(1), with no loop over the days in between. Two years cost about
 * 730 × (4 + 4 + 1 + 8) bytes per table; areas with closures get a table
 * each, built at load.
 *
 * Rejected: a loop that steps day by day (the issue forbids it, and a
 * 1,000,000-case restart recomputes due dates); a binary search over cum
 * (log n, and nth is a few kilobytes).
 *
 * The file is read line by line (not with GKeyFile) so that every refusal
 * names its line, and repeated keys (one `holiday` per festival) are natural.
 */
#include "daiban/dbn_calendar.h"

#include <string.h>

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (dbn-calendar-error-quark, dbn_calendar_error)
/* clang-format on */

/* A calendar file is small; anything larger is not one. */
#define FILE_MAX       (1024 * 1024)
#define NAME_MAX_BYTES 128
#define AREA_MAX_BYTES 32
/* A year outside this range is a typo, not a calendar. */
#define YEAR_MIN 1970
#define YEAR_MAX 2200

typedef struct {
    guint32 *cum;      /* n_days + 1 entries: working days in [S, S+i) */
    guint32 *nth;      /* cum[n_days] entries: offset of the c-th working day */
    guint8 *kind;      /* n_days entries: DbnDayKind */
    const char **name; /* n_days entries: the day's name (borrowed from names) or NULL */
} Table;

struct _DbnCalendar {
    char *path;          /* file it came from, for messages */
    guint first_year;    /* first covered year */
    guint last_year;     /* last covered year */
    gint64 start;        /* S: day number of 1 Jan first_year */
    gint64 end;          /* E: day number of 1 Jan last_year + 1 */
    Table national;      /* the country's calendar */
    GHashTable *areas;   /* area id → Table*: national plus the area's closures */
    GStringChunk *names; /* every name string */
};

/* ---- closed forms ---- */

static gint64
weekdays_before (gint64 d)
{
    return 5 * (d / 7) + MIN (d % 7, 5);
}

static gint64
nth_weekday (gint64 k)
{
    return 7 * (k / 5) + k % 5;
}

static gint64
day_of (const GDate *date)
{
    return (gint64) g_date_get_julian (date) - 1;
}

static void
set_day (GDate *out, gint64 d)
{
    /* GDate starts at julian 1; nothing in daiban counts back that far. */
    g_date_clear (out, 1);
    g_date_set_julian (out, (guint32) MAX (d, 0) + 1);
}

static gint64
count_before (DbnCalendar *self, const Table *t, gint64 d)
{
    gint64 n = self->end - self->start;
    if (d <= self->start)
        return weekdays_before (d);
    if (d <= self->end)
        return weekdays_before (self->start) + t->cum[d - self->start];
    return weekdays_before (self->start) + t->cum[n] + weekdays_before (d) - weekdays_before (self->end);
}

static gint64
kth_day (DbnCalendar *self, const Table *t, gint64 k)
{
    gint64 base = weekdays_before (self->start);
    gint64 total = t->cum[self->end - self->start];
    if (k < 0)
        return 0;
    if (k < base)
        return nth_weekday (k);
    if (k < base + total)
        return self->start + t->nth[k - base];
    return nth_weekday (k - base - total + weekdays_before (self->end));
}

static gboolean
in_range (DbnCalendar *self, gint64 d)
{
    return d >= self->start && d < self->end;
}

static const Table *
table_for (DbnCalendar *self, const char *area)
{
    const Table *t = area != NULL && *area != '\0' ? g_hash_table_lookup (self->areas, area) : NULL;
    return t != NULL ? t : &self->national;
}

/* ---- the public lookups ---- */

gboolean
dbn_calendar_is_workday (DbnCalendar *self, const char *area, const GDate *date, gboolean *covered)
{
    DbnDayKind kind = dbn_calendar_get_day (self, area, date, NULL, covered);
    return kind == DBN_DAY_WORKDAY || kind == DBN_DAY_ADJUSTED;
}

DbnDayKind
dbn_calendar_get_day (DbnCalendar *self, const char *area, const GDate *date, const char **name,
                      gboolean *covered)
{
    g_return_val_if_fail (self != NULL && date != NULL && g_date_valid (date), DBN_DAY_WORKDAY);
    gint64 d = day_of (date);
    const Table *t = table_for (self, area);
    if (name != NULL)
        *name = NULL;
    if (covered != NULL)
        *covered = in_range (self, d);
    if (!in_range (self, d))
        return d % 7 >= 5 ? DBN_DAY_WEEKEND : DBN_DAY_WORKDAY;
    if (name != NULL)
        *name = t->name[d - self->start];
    return t->kind[d - self->start];
}

void
dbn_calendar_add_working_days (DbnCalendar *self, const char *area, const GDate *date, int n, GDate *out,
                               gboolean *covered)
{
    g_return_if_fail (self != NULL && date != NULL && g_date_valid (date) && out != NULL);
    const Table *t = table_for (self, area);
    gint64 d = day_of (date);
    gint64 r = d;
    if (n > 0)
        r = kth_day (self, t, count_before (self, t, d + 1) + n - 1);
    else if (n < 0)
        r = kth_day (self, t, count_before (self, t, d) + n);
    if (covered != NULL)
        *covered = in_range (self, d) && in_range (self, r);
    set_day (out, r);
}

int
dbn_calendar_working_days_between (DbnCalendar *self, const char *area, const GDate *from, const GDate *to,
                                   gboolean *covered)
{
    g_return_val_if_fail (self != NULL && from != NULL && to != NULL, 0);
    const Table *t = table_for (self, area);
    gint64 a = day_of (from), b = day_of (to);
    if (covered != NULL)
        *covered = in_range (self, a) && in_range (self, b);
    return (int) (count_before (self, t, b + 1) - count_before (self, t, a + 1));
}

const char *
dbn_calendar_get_path (DbnCalendar *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->path;
}

void
dbn_calendar_get_years (DbnCalendar *self, guint *first, guint *last)
{
    g_return_if_fail (self != NULL);
    if (first != NULL)
        *first = self->first_year;
    if (last != NULL)
        *last = self->last_year;
}

gboolean
dbn_calendar_covers (DbnCalendar *self, const GDate *date)
{
    g_return_val_if_fail (self != NULL && date != NULL && g_date_valid (date), FALSE);
    return in_range (self, day_of (date));
}

gboolean
dbn_calendar_has_area (DbnCalendar *self, const char *area)
{
    g_return_val_if_fail (self != NULL, FALSE);
    return area != NULL && g_hash_table_contains (self->areas, area);
}

char *
dbn_calendar_dup_default_path (const char *data_dir)
{
    if (data_dir != NULL) {
        g_autofree char *local = g_build_filename (data_dir, "calendar.ini", NULL);
        if (g_file_test (local, G_FILE_TEST_IS_REGULAR))
            return g_steal_pointer (&local);
    }
    /* A build run from its source tree uses the calendar being edited, an
     * installed one the installed file (as the catalog does). */
    static const char source[] = DBN_SOURCE_DIR "/schemas/data/calendar.ini";
    if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
        return g_strdup (source);
    return g_strdup (DBN_DATA_INSTALL_DIR "/calendar.ini");
}

/* ---- loading ---- */

typedef enum { ENTRY_HOLIDAY, ENTRY_WORKDAY, ENTRY_CLOSED } EntryKind;

typedef struct {
    EntryKind kind;
    int line;
    gint64 first, last; /* day numbers, inclusive */
    char *name;         /* in the string chunk, may be NULL */
    char *area;         /* ENTRY_CLOSED: the area id */
} Entry;

typedef struct {
    const char *file;
    GArray *entries;  /* Entry */
    GArray *years;    /* guint: covered years, in file order */
    GPtrArray *areas; /* char*: area ids, in file order */
    GStringChunk *names;
} Parse;

static gboolean fail (GError **error, int code, const char *file, int line, const char *format, ...)
    G_GNUC_PRINTF (5, 6);

static gboolean
fail (GError **error, int code, const char *file, int line, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    g_autofree char *reason = g_strdup_vprintf (format, args);
    va_end (args);
    g_set_error (error, DBN_CALENDAR_ERROR, code, "%s:%d: %s", file, line, reason);
    return FALSE;
}

/* Strict YYYY-MM-DD (g_date_set_parse guesses; a calendar must not). */
static gboolean
parse_date (const char *s, gsize len, gint64 *day)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return FALSE;
    for (gsize i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
            return FALSE;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < YEAR_MIN || y > YEAR_MAX || !g_date_valid_dmy (d, m, y))
        return FALSE;
    GDate date;
    g_date_clear (&date, 1);
    g_date_set_dmy (&date, d, m, y);
    *day = day_of (&date);
    return TRUE;
}

static guint
year_of (gint64 day)
{
    GDate date;
    set_day (&date, day);
    return g_date_get_year (&date);
}

static gint64
jan1 (guint year)
{
    GDate date;
    g_date_clear (&date, 1);
    g_date_set_dmy (&date, 1, 1, year);
    return day_of (&date);
}

static gboolean
valid_area_id (const char *id)
{
    if (*id == '\0' || strlen (id) > AREA_MAX_BYTES)
        return FALSE;
    for (const char *p = id; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
            return FALSE;
    return TRUE;
}

/* "DATE[..DATE] [NAME]" */
static gboolean
parse_value (Parse *p, int line, const char *value, Entry *entry, GError **error)
{
    const char *space = value + strcspn (value, " \t");
    const char *dots = g_strstr_len (value, space - value, "..");
    const char *end_first = dots ? dots : space;
    if (!parse_date (value, end_first - value, &entry->first))
        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line, "\"%.*s\" is not a date YYYY-MM-DD",
                     (int) (end_first - value), value);
    entry->last = entry->first;
    if (dots != NULL && !parse_date (dots + 2, space - dots - 2, &entry->last))
        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line, "\"%.*s\" is not a date YYYY-MM-DD",
                     (int) (space - dots - 2), dots + 2);
    if (entry->last < entry->first)
        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line, "the range ends before it starts");
    if (year_of (entry->first) != year_of (entry->last))
        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line, "a range stays inside one year");
    g_autofree char *name = g_strstrip (g_strdup (space));
    if (strlen (name) > NAME_MAX_BYTES || !g_utf8_validate (name, -1, NULL))
        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                     "the name is not UTF-8 of at most %d bytes", NAME_MAX_BYTES);
    entry->name = *name ? g_string_chunk_insert_const (p->names, name) : NULL;
    return TRUE;
}

static gboolean
parse_lines (Parse *p, const char *text, GError **error)
{
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    /* The section a line is in: a year (> 0), an area, or none yet. */
    guint year = 0;
    const char *area = NULL;
    for (int i = 0; lines[i] != NULL; i++) {
        int line = i + 1;
        char *hash = strchr (lines[i], '#');
        if (hash != NULL)
            *hash = '\0';
        char *s = g_strstrip (lines[i]);
        if (*s == '\0')
            continue;
        if (*s == '[') {
            gsize len = strlen (s);
            if (s[len - 1] != ']')
                return fail (error, DBN_CALENDAR_ERROR_PARSE, p->file, line, "a section line ends with ']'");
            s[len - 1] = '\0';
            char *inner = g_strstrip (s + 1);
            if (g_str_has_prefix (inner, "year ")) {
                char *arg = g_strstrip (inner + 5);
                guint64 y = 0;
                if (!g_ascii_string_to_unsigned (arg, 10, YEAR_MIN, YEAR_MAX, &y, NULL))
                    return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                                 "\"%s\" is not a year %d..%d", arg, YEAR_MIN, YEAR_MAX);
                for (guint j = 0; j < p->years->len; j++)
                    if (g_array_index (p->years, guint, j) == y)
                        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                                     "year %u appears twice", (guint) y);
                year = (guint) y;
                g_array_append_val (p->years, year);
                area = NULL;
            } else if (g_str_has_prefix (inner, "area ")) {
                char *arg = g_strstrip (inner + 5);
                if (!valid_area_id (arg))
                    return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                                 "\"%s\" is not an area id (letters, digits, '-', '_')", arg);
                for (guint j = 0; j < p->areas->len; j++)
                    if (strcmp (p->areas->pdata[j], arg) == 0)
                        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                                     "area %s appears twice", arg);
                area = g_string_chunk_insert_const (p->names, arg);
                g_ptr_array_add (p->areas, (gpointer) area);
                year = 0;
            } else {
                return fail (error, DBN_CALENDAR_ERROR_PARSE, p->file, line,
                             "unknown section [%s] (known: [year YYYY], [area ID])", inner);
            }
            continue;
        }
        char *eq = strchr (s, '=');
        if (eq == NULL)
            return fail (error, DBN_CALENDAR_ERROR_PARSE, p->file, line, "expected key = value");
        *eq = '\0';
        char *key = g_strstrip (s);
        char *value = g_strstrip (eq + 1);
        Entry entry = { .line = line };
        if (year == 0 && area == NULL)
            return fail (error, DBN_CALENDAR_ERROR_PARSE, p->file, line, "\"%s\" before any section", key);
        if (year != 0 && strcmp (key, "holiday") == 0)
            entry.kind = ENTRY_HOLIDAY;
        else if (year != 0 && strcmp (key, "workday") == 0)
            entry.kind = ENTRY_WORKDAY;
        else if (area != NULL && strcmp (key, "closed") == 0)
            entry.kind = ENTRY_CLOSED;
        else
            return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                         "unknown key \"%s\" (known: holiday, workday in [year]; closed in [area])", key);
        if (!parse_value (p, line, value, &entry, error))
            return FALSE;
        if (year != 0 && year_of (entry.first) != year)
            return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                         "the date is not in the section's year %u", year);
        if (entry.kind == ENTRY_WORKDAY) {
            for (gint64 d = entry.first; d <= entry.last; d++)
                if (d % 7 < 5)
                    return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, line,
                                 "an adjusted working day (调休上班) must be a Saturday or Sunday");
        }
        entry.area = (char *) area;
        g_array_append_val (p->entries, entry);
    }
    if (p->years->len == 0)
        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, 1, "no [year YYYY] section");
    return TRUE;
}

static void
table_clear (Table *t)
{
    g_free (t->cum);
    g_free (t->nth);
    g_free (t->kind);
    g_free (t->name);
}

static void
table_free (Table *t)
{
    table_clear (t);
    g_free (t);
}

/* cum and nth from kind. */
static void
table_index (Table *t, gint64 n_days)
{
    t->cum = g_new (guint32, n_days + 1);
    t->nth = g_new (guint32, n_days);
    guint32 c = 0;
    for (gint64 i = 0; i < n_days; i++) {
        t->cum[i] = c;
        if (t->kind[i] == DBN_DAY_WORKDAY || t->kind[i] == DBN_DAY_ADJUSTED)
            t->nth[c++] = (guint32) i;
    }
    t->cum[n_days] = c;
}

static gboolean
build (DbnCalendar *self, Parse *p, GError **error)
{
    guint first = G_MAXUINT, last = 0;
    for (guint i = 0; i < p->years->len; i++) {
        first = MIN (first, g_array_index (p->years, guint, i));
        last = MAX (last, g_array_index (p->years, guint, i));
    }
    if (last - first + 1 != p->years->len)
        return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, 1,
                     "the covered years %u..%u have a gap: every year between needs its section", first,
                     last);
    self->first_year = first;
    self->last_year = last;
    self->start = jan1 (first);
    self->end = jan1 (last + 1);
    gint64 n = self->end - self->start;

    Table *t = &self->national;
    t->kind = g_new (guint8, n);
    t->name = g_new0 (const char *, n);
    g_autofree int *line_of = g_new0 (int, n);
    for (gint64 i = 0; i < n; i++)
        t->kind[i] = (self->start + i) % 7 >= 5 ? DBN_DAY_WEEKEND : DBN_DAY_WORKDAY;
    for (guint e = 0; e < p->entries->len; e++) {
        Entry *entry = &g_array_index (p->entries, Entry, e);
        if (entry->kind == ENTRY_CLOSED)
            continue;
        for (gint64 d = entry->first; d <= entry->last; d++) {
            gint64 i = d - self->start;
            if (line_of[i] != 0)
                return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, entry->line,
                             "a day is listed twice (also on line %d)", line_of[i]);
            line_of[i] = entry->line;
            t->kind[i] = entry->kind == ENTRY_HOLIDAY ? DBN_DAY_HOLIDAY : DBN_DAY_ADJUSTED;
            t->name[i] = entry->name;
        }
    }
    table_index (t, n);

    for (guint a = 0; a < p->areas->len; a++) {
        const char *id = p->areas->pdata[a];
        Table *at = g_new0 (Table, 1);
        at->kind = g_memdup2 (t->kind, n);
        at->name = g_memdup2 (t->name, n * sizeof (char *));
        g_hash_table_insert (self->areas, (gpointer) id, at);
        for (guint e = 0; e < p->entries->len; e++) {
            Entry *entry = &g_array_index (p->entries, Entry, e);
            if (entry->kind != ENTRY_CLOSED || strcmp (entry->area, id) != 0)
                continue;
            if (entry->first < self->start || entry->last >= self->end)
                return fail (error, DBN_CALENDAR_ERROR_INVALID, p->file, entry->line,
                             "a closure lies outside the covered years %u..%u", first, last);
            for (gint64 d = entry->first; d <= entry->last; d++) {
                at->kind[d - self->start] = DBN_DAY_CLOSURE;
                at->name[d - self->start] = entry->name;
            }
        }
        table_index (at, n);
    }
    return TRUE;
}

DbnCalendar *
dbn_calendar_load_from_data (const char *text, gssize length, const char *name, GError **error)
{
    g_return_val_if_fail (text != NULL && name != NULL, NULL);
    gsize len = length < 0 ? strlen (text) : (gsize) length;
    if (len > FILE_MAX) {
        fail (error, DBN_CALENDAR_ERROR_READ, name, 0, "larger than %d bytes", FILE_MAX);
        return NULL;
    }
    if (memchr (text, '\0', len) != NULL || !g_utf8_validate (text, len, NULL)) {
        fail (error, DBN_CALENDAR_ERROR_PARSE, name, 1, "not UTF-8 text");
        return NULL;
    }
    g_autofree char *copy = g_strndup (text, len);
    DbnCalendar *self = g_new0 (DbnCalendar, 1);
    self->path = g_strdup (name);
    self->names = g_string_chunk_new (256);
    self->areas = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) table_free);
    Parse p = {
        .file = name,
        .entries = g_array_new (FALSE, TRUE, sizeof (Entry)),
        .years = g_array_new (FALSE, FALSE, sizeof (guint)),
        .areas = g_ptr_array_new (),
        .names = self->names,
    };
    gboolean ok = parse_lines (&p, copy, error) && build (self, &p, error);
    g_array_unref (p.entries);
    g_array_unref (p.years);
    g_ptr_array_unref (p.areas);
    if (!ok)
        g_clear_pointer (&self, dbn_calendar_free);
    return self;
}

DbnCalendar *
dbn_calendar_load (const char *path, GError **error)
{
    g_return_val_if_fail (path != NULL, NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr (GError) local = NULL;
    if (!g_file_get_contents (path, &text, &len, &local)) {
        g_set_error (error, DBN_CALENDAR_ERROR, DBN_CALENDAR_ERROR_READ, "%s", local->message);
        return NULL;
    }
    return dbn_calendar_load_from_data (text, (gssize) len, path, error);
}

void
dbn_calendar_free (DbnCalendar *self)
{
    if (self == NULL)
        return;
    table_clear (&self->national);
    g_clear_pointer (&self->areas, g_hash_table_unref);
    g_clear_pointer (&self->names, g_string_chunk_free);
    g_free (self->path);
    g_free (self);
}
