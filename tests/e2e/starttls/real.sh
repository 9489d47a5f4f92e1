#!/bin/bash
# STARTTLS end to end against real Debian servers, each started here on a
# loopback port with its own temporary configuration and a self-signed
# certificate, and stopped at the end: PostgreSQL, Dovecot (IMAP, POP3,
# ManageSieve), OpenLDAP slapd, MariaDB, Postfix, xrdp and vsftpd (also
# its "500 OOPS" refusal).  They are linked
# against OpenSSL 3 or GnuTLS, so no heartbeat answer is expected: the
# verdict must be no-heartbeat (or patched), through the protocol's
# STARTTLS.  A server whose package is missing is skipped, and said so;
# scripts/deps.sh --test installs them all.
set -u
: "${HEARTCHECK:?}"
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: the real servers are started as root, with their own users"
    exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/heartcheck-real.XXXXXX")
chmod 755 "$T"
PIDS=()
FAILS=0
PASSES=0
SKIPS=0
STOPS=()
cleanup() {
    local p s
    for s in "${STOPS[@]}"; do eval "$s" >/dev/null 2>&1; done
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() { # PORT SECONDS
    local i
    for i in $(seq 1 $(($2 * 10))); do
        (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
skip() { echo "SKIP: $*"; SKIPS=$((SKIPS + 1)); }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=localhost >/dev/null 2>&1
chmod 644 "$T/key.pem" "$T/cert.pem"

# probe NAME PROTO PORT: scan it and check the verdict.
probe() {
    local name=$1 proto=$2 port=$3 out="$T/$1.json" t0 t1
    t0=$(date +%s%N)
    "$HEARTCHECK" scan --json -t 5000 --starttls "$proto" \
        --xmpp-host localhost "127.0.0.1:$port" >"$out" 2>"$out.err"
    t1=$(date +%s%N)
    if python3 - "$out" "$proto" "$name" "$(( (t1 - t0) / 1000000 ))" <<'PY'
import json, sys
path, proto, name, ms = sys.argv[1:5]
o = [json.loads(l) for l in open(path) if l.strip()][0]
ok = o["verdict"] in ("no-heartbeat", "patched") and o["starttls"] == proto \
    and o["disclosed"] == 0
print("%s - %s via --starttls %s: %s (%s, %s ms wall) %s" % (
    "ok" if ok else "not ok", name, proto, o["verdict"], o["version"], ms,
    o["reason"][:100]))
sys.exit(0 if ok else 1)
PY
    then PASSES=$((PASSES + 1)); else FAILS=$((FAILS + 1)); fi
}

# refused NAME PROTO PORT TEXT: a refusal that quotes the server.
refused() {
    local out="$T/$1.json"
    "$HEARTCHECK" scan --json -t 5000 --starttls "$2" "127.0.0.1:$3" \
        >"$out" 2>"$out.err"
    if python3 - "$out" "$1" "$4" <<'PY'
import json, sys
path, name, text = sys.argv[1:4]
o = [json.loads(l) for l in open(path) if l.strip()][0]
ok = o["verdict"] == "starttls-refused" and text in o["reason"]
print("%s - %s: %s (%s ms) %s" % ("ok" if ok else "not ok", name,
      o["verdict"], o["elapsed_ms"], o["reason"][:110]))
sys.exit(0 if ok else 1)
PY
    then PASSES=$((PASSES + 1)); else FAILS=$((FAILS + 1)); fi
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin=
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/postgres" ] && pg_bin=$d; done
if [ -n "$pg_bin" ]; then
    port=$(free_port)
    mkdir -p "$T/pg" && chown nobody:nogroup "$T/pg" "$T/key.pem" "$T/cert.pem"
    chmod 600 "$T/key.pem"
    if setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$pg_bin/initdb" -D "$T/pg/data" -U postgres --auth=trust \
        >"$T/pg.log" 2>&1; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups \
            "$pg_bin/postgres" -D "$T/pg/data" -k "$T/pg" -p "$port" \
            -c listen_addresses=127.0.0.1 -c ssl=on \
            -c ssl_cert_file="$T/cert.pem" -c ssl_key_file="$T/key.pem" \
            >>"$T/pg.log" 2>&1 &
        PIDS+=($!)
        if wait_port "$port" 20; then probe postgresql postgres "$port"
        else echo "not ok - postgresql did not start"; tail -5 "$T/pg.log"; FAILS=$((FAILS + 1)); fi
    else
        echo "not ok - initdb failed"; tail -5 "$T/pg.log"; FAILS=$((FAILS + 1))
    fi
    chown root:root "$T/key.pem" "$T/cert.pem"; chmod 644 "$T/key.pem"
else
    skip "PostgreSQL is not installed (package postgresql)"
fi

# ---------------------------------------------------------------- Dovecot
if [ -x /usr/sbin/dovecot ]; then
    pi=$(free_port); pp=$(free_port); ps_=$(free_port)
    mkdir -p "$T/dc/run" "$T/dc/mail"
    protos="imap pop3"
    [ -x /usr/lib/dovecot/managesieve-login ] && protos="$protos sieve"
    cat >"$T/dc/dovecot.conf" <<CONF
base_dir = $T/dc/run
state_dir = $T/dc/state
protocols = $protos
listen = 127.0.0.1
log_path = $T/dc/log
ssl = yes
ssl_cert = <$T/cert.pem
ssl_key = <$T/key.pem
disable_plaintext_auth = yes
mail_location = maildir:$T/dc/mail/%u
passdb {
  driver = static
  args = password=unused
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$T/dc/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $pi
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pp
  }
  inet_listener pop3s {
    port = 0
  }
}
service managesieve-login {
  inet_listener sieve {
    address = 127.0.0.1
    port = $ps_
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
    /usr/sbin/dovecot -F -c "$T/dc/dovecot.conf" >"$T/dc/out" 2>&1 &
    PIDS+=($!)
    if wait_port "$pi" 15; then
        probe dovecot-imap imap "$pi"
        wait_port "$pp" 5 && probe dovecot-pop3 pop3 "$pp"
        if [[ $protos == *sieve* ]]; then
            wait_port "$ps_" 5 && probe dovecot-managesieve sieve "$ps_"
        else
            skip "ManageSieve: dovecot-managesieved is not installed"
        fi
    else
        echo "not ok - dovecot did not start"; cat "$T/dc/out"; tail -5 "$T/dc/log"; FAILS=$((FAILS + 1))
    fi
else
    skip "Dovecot is not installed (dovecot-imapd, dovecot-pop3d)"
fi

# ---------------------------------------------------------------- slapd
if [ -x /usr/sbin/slapd ]; then
    port=$(free_port)
    mkdir -p "$T/ldap/db"
    cat >"$T/ldap/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
pidfile $T/ldap/slapd.pid
TLSCertificateFile $T/cert.pem
TLSCertificateKeyFile $T/key.pem
database ldif
suffix "dc=example,dc=org"
directory $T/ldap/db
CONF
    /usr/sbin/slapd -f "$T/ldap/slapd.conf" -h "ldap://127.0.0.1:$port/" \
        -d 0 >"$T/ldap/out" 2>&1 &
    PIDS+=($!)
    if wait_port "$port" 15; then probe slapd ldap "$port"
    else echo "not ok - slapd did not start"; cat "$T/ldap/out"; FAILS=$((FAILS + 1)); fi
else
    skip "OpenLDAP is not installed (slapd)"
fi

# ---------------------------------------------------------------- MariaDB
if [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null; then
    port=$(free_port)
    mkdir -p "$T/my"
    if mariadb-install-db --no-defaults --user=root --datadir="$T/my/data" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$T/my/install.log" 2>&1; then
        /usr/sbin/mariadbd --no-defaults --user=root --datadir="$T/my/data" \
            --socket="$T/my/sock" --pid-file="$T/my/pid" --port="$port" \
            --bind-address=127.0.0.1 --skip-name-resolve \
            --ssl-cert="$T/cert.pem" --ssl-key="$T/key.pem" \
            --log-error="$T/my/err" >"$T/my/out" 2>&1 &
        PIDS+=($!)
        if wait_port "$port" 30; then probe mariadb mysql "$port"
        else echo "not ok - mariadbd did not start"; tail -5 "$T/my/err"; FAILS=$((FAILS + 1)); fi
    else
        echo "not ok - mariadb-install-db failed"; tail -5 "$T/my/install.log"; FAILS=$((FAILS + 1))
    fi
else
    skip "MariaDB is not installed (mariadb-server)"
fi

# ---------------------------------------------------------------- Postfix
if [ -x /usr/sbin/postfix ]; then
    port=$(free_port)
    pf=$T/pf
    mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
    chown postfix "$pf/data"
    cp /etc/postfix/master.cf "$pf/etc/master.cf" 2>/dev/null || :
    cat >"$pf/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
myhostname = heartcheck-test.localdomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file_prefixes = $pf
maillog_file = $pf/maillog
smtpd_tls_cert_file = $T/cert.pem
smtpd_tls_key_file = $T/key.pem
smtpd_tls_security_level = may
CONF
    cat >"$pf/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
    # postfix says why it fails only on a terminal, or to syslog.
    if script -qec "/usr/sbin/postfix -c $pf/etc start" /dev/null >"$pf/out" 2>&1; then
        STOPS+=("/usr/sbin/postfix -c '$pf/etc' stop")
        if wait_port "$port" 15; then probe postfix smtp "$port"
        else echo "not ok - postfix did not listen"; cat "$pf/out" "$pf/maillog" 2>/dev/null | tail -8; FAILS=$((FAILS + 1)); fi
    else
        echo "not ok - postfix did not start"; tail -8 "$pf/out" "$pf/maillog"; FAILS=$((FAILS + 1))
    fi
else
    skip "Postfix is not installed (postfix)"
fi

# ---------------------------------------------------------------- xrdp
if [ -x /usr/sbin/xrdp ] && [ -f /etc/xrdp/xrdp.ini ]; then
    port=$(free_port)
    mkdir -p "$T/xrdp"
    sed -e "s|^port=3389|port=tcp://127.0.0.1:$port|" \
        -e "s|^certificate=.*|certificate=$T/cert.pem|" \
        -e "s|^key_file=.*|key_file=$T/key.pem|" \
        -e "s|^LogFile=.*|LogFile=$T/xrdp/log|" \
        /etc/xrdp/xrdp.ini >"$T/xrdp/xrdp.ini"
    /usr/sbin/xrdp --nodaemon --config "$T/xrdp/xrdp.ini" \
        >"$T/xrdp/out" 2>&1 &
    PIDS+=($!)
    if wait_port "$port" 15; then probe xrdp rdp "$port"
    else echo "not ok - xrdp did not start"; tail -5 "$T/xrdp/out"; FAILS=$((FAILS + 1)); fi
else
    skip "xrdp is not installed (xrdp)"
fi

# ---------------------------------------------------------------- vsftpd
# One with TLS on, and one whose configuration it refuses per connection
# with "500 OOPS: ..." in place of the greeting.
if [ -x /usr/sbin/vsftpd ]; then
    mkdir -p "$T/ftp" /var/run/vsftpd/empty
    pok=$(free_port); pbad=$(free_port)
    for v in ok bad; do
        port=$pok; local_enable=YES
        [ $v = bad ] && { port=$pbad; local_enable=NO; }
        cat >"$T/ftp/$v.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=$local_enable
ssl_enable=YES
rsa_cert_file=$T/cert.pem
rsa_private_key_file=$T/key.pem
secure_chroot_dir=/var/run/vsftpd/empty
xferlog_enable=NO
vsftpd_log_file=$T/ftp/$v.log
CONF
        /usr/sbin/vsftpd "$T/ftp/$v.conf" >"$T/ftp/$v.out" 2>&1 &
        PIDS+=($!)
    done
    if wait_port "$pok" 10 && wait_port "$pbad" 10; then
        probe vsftpd ftp "$pok"
        refused vsftpd-oops ftp "$pbad" '500 OOPS: vsftpd: both local and anonymous access disabled!'
    else
        echo "not ok - vsftpd did not start"; cat "$T/ftp/"*.out; FAILS=$((FAILS + 1))
    fi
else
    skip "vsftpd is not installed (vsftpd)"
fi

echo "$PASSES passed, $FAILS failed, $SKIPS skipped"
[ "$FAILS" -eq 0 ] || exit 1
[ "$PASSES" -gt 0 ] || exit 77
exit 0
