/*
 * An asynchronous writer: a thread of its own drains a queue of bytes to a
 * file descriptor, so that a slow or stalled reader of standard output
 * never blocks the thread that produced the bytes (the scan's event loop).
 *
 * The queue itself is not bounded here: the producer asks writer_pending()
 * and stops producing (the scan stops starting probes) while too much is
 * queued.  The first failed write is kept (writer_error()); after it every
 * queued and later byte is dropped and writer_put() fails.
 */
#ifndef HEARTCHECK_REPORT_WRITER_H
#define HEARTCHECK_REPORT_WRITER_H

#include <stddef.h>
#include <stdio.h>

struct writer;

/* Starts the thread that writes to fd.  NULL when out of memory or
 * threads. */
struct writer *writer_new(int fd);

/* Queues a copy of b[0..n).  Returns 0, or -1 with errno set when an
 * earlier write failed (the bytes are dropped) or out of memory. */
int writer_put(struct writer *w, const void *b, size_t n);

/* Queues bytes for another descriptor (progress on stderr), in order with
 * the rest.  A failure to write them is not kept: it does not stop the
 * run. */
int writer_put_fd(struct writer *w, int fd, const void *b, size_t n);

/* Bytes queued and not yet written. */
size_t writer_pending(struct writer *w);

/* The errno of the first failed write, or 0. */
int writer_error(struct writer *w);

/* Waits until everything queued is written or a write failed, stops the
 * thread and frees w.  Returns 0, or the errno of the first failure. */
int writer_close(struct writer *w);

/* A stdio stream whose bytes go to w (fully buffered; fflush hands them to
 * the queue).  A write to it fails once the writer has failed. */
FILE *writer_stream(struct writer *w);

#endif
