/* cli_eval.h: the `daiban eval` commands of daiban-evaluation (issue 13). */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

/* daiban eval month|close|export|sample ... */
int cli_eval (int argc, char **argv, const char *data_option);

G_END_DECLS
