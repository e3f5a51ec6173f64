/* cli_board.h: `daiban board` (issue 16 item 4), the public board. */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

/* daiban board export --html DIR ... */
int cli_board (int argc, char **argv, const char *data_option);

G_END_DECLS
