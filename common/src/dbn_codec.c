/* dbn_codec.c: not written yet. */
