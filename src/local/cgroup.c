/*
 * systemd unit names from cgroup paths.  See cgroup.h for the contract.
 */
#include "local/cgroup.h"
#include "util/ascii.h"
#include "util/lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct comp {
	const char *p;
	size_t n;
};

static int ends_with(const char *p, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n > k && memcmp(p + n - k, suf, k) == 0;
}

static int starts_with(const char *p, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n > k && memcmp(p, pre, k) == 0;
}

/* Unit names use a small alphabet; anything else is not a unit, and must
 * not reach a shell command we print. */
static int unit_chars_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if (!(is_alnum(c) || c == '-' || c == '_' || c == '.' ||
			c == '@' || c == ':' || c == '\\'))
			return 0;
	}
	return 1;
}

/* 2 for a service, 1 for another unit kind, 0 for not a unit. */
static int unit_kind(const char *p, size_t n)
{
	static const char *const others[] = {
		".scope",
		".socket",
		".mount",
		".swap",
	};
	size_t i;

	if (!unit_chars_ok(p, n))
		return 0;
	if (ends_with(p, n, ".service"))
		return 2;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (ends_with(p, n, others[i]))
			return 1;
	return 0;
}

/* Finds the cgroup path of one line "ID:CONTROLLERS:PATH".  Returns 0 and
 * sets *path, or -1 when the line is not in that form. */
static int line_path(const char *l, size_t n, struct comp *path)
{
	const char *c1, *c2;

	if ((c1 = memchr(l, ':', n)) == NULL)
		return -1;
	c1++;
	if ((c2 = memchr(c1, ':', n - (size_t)(c1 - l))) == NULL)
		return -1;
	c2++;
	path->p = c2;
	path->n = n - (size_t)(c2 - l);
	if (path->n == 0 || path->p[0] != '/')
		return -1;
	return 0;
}

/* Iterates the '/'-separated components of a path.  Returns 1 and fills
 * c while there is one. */
static int next_comp(struct comp *rest, struct comp *c)
{
	while (rest->n > 0 && rest->p[0] == '/') {
		rest->p++;
		rest->n--;
	}
	if (rest->n == 0)
		return 0;
	c->p = rest->p;
	c->n = 0;
	while (c->n < rest->n && rest->p[c->n] != '/')
		c->n++;
	rest->p += c->n;
	rest->n -= c->n;
	return 1;
}

/* Calls fn for every line's path; stops when fn returns non-zero. */
static int each_path(const char *buf, size_t len,
    int (*fn)(void *arg, struct comp path), void *arg)
{
	struct lines it;
	const char *l;
	size_t n;

	lines_init(&it, buf, len, LINES_ANY_LENGTH);
	while (lines_next(&it, &l, &n) != LINES_END) {
		struct comp path;
		int r;

		if (line_path(l, n, &path) != 0)
			continue;
		if ((r = fn(arg, path)) != 0)
			return r;
	}
	return 0;
}

struct unit_pick {
	struct comp best;
	struct comp inner; /* a service inside user@UID.service, if any */
	int kind;
};

static int pick_unit(void *arg, struct comp path)
{
	struct unit_pick *up = arg;
	struct comp c;

	while (next_comp(&path, &c)) {
		int k = unit_kind(c.p, c.n);

		if (k == 0)
			continue;
		/* The outermost unit owns the process; the ones below it
		 * are delegated or user-manager units. */
		if (k > up->kind) {
			up->kind = k;
			up->best = c;
			up->inner.n = 0;
			/* Under a user manager, the innermost service is what
			 * to restart: restarting user@UID.service would end
			 * every service of that user. */
			if (k == 2 && c.n > 5 && memcmp(c.p, "user@", 5) == 0) {
				struct comp d;

				while (next_comp(&path, &d))
					if (unit_kind(d.p, d.n) == 2)
						up->inner = d;
			}
		}
		break;
	}
	return 0;
}

int cgroup_unit(const char *buf, size_t len, char *unit, size_t cap)
{
	struct unit_pick up;

	if (buf == NULL || unit == NULL || cap == 0)
		return -1;
	memset(&up, 0, sizeof(up));
	each_path(buf, len, pick_unit, &up);
	if (up.kind == 0 ||
	    up.best.n + (up.inner.n ? 1 + up.inner.n : 0) >= cap)
		return -1;
	memcpy(unit, up.best.p, up.best.n);
	unit[up.best.n] = '\0';
	if (up.inner.n) {
		unit[up.best.n] = '/';
		memcpy(unit + up.best.n + 1, up.inner.p, up.inner.n);
		unit[up.best.n + 1 + up.inner.n] = '\0';
	}
	return 0;
}

