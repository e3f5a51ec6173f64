/* dbn_subscriber.c: not written yet. */
