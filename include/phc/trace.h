/*
 * The trace: JSON Lines, one call a line, nothing that differs between
 * accelerators (no PC, no time), so traces of one guest diff clean.
 */
#ifndef PHC_TRACE_H
#define PHC_TRACE_H

#include <stdio.h>
#include <phc/call.h>

typedef struct phc_trace phc_trace;

/* Open @path for writing; NULL with errno set on failure. */
phc_trace *phc_trace_open(const char *path);
/* Write to an already open stream (not closed by phc_trace_close). */
phc_trace *phc_trace_new(FILE *stream);
/* Append one record, numbering it: call->seq becomes its line number from 0,
 * so the file is always in seq order. Thread-safe; -1 on a write error. */
int phc_trace_write(phc_trace *t, phc_call *call);
/* Push buffered records to the file; async-signal-unsafe, call from a thread. */
int phc_trace_flush(phc_trace *t);
/* Flush and close; returns -1 if any write failed. */
int phc_trace_close(phc_trace *t);

/* Format one record into @buf (no newline); returns the length as snprintf. */
int phc_trace_format(char *buf, size_t size, const phc_call *call);

#endif
