/* bench_reference: the raw references a benchmark prints beside its own
 * figure, measured in the same run on the same machine (absolute numbers on
 * a shared VM move by ±40 %; the ratios are what compare across runs).
 * Shared by bench_intake and bench_pipeline so both measure the same thing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Raw libzmq PUSH → PULL of count 100-byte messages over ipc in dir, no
 * CURVE: messages/s. */
double bench_reference_zmq (const char *dir, guint64 count);
/* Raw SQLite, WAL + synchronous=FULL, rows rows of ~210 B with time-ordered
 * keys in batches of 500 per transaction, in dir: rows/s. */
double bench_reference_sqlite (const char *dir, guint rows);
/* One single-row transaction after another with WAL + synchronous=FULL (the
 * fsync every hop of the pipeline pays at least once), commits commits: the
 * median commit time in µs. */
double bench_reference_sqlite_commit_us (const char *dir, guint commits);

G_END_DECLS
