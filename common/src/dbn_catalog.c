/* dbn_catalog.c: not written yet. */
