/*
 * The asynchronous writer: a list of chunks under one mutex, drained by one
 * thread with write(2).
 */
#include "report/writer.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_MIN 16384

struct chunk {
	struct chunk *next;
	int fd;
	size_t len, cap;
	char b[];
};

struct writer {
	int fd;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* data queued, or closing */
	struct chunk *head, *tail;
	size_t pending; /* queued plus being written */
	int err;
	int closing;
	pthread_t th;
};

static void free_chunks(struct chunk *c)
{
	while (c) {
		struct chunk *n = c->next;

		free(c);
		c = n;
	}
}

/* Writes all of b, waiting on a non-blocking descriptor; 0 or an errno. */
static int write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, b, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = { fd, POLLOUT, 0 };

				poll(&p, 1, -1);
				continue;
			}
			return errno;
		}
		if (r == 0)
			return EIO;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct chunk *c;
		int e;

		while (!w->head && !w->closing) {
			struct timespec ts;
			struct pollfd p = { w->fd, 0, 0 };

			/* Idle: notice a reader that went away (a pipe's
			 * write end polls POLLERR), so that the producer stops
			 * now rather than at its next result. */
			if (!w->err && poll(&p, 1, 0) == 1 &&
			    (p.revents & POLLERR))
				w->err = EPIPE;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		}
		if (!w->head)
			break;
		c = w->head;
		w->head = c->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		e = write_all(c->fd, c->b, c->len);
		pthread_mutex_lock(&w->mu);
		w->pending -= c->len;
		if (c->fd != w->fd)
			e = 0;
		free(c);
		if (e && !w->err) {
			w->err = e;
			free_chunks(w->head);
			w->head = w->tail = NULL;
			w->pending = 0;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *writer_new(int fd)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fd = fd;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	return w;
}

int writer_put(struct writer *w, const void *b, size_t n)
{
	return writer_put_fd(w, w->fd, b, n);
}

int writer_put_fd(struct writer *w, int fd, const void *b, size_t n)
{
	struct chunk *t;
	int e = 0;

	pthread_mutex_lock(&w->mu);
	if (w->err) {
		e = w->err;
		goto out;
	}
	t = w->tail;
	/* Append to the last chunk while it is not being written. */
	if (t && t->fd == fd && t->cap - t->len >= n) {
		memcpy(t->b + t->len, b, n);
		t->len += n;
	} else {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;

		t = malloc(sizeof(*t) + cap);
		if (!t) {
			e = ENOMEM;
			goto out;
		}
		t->next = NULL;
		t->fd = fd;
		t->len = n;
		t->cap = cap;
		memcpy(t->b, b, n);
		if (w->tail)
			w->tail->next = t;
		else
			w->head = t;
		w->tail = t;
	}
	w->pending += n;
	pthread_cond_signal(&w->cv);
out:
	pthread_mutex_unlock(&w->mu);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

size_t writer_pending(struct writer *w)
{
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->pending;
	pthread_mutex_unlock(&w->mu);
	return n;
}

int writer_error(struct writer *w)
{
	int e;

	pthread_mutex_lock(&w->mu);
	e = w->err;
	pthread_mutex_unlock(&w->mu);
	return e;
}

int writer_close(struct writer *w)
{
	int e;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->closing = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	e = w->err;
	free_chunks(w->head);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return e;
}

static ssize_t stream_write(void *cookie, const char *b, size_t n)
{
	if (writer_put(cookie, b, n) != 0)
		return -1;
	return (ssize_t)n;
}

FILE *writer_stream(struct writer *w)
{
	cookie_io_functions_t io = { NULL, stream_write, NULL, NULL };
	FILE *f = fopencookie(w, "w", io);

	if (f)
		setvbuf(f, NULL, _IOFBF, 16384);
	return f;
}
