/*
 * heartcheck scan --tls-auth FILE[:DIR] and --tls-auth-digest: the OpenVPN
 * static key, read with the safe opener, parsed (probe/ovpn_auth.h) and
 * wiped as soon as the signing keys are made (cmd/scan_opts.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/scan_opts.h"
#include "local/safeopen.h"
#include "probe/ovpn_auth.h"

static const char tls_auth_hint[] =
    "--tls-auth FILE[:0|1] with an OpenVPN static key file, as made by "
    "openvpn --genkey secret FILE";

int scan_tls_auth_load(struct scan_cmd *c)
{
	enum ovpn_keydir dir = OVPN_DIR_NONE;
	enum ovpn_digest md = OVPN_MD_SHA1;
	uint8_t key[OVPN_KEY_LEN], *buf = NULL;
	char *path = NULL, *colon, msg[300], why[160];
	struct stat st;
	size_t n = 0;
	int fd = -1, trunc = 0, r, ret = EXIT_USAGE;

	if (!c->tls_auth_arg)
		return scan_fail_usage("--tls-auth-digest without --tls-auth",
		    tls_auth_hint);
	if (c->tls_auth_digest && ovpn_digest_parse(c->tls_auth_digest, &md)) {
		snprintf(msg, sizeof(msg),
		    "--tls-auth-digest: \"%s\" is not one of SHA1, SHA256, "
		    "SHA512",
		    c->tls_auth_digest);
		return scan_fail_usage(msg, NULL);
	}
	if (!(path = strdup(c->tls_auth_arg)))
		return scan_fail_usage("out of memory", NULL);
	/* FILE:0 and FILE:1 name the direction; a colon followed by
	 * anything but digits is part of the file's name. */
	if ((colon = strrchr(path, ':')) && colon[1] &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		if (strcmp(colon + 1, "0") && strcmp(colon + 1, "1")) {
			ret = scan_fail_usage("--tls-auth: the key direction "
					      "is 0 or 1",
			    tls_auth_hint);
			goto out;
		}
		dir = colon[1] == '0' ? OVPN_DIR_0 : OVPN_DIR_1;
		*colon = '\0';
	}
	if ((fd = safe_open_regular(AT_FDCWD, path, 0, &st)) < 0) {
		snprintf(msg, sizeof(msg), "--tls-auth %s: %s", path,
		    safe_open_why(errno, &st, why, sizeof(why)));
		ret = scan_fail_usage(msg, tls_auth_hint);
		goto out;
	}
	if (safe_read_fd(fd, OVPN_KEY_FILE_MAX, &buf, &n, &trunc) != 0) {
		snprintf(msg, sizeof(msg), "--tls-auth %s: %s", path,
		    strerror(errno));
		ret = scan_fail_usage(msg, NULL);
		goto out;
	}
	r = trunc ? -1 : ovpn_key_parse(buf, n, key, why, sizeof(why));
	if (trunc)
		snprintf(why, sizeof(why),
		    "larger than an OpenVPN static key "
		    "file");
	if (r != 0) {
		snprintf(msg, sizeof(msg), "--tls-auth %s: %s", path, why);
		ret = scan_fail_usage(msg, tls_auth_hint);
		goto out;
	}
	if (!(c->tls_auth = malloc(sizeof(*c->tls_auth)))) {
		ret = scan_fail_usage("out of memory", NULL);
		goto out;
	}
	ovpn_auth_init(c->tls_auth, key, dir, md);
	c->so.ovpn_auth = c->tls_auth;
	ret = -1;
out:
	explicit_bzero(key, sizeof(key));
	if (buf) {
		explicit_bzero(buf, n);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

void scan_cmd_free(struct scan_cmd *c)
{
	if (c->tls_auth) {
		ovpn_auth_wipe(c->tls_auth);
		free(c->tls_auth);
		c->tls_auth = NULL;
		c->so.ovpn_auth = NULL;
	}
}
