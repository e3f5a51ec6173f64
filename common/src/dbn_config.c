/* dbn_config.c: not written yet. */
