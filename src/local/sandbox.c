/*
 * Process lockdown for the library helper: rlimits, no_new_privs, seccomp.
 */
#include "local/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The account the helper runs untrusted code as when none is found. */
#define FALLBACK_UID 65534
#define FALLBACK_GID 65534

/* Bytes already mapped, from /proc/self/statm, or 0 when unknown. */
static rlim_t mapped_bytes(void)
{
	unsigned long pages = 0;
	long psz = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (rlim_t)pages * (rlim_t)(psz > 0 ? psz : 4096);
}

static int set_one(int res, rlim_t v)
{
	struct rlimit rl = { v, v };
	struct rlimit old;

	/* Never ask for more than the hard limit we hold: that needs
	 * privileges we may not have, and it would loosen nothing anyway. */
	if (getrlimit(res, &old) == 0 && old.rlim_max != RLIM_INFINITY &&
	    v > old.rlim_max)
		rl.rlim_cur = rl.rlim_max = old.rlim_max;
	if (setrlimit(res, &rl) != 0)
		return -errno;
	return 0;
}

int sandbox_limit(const struct sandbox_limits *lim)
{
	int r;

	if (lim->as_bytes != 0) {
		rlim_t base = mapped_bytes();

		if ((r = set_one(RLIMIT_AS, base + lim->as_bytes)) != 0)
			goto out;
	}
	if (lim->cpu_seconds != 0 &&
	    (r = set_one(RLIMIT_CPU, lim->cpu_seconds)) != 0)
		goto out;
	if (lim->nofile != 0 && (r = set_one(RLIMIT_NOFILE, lim->nofile)) != 0)
		goto out;
	if ((r = set_one(RLIMIT_FSIZE, 0)) != 0)
		goto out;
	if ((r = set_one(RLIMIT_CORE, 0)) != 0)
		goto out;
	/* NPROC counts every process of this user, so 0 stops fork() for
	 * anyone but root; seccomp covers root below. */
	r = set_one(RLIMIT_NPROC, 0);
out:
	return r;
}

/* Syscalls allowed without argument checks.  Looked up by name so that a
 * name this architecture lacks (open on arm64) is skipped, not fatal. */
static const char *const allowed[] = {
	"read",
	"readv",
	"pread64",
	"write",
	"writev",
	"pwrite64",
	"close",
	"lseek",
	"fstat",
	"newfstatat",
	"statx",
	"mmap",
	"munmap",
	"mprotect",
	"mremap",
	"brk",
	"madvise",
	"futex",
	"set_robust_list",
	"rseq",
	"clock_gettime",
	"clock_getres",
	"gettimeofday",
	"time",
	"clock_nanosleep",
	"nanosleep",
	"sched_yield",
	"getrandom",
	"getpid",
	"gettid",
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	"sysinfo",
	"uname",
	"getrlimit",
	"rt_sigreturn",
	"rt_sigprocmask",
	"rt_sigaction",
	"sigaltstack",
	"exit",
	"exit_group",
	"restart_syscall",
};

int sandbox_lock(void)
{
	scmp_filter_ctx ctx = NULL;
	/* Spelled out: SCMP_A0() leaves datum_b implicit, which clang flags. */
	const struct scmp_arg_cmp to_self = { .arg = 0,
		.op = SCMP_CMP_EQ,
		.datum_a = (scmp_datum_t)getpid(),
		.datum_b = 0 };
	/* An open is allowed only when it cannot create or write. */
	const scmp_datum_t wmask = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
	/* fcntl only on our own descriptors' flags: F_SETOWN and F_SETSIG
	 * would let SIGIO deliver any signal to any process we may signal. */
	static const int fcntl_ok[] = { F_GETFD, F_SETFD, F_GETFL, F_SETFL,
		F_DUPFD, F_DUPFD_CLOEXEC };
	size_t i;
	int r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		r = -errno;
		goto out;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0)
			goto out;
	}
	for (i = 0; i < sizeof(fcntl_ok) / sizeof(fcntl_ok[0]); i++)
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl),
			 1, SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)fcntl_ok[i]))) !=
		    0)
			goto out;
	/* prlimit64 only reads our own limits: with a pid it could lower
	 * another process's limits, and with CAP_SYS_RESOURCE a new limit
	 * would undo step 1. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2,
		 SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A2(SCMP_CMP_EQ, 0))) != 0)
		goto out;
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		 SCMP_A2(SCMP_CMP_MASKED_EQ, wmask, O_RDONLY))) != 0)
		goto out;
	if (seccomp_syscall_resolve_name("open") != __NR_SCMP_ERROR &&
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
		 SCMP_A1(SCMP_CMP_MASKED_EQ, wmask, O_RDONLY))) != 0)
		goto out;
	/* abort() raises SIGABRT with tgkill; allow signals to ourselves only,
	 * so a crash is still reported by its own signal. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
		 to_self)) != 0)
		goto out;
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
		 to_self)) != 0)
		goto out;
	r = seccomp_load(ctx);
out:
	if (ctx != NULL)
		seccomp_release(ctx);
	return r;
}

int sandbox_enter(const struct sandbox_limits *lim)
{
	int r;

	if ((r = sandbox_limit(lim)) != 0)
		return r;
	return sandbox_lock();
}

int sandbox_drop_privileges(void)
{
	struct passwd *pw;
	uid_t uid = FALLBACK_UID;
	gid_t gid = FALLBACK_GID;

	if (geteuid() != 0 && getuid() != 0)
		return 0;
	/* Looked up while the files are still ours to read. */
	if ((pw = getpwnam("nobody")) != NULL && pw->pw_uid != 0 &&
	    pw->pw_gid != 0) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (setgroups(0, NULL) != 0)
		return -errno;
	if (setresgid(gid, gid, gid) != 0)
		return -errno;
	if (setresuid(uid, uid, uid) != 0)
		return -errno;
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid || getgroups(0, NULL) != 0)
		return -EPERM;
	/* The drop must be one-way. */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return -EPERM;
	return 0;
}

#ifdef LANDLOCK_CREATE_RULESET_VERSION
static __u64 ll_fs_rights(int abi)
{
	__u64 r = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;

#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
#endif
	return r;
}

int sandbox_landlock(const char *const *ro)
{
	struct landlock_ruleset_attr attr;
	int abi, rfd, r = 1;
	size_t i;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = ll_fs_rights(abi);
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rfd < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? 0 : -errno;
	for (i = 0; ro != NULL && ro[i] != NULL; i++) {
		struct landlock_path_beneath_attr pb;
		struct stat st;
		int fd = open(ro[i], O_PATH | O_CLOEXEC);

		if (fd < 0)
			continue;
		memset(&pb, 0, sizeof(pb));
		pb.parent_fd = fd;
		pb.allowed_access =
		    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			pb.allowed_access |= LANDLOCK_ACCESS_FS_READ_DIR;
		if (syscall(SYS_landlock_add_rule, rfd,
			LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0 &&
		    errno != EINVAL) {
			r = -errno;
			close(fd);
			goto out;
		}
		close(fd);
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) != 0)
		r = -errno;
out:
	close(rfd);
	return r;
}
#else
int sandbox_landlock(const char *const *ro)
{
	(void)ro;
	return 0;
}
#endif
