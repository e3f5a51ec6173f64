/* dbn_bus.c: not written yet. */
