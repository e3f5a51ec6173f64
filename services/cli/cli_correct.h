/* cli_correct.h: `daiban case correct` (cli_correct.c). argc/argv start at
 * the subcommand's own name. */
#pragma once

int cli_case_correct (int argc, char **argv, const char *data_option);