struct hint_out {
	char *out;
	size_t cap;
};

/* Writes "<what> <id>" with the id cut to 12 characters, as docker and
 * podman print container ids.  Returns 1 so that each_path stops. */
static int put_hint(struct hint_out *h, const char *what, const char *id,
    size_t n)
{
	if (n > 12)
		n = 12;
	if (n == 0 || !unit_chars_ok(id, n))
		return 0;
	snprintf(h->out, h->cap, "%s %.*s", what, (int)n, id);
	return 1;
}

static int strip_suffix(const char *p, size_t *n, const char *suf)
{
	size_t k = strlen(suf);

	if (*n > k && memcmp(p + *n - k, suf, k) == 0) {
		*n -= k;
		return 1;
	}
	return 0;
}

static int find_hint(void *arg, struct comp path)
{
	static const struct {
		const char *prefix, *what;
	} scopes[] = {
		{ "docker-", "docker" },
		{ "libpod-", "podman" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
		{ "machine-", "machine" },
	};
	struct hint_out *h = arg;
	struct comp c, prev = { NULL, 0 };
	size_t i;
	int in_kube = 0;

	while (next_comp(&path, &c)) {
		size_t n = c.n;

		for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
			size_t k = strlen(scopes[i].prefix);

			if (starts_with(c.p, n, scopes[i].prefix) &&
			    strip_suffix(c.p, &n, ".scope"))
				return put_hint(h, scopes[i].what, c.p + k,
				    n - k);
		}
		/* cgroupfs drivers: /docker/<id>, /lxc/<name>,
		 * /kubepods/<class>/pod<uid>/<id>. */
		if (prev.p != NULL && prev.n == 6 &&
		    memcmp(prev.p, "docker", 6) == 0)
			return put_hint(h, "docker", c.p, c.n);
		if (prev.p != NULL && prev.n == 3 &&
		    memcmp(prev.p, "lxc", 3) == 0)
			return put_hint(h, "lxc", c.p, c.n);
		if (starts_with(c.p, c.n, "lxc.payload."))
			return put_hint(h, "lxc", c.p + 12, c.n - 12);
		/* "pod<uid>" means a pod only below kubepods. */
		if (in_kube && starts_with(c.p, c.n, "pod"))
			return put_hint(h, "kubernetes pod", c.p + 3, c.n - 3);
		if (starts_with(c.p, c.n, "kubepods") ||
		    (c.n == 8 && memcmp(c.p, "kubepods", 8) == 0))
			in_kube = 1;
		if (starts_with(c.p, c.n, "kubepods-") &&
		    strip_suffix(c.p, &n, ".slice")) {
			const char *pod = memmem(c.p, n, "-pod", 4);

			if (pod != NULL)
				return put_hint(h, "kubernetes pod", pod + 4,
				    n - (size_t)(pod + 4 - c.p));
		}
		prev = c;
	}
	return 0;
}

int cgroup_container_hint(const char *buf, size_t len, char *out, size_t cap)
{
	struct hint_out h = { out, cap };

	if (buf == NULL || out == NULL || cap == 0)
		return -1;
	out[0] = '\0';
	return each_path(buf, len, find_hint, &h) == 1 ? 0 : -1;
}

int unit_is_restartable(const char *unit)
{
	const char *inner = strchr(unit, '/');
	size_t n;

	if (inner)
		unit = inner + 1;
	n = strlen(unit);
	/* A template without an instance ("getty@.service") cannot run. */
	return unit_kind(unit, n) == 2 && !ends_with(unit, n, "@.service");
}

int unit_restart_command(const char *unit, char *out, size_t cap)
{
	const char *inner = strchr(unit, '/');
	int n;

	if (!unit_is_restartable(unit))
		return -1;
	if (inner) {
		/* "user@1000.service/app.service": the user's own manager,
		 * reached from root with --machine=UID@. */
		unsigned long uid = strtoul(unit + 5, NULL, 10);

		n = snprintf(out, cap, "systemctl --user -M %lu@ restart %s",
		    uid, inner + 1);
	} else {
		n = snprintf(out, cap, "systemctl restart %s", unit);
	}
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}
