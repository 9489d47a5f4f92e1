/*
 * The restart plan: processes grouped by the unit that restarts them.  See
 * units.h for the contract.
 */
#include "local/units.h"
#include "local/procmaps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct restart_plan {
	char **names;
	unsigned *counts;
	size_t nunits, units_cap;
	struct restart_loose *loose;
	size_t nloose, loose_cap;
};

struct restart_plan *restart_plan_new(void)
{
	return calloc(1, sizeof(struct restart_plan));
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	void *n;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((n = realloc(*arr, ncap * elem)) == NULL)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

static int add_unit(struct restart_plan *rp, const char *unit)
{
	size_t i, cap;
	char *copy;

	for (i = 0; i < rp->nunits; i++) {
		if (strcmp(rp->names[i], unit) == 0) {
			rp->counts[i]++;
			return 0;
		}
	}
	/* Both arrays grow together from the same capacity. */
	cap = rp->units_cap;
	if (grow((void **)&rp->names, &cap, rp->nunits + 1,
		sizeof(*rp->names)) != 0)
		return -1;
	cap = rp->units_cap;
	if (grow((void **)&rp->counts, &cap, rp->nunits + 1,
		sizeof(*rp->counts)) != 0)
		return -1;
	rp->units_cap = cap;
	if ((copy = strdup(unit)) == NULL)
		return -1;
	rp->names[rp->nunits] = copy;
	rp->counts[rp->nunits] = 1;
	rp->nunits++;
	return 0;
}

int restart_plan_add(struct restart_plan *rp, const struct proc_info *p)
{
	struct restart_loose *l;
	unsigned why = 0;
	int i;

	if (rp == NULL || p == NULL)
		return -1;
	for (i = 0; i < p->nlibs && i < PROC_MAX_LIBS; i++)
		why |= p->libs[i].why;
	if (why == 0)
		return 1;
	/* A process in a container is restarted with its container, not
	 * with the host unit that happens to hold it. */
	if (p->container[0] == '\0' && unit_is_restartable(p->unit))
		return add_unit(rp, p->unit);
	if (grow((void **)&rp->loose, &rp->loose_cap, rp->nloose + 1,
		sizeof(*rp->loose)) != 0)
		return -1;
	l = &rp->loose[rp->nloose++];
	memset(l, 0, sizeof(*l));
	l->pid = p->pid;
	l->why = why;
	memcpy(l->comm, p->comm, sizeof(l->comm));
	l->comm[sizeof(l->comm) - 1] = '\0';
	memcpy(l->cmdline, p->cmdline, sizeof(l->cmdline));
	l->cmdline[sizeof(l->cmdline) - 1] = '\0';
	memcpy(l->unit, p->unit, sizeof(l->unit));
	l->unit[sizeof(l->unit) - 1] = '\0';
	memcpy(l->container, p->container, sizeof(l->container));
	l->container[sizeof(l->container) - 1] = '\0';
	return 0;
}

size_t restart_plan_units(const struct restart_plan *rp, const char ***names,
    const unsigned **counts)
{
	if (names)
		*names = (const char **)rp->names;
	if (counts)
		*counts = rp->counts;
	return rp->nunits;
}

size_t restart_plan_loose(const struct restart_plan *rp,
    const struct restart_loose **procs)
{
	if (procs)
		*procs = rp->loose;
	return rp->nloose;
}

void restart_plan_print(const struct restart_plan *rp, FILE *out)
{
	size_t i;
	char why[64];

	for (i = 0; i < rp->nunits; i++) {
		char cmd[600];

		if (unit_restart_command(rp->names[i], cmd, sizeof(cmd)) != 0)
			continue;
		fprintf(out, "%s    # %u process%s\n", cmd, rp->counts[i],
		    rp->counts[i] == 1 ? "" : "es");
	}
	for (i = 0; i < rp->nloose; i++) {
		const struct restart_loose *l = &rp->loose[i];

		fprintf(out, "restart pid %d (%s): %s    # %s", (int)l->pid,
		    l->comm, l->cmdline[0] ? l->cmdline : "?",
		    restart_why_str(l->why, why, sizeof(why)));
		if (l->container[0])
			fprintf(out, ", in %s", l->container);
		else if (l->unit[0])
			fprintf(out, ", in %s", l->unit);
		fputc('\n', out);
	}
}

void restart_plan_free(struct restart_plan *rp)
{
	size_t i;

	if (rp == NULL)
		return;
	for (i = 0; i < rp->nunits; i++)
		free(rp->names[i]);
	free(rp->names);
	free(rp->counts);
	free(rp->loose);
	free(rp);
}
