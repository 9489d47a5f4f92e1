/*
 * The output stream every sink writes through: the asynchronous writer,
 * colour, escaping for text and lossless strings for JSON.
 */
#include "report/out.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/writer.h"

void out_init(struct out *o, FILE *f, int json, int color)
{
	memset(o, 0, sizeof(*o));
	o->f = o->raw = f;
	o->json = json;
	if (color < 0)
		color = isatty(fileno(f)) && !getenv("NO_COLOR");
	o->color = color && !json;
	/* Without a thread, output still works; it may block, as before. */
	fflush(f);
	o->w = writer_new(fileno(f));
	if (o->w) {
		FILE *s = writer_stream(o->w);

		if (s)
			o->f = s;
		else {
			writer_close(o->w);
			o->w = NULL;
		}
	}
}

int out_close(struct out *o)
{
	int e = 0, we;

	if (o->w) {
		if (fflush(o->f) != 0)
			e = errno;
		fclose(o->f);
		o->f = o->raw;
		/* The writer's errno is the one to name. */
		we = writer_close(o->w);
		o->w = NULL;
		return we ? we : e;
	}
	if (o->f && (fflush(o->f) != 0 || ferror(o->f)))
		e = errno ? errno : EIO;
	return e;
}

int out_failed(struct out *o)
{
	if (o->w)
		return writer_error(o->w);
	return o->f && ferror(o->f) ? (errno ? errno : EIO) : 0;
}

int out_busy(struct out *o)
{
	if (!o->w)
		return o->f && ferror(o->f) ? -1 : 0;
	if (writer_error(o->w))
		return -1;
	return writer_pending(o->w) > OUT_HOLD_BYTES ? 1 : 0;
}

void out_stderr(struct out *o, const char *s, int droppable)
{
	if (!o->w) {
		fputs(s, stderr);
		fflush(stderr);
		return;
	}
	if (droppable && writer_pending(o->w) > 0)
		return;
	writer_put_fd(o->w, STDERR_FILENO, s, strlen(s));
}

void out_write_error(int err)
{
	if (err == EPIPE)
		fprintf(stderr,
		    "heartcheck: standard output was closed "
		    "(%s); stopped\n",
		    strerror(err));
	else
		fprintf(stderr,
		    "heartcheck: cannot write to standard output: "
		    "%s; stopped, results are missing\n",
		    strerror(err));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), with its code
 * point in *cp; 0 when the bytes there are not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

size_t out_escape(char *dst, size_t cap, const char *s, size_t len)
{
	static const char d[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k, n;
	uint32_t cp;
	char e[4];

#define PUT(ch) \
	do { \
		if (o + 1 < cap) \
			dst[o] = (ch); \
		o++; \
	} while (0)
	while (i < len) {
		n = utf8_seq(u + i, len - i, &cp);
		if (n == 1 && cp >= 0x20 && cp != 0x7f && cp != '\\') {
			PUT((char)cp);
			i++;
			continue;
		}
		if (n > 1 && cp > 0x9f) {
			for (k = 0; k < n; k++)
				PUT((char)u[i + k]);
			i += n;
			continue;
		}
		if (n == 1 && cp == '\\') {
			PUT('\\');
			PUT('\\');
			i++;
			continue;
		}
		/* A control, or bytes that are not UTF-8: one byte at a time.
		 */
		if (n == 0)
			n = 1;
		for (k = 0; k < n; k++) {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = d[u[i + k] >> 4];
			e[3] = d[u[i + k] & 15];
			PUT(e[0]);
			PUT(e[1]);
			PUT(e[2]);
			PUT(e[3]);
		}
		i += n;
	}
#undef PUT
	if (cap)
		dst[o < cap ? o : cap - 1] = '\0';
	return o;
}

const char *out_esc(const char *s)
{
	static char *slot[8];
	static size_t slot_cap[8];
	static unsigned next;
	unsigned i = next++ % 8;
	size_t len, need;

	if (!s)
		return "";
	len = strlen(s);
	need = out_escape(NULL, 0, s, len) + 1;
	if (need > slot_cap[i]) {
		char *nb = realloc(slot[i], need);

		if (!nb)
			return "?";
		slot[i] = nb;
		slot_cap[i] = need;
	}
	out_escape(slot[i], slot_cap[i], s, len);
	return slot[i];
}

static char *base64(const unsigned char *b, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *p = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		*p++ = t[b[i] >> 2];
		*p++ = t[(b[i] & 3) << 4 | b[i + 1] >> 4];
		*p++ = t[(b[i + 1] & 15) << 2 | b[i + 2] >> 6];
		*p++ = t[b[i + 2] & 63];
	}
	if (i < n) {
		*p++ = t[b[i] >> 2];
		if (i + 1 < n) {
			*p++ = t[(b[i] & 3) << 4 | b[i + 1] >> 4];
			*p++ = t[(b[i + 1] & 15) << 2];
		} else {
			*p++ = t[(b[i] & 3) << 4];
			*p++ = '=';
		}
		*p++ = '=';
	}
	*p = '\0';
	return out;
}

void out_json_set_str(json_t *obj, const char *key, const char *s)
{
	static const char d[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i, n, o = 0;
	uint32_t cp;
	char *text, *b64, k64[128];

	if (!s) {
		json_object_set_new(obj, key, json_null());
		return;
	}
	len = strlen(s);
	for (i = 0; i < len; i += n)
		if ((n = utf8_seq(u + i, len - i, &cp)) == 0)
			break;
	if (i >= len) {
		json_object_set_new(obj, key, json_stringn(s, len));
		return;
	}
	text = malloc(len * 4 + 1);
	if (!text) {
		json_object_set_new(obj, key, json_string("?"));
		return;
	}
	for (i = 0; i < len; i += n) {
		n = utf8_seq(u + i, len - i, &cp);
		if (n == 0) {
			text[o++] = '\\';
			text[o++] = 'x';
			text[o++] = d[u[i] >> 4];
			text[o++] = d[u[i] & 15];
			n = 1;
		} else {
			memcpy(text + o, s + i, n);
			o += n;
		}
	}
	json_object_set_new(obj, key, json_stringn(text, o));
	free(text);
	snprintf(k64, sizeof(k64), "%s_b64", key);
	b64 = base64(u, len);
	json_object_set_new(obj, k64, b64 ? json_string(b64) : json_null());
	free(b64);
}

#define C(name, code) \
	const char *out_##name(const struct out *o) \
	{ \
		return o->color ? code : ""; \
	}
C(red, "\033[1;31m")
C(green, "\033[32m")
C(yellow, "\033[33m")
C(bold, "\033[1m")
C(reset, "\033[0m")
#undef C

void out_json(struct out *o, json_t *obj)
{
	if (!obj)
		return;
	json_dumpf(obj, o->f,
	    JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9));
	fputc('\n', o->f);
	fflush(o->f);
	json_decref(obj);
}

void out_hexdump(FILE *f, const char *prefix, const unsigned char *b, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		fprintf(f, "%s%04zx ", prefix, i);
		for (j = i; j < i + 16; j++) {
			if (j < n)
				fprintf(f, " %02x", b[j]);
			else
				fputs("   ", f);
		}
		fputs("  ", f);
		for (j = i; j < i + 16 && j < n; j++)
			fputc(b[j] >= 0x20 && b[j] < 0x7f ? b[j] : '.', f);
		fputc('\n', f);
	}
}
