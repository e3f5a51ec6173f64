/* dbn_idnumber.c: not written yet. */
