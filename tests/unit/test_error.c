/* test_error: the line a person reads for an error (dbn_error_dup_line),
 * issue 15: one line, one language, the stable code; not both sentences
 * with the service's detail twice. */
#include <daiban/daiban.h>

/* As routing sends it: each sentence, then ": " and the detail it wrote once. */
static const char *const zh = "代办站没有待送中心的事项: station qingshui has no matter waiting to be carried";
static const char *const en = "the station has no matter waiting to be carried: "
                              "station qingshui has no matter waiting to be carried";

static void
test_chinese_drops_english_detail (void)
{
    g_autofree char *line = dbn_error_dup_line ("routing.nothing-to-carry", zh, en, FALSE, FALSE);
    g_assert_cmpstr (line, ==, "[routing.nothing-to-carry] 代办站没有待送中心的事项");
}

static void
test_english_keeps_detail (void)
{
    g_autofree char *line = dbn_error_dup_line ("routing.nothing-to-carry", zh, en, TRUE, FALSE);
    g_autofree char *want = g_strdup_printf ("[routing.nothing-to-carry] %s", en);
    g_assert_cmpstr (line, ==, want);
}

/* A file position reads the same in both languages: kept in Chinese. */
static void
test_chinese_keeps_file_position (void)
{
    const char *czh = "事项清单文件格式有误: /d/catalog.ini:3: Key file contains line “x”";
    const char *cen = "the catalog file is not a key file: /d/catalog.ini:3: Key file contains line “x”";
    g_autofree char *line = dbn_error_dup_line ("catalog.parse", czh, cen, FALSE, FALSE);
    g_assert_cmpstr (line, ==, "[catalog.parse] 事项清单文件格式有误（/d/catalog.ini:3）");
    /* A detail that itself holds ": " is found whole. */
    const char *dzh = "填写的内容不符合要求: channel: 'x' is not one";
    const char *den = "invalid value: channel: 'x' is not one";
    g_autofree char *d = dbn_error_dup_line ("invalid", dzh, den, FALSE, FALSE);
    g_assert_cmpstr (d, ==, "[invalid] 填写的内容不符合要求");
}

static void
test_without_detail_and_odd_input (void)
{
    g_autofree char *plain = dbn_error_dup_line ("forbidden", "无权进行此操作", "not allowed", FALSE, FALSE);
    g_assert_cmpstr (plain, ==, "[forbidden] 无权进行此操作");
    /* with_detail (internal, setup errors): the whole Chinese text. */
    g_autofree char *whole = dbn_error_dup_line ("internal", "系统内部错误: boom", "internal error: boom", FALSE, TRUE);
    g_assert_cmpstr (whole, ==, "[internal] 系统内部错误: boom");
    /* From the network: no code, no sentences, a sentence missing. */
    g_autofree char *none = dbn_error_dup_line (NULL, NULL, NULL, FALSE, FALSE);
    g_assert_cmpstr (none, ==, "[internal] ");
    g_autofree char *only_en = dbn_error_dup_line ("x", "", "english only", FALSE, FALSE);
    g_assert_cmpstr (only_en, ==, "[x] english only");
    g_autofree char *only_zh = dbn_error_dup_line ("x", "只有中文", "", TRUE, FALSE);
    g_assert_cmpstr (only_zh, ==, "[x] 只有中文");
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/error/line/chinese-drops-english-detail", test_chinese_drops_english_detail);
    g_test_add_func ("/error/line/english-keeps-detail", test_english_keeps_detail);
    g_test_add_func ("/error/line/chinese-keeps-file-position", test_chinese_keeps_file_position);
    g_test_add_func ("/error/line/without-detail-and-odd-input", test_without_detail_and_odd_input);
    return g_test_run ();
}
