/* dbn_init.c: start-up of libdaiban (see dbn_init.h). */
#include "daiban/dbn_init.h"

#include "daiban/dbn_error.h"
#include "daiban/dbn_log.h"

void
dbn_init (const char *program)
{
    dbn_error_register_builtin ();
    dbn_log_init (program);
}
