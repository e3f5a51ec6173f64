/* cli_audit_summary.h: `daiban audit summary list|sign` (cli_audit_summary.c).
 * argc/argv start at "summary". */
#pragma once

int cli_audit_summary (int argc, char **argv, const char *data_option);
