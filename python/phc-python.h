/*
 * phc-run's Python handlers (docs/python.md): an embedded interpreter runs
 * handler files that register with the dispatcher through the phc package.
 * Not part of libphc: only phc-run (and its benchmark) link it.
 */
#ifndef PHC_PYTHON_PHC_PYTHON_H
#define PHC_PYTHON_PHC_PYTHON_H

#include <stddef.h>
#include <stdio.h>
#include <phc/dispatcher.h>

/*
 * Start Python, run each of @files and register the handlers they declare
 * with @d (over any built-in of the same number), before the guest starts.
 * Python starts at the first call; a later call (for another dispatcher)
 * runs the files again in the same interpreter. Returns 0, or -1 with one
 * line in @err.
 */
int phc_python_load(phc_dispatcher *d, const char *const *files, size_t nfiles, char *err,
                    size_t errlen);

/* After the run: one line on @out if handlers raised, and Python's own
 * output flushed. */
void phc_python_finish(FILE *out);

#endif
