/* test_idnumber: GB 11643-1999 check digits and birth dates. */
#include <daiban/daiban.h>

static void
test_valid_numbers (void)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_idnumber_validate ("11010519491231002X", &error));
    g_assert_no_error (error);
    g_assert_true (dbn_idnumber_validate ("11010519491231002x", NULL)); /* lower-case x written by hand */
    g_assert_true (dbn_idnumber_validate ("110105199001011232", NULL));
    g_assert_cmpint (dbn_idnumber_check_char ("11010519491231002"), ==, 'X');
}

static void
test_invalid_numbers (void)
{
    const char *bad[] = {
        "110105199001011230",  /* wrong check digit */
        "11010519900101123",   /* 17 characters */
        "1101051990010112321", /* 19 characters */
        "11010519900230123X",  /* 30 February */
        "1101051990A101123X",  /* a letter among the digits */
        "110105187001011232",  /* born 1870 */
        "",
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
        g_autoptr (GError) error = NULL;
        g_assert_false (dbn_idnumber_validate (bad[i], &error));
        g_assert_error (error, DBN_ERROR, DBN_ERROR_INVALID);
    }
    g_assert_false (dbn_idnumber_validate (NULL, NULL));
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_log_init ("test-idnumber");
    g_test_add_func ("/idnumber/valid", test_valid_numbers);
    g_test_add_func ("/idnumber/invalid", test_invalid_numbers);
    return g_test_run ();
}
