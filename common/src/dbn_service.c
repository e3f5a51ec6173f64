/* dbn_service.c: not written yet. */
