/* dbn_clock.c: not written yet. */
