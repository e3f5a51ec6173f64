/* dbn_store.c: not written yet. */
