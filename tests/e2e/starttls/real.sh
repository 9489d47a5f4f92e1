#!/bin/bash
# STARTTLS end to end against real Debian servers, each started here on a
# loopback port with its own temporary configuration and a self-signed
# certificate, and stopped at the end: PostgreSQL, Dovecot (IMAP, POP3,
# ManageSieve, LMTP), OpenLDAP slapd, MariaDB, Postfix, xrdp, vsftpd (also
# its "500 OOPS" refusal), INN's nnrpd (NNTP), Prosody (XMPP client and
# server-to-server, also its host-unknown refusal), InspIRCd (IRC),
# telnetd-ssl (Telnet, run from socat as from inetd), and ngIRCd, which has
# no STARTTLS and leaves the command unanswered.  They are linked
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

# refused NAME PROTO PORT TEXT [VERDICT [SCAN-ARGS...]]: a refusal (or
# another verdict that is no test) whose reason quotes the server.
refused() {
    local out="$T/$1.json" verdict=${5:-starttls-refused}
    "$HEARTCHECK" scan --json -t 5000 --starttls "$2" "${@:6}" "127.0.0.1:$3" \
        >"$out" 2>"$out.err"
    if python3 - "$out" "$1" "$4" "$verdict" "$2" <<'PY'
import json, sys
path, name, text, verdict, proto = sys.argv[1:6]
o = [json.loads(l) for l in open(path) if l.strip()][0]
ok = o["verdict"] == verdict and text in o["reason"] and \
    o["starttls"] == proto and o["disclosed"] == 0
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
    pi=$(free_port); pp=$(free_port); ps_=$(free_port); pl=$(free_port)
    mkdir -p "$T/dc/run" "$T/dc/mail"
    protos="imap pop3"
    [ -x /usr/lib/dovecot/managesieve-login ] && protos="$protos sieve"
    lmtp_service=
    if [ -x /usr/lib/dovecot/lmtp ]; then
        protos="$protos lmtp"
        lmtp_service="service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $pl
  }
  unix_listener lmtp {
    mode = 0
  }
}"
    fi
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
$lmtp_service
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
        if [[ $protos == *lmtp* ]]; then
            wait_port "$pl" 5 && probe dovecot-lmtp lmtp "$pl"
        else
            skip "LMTP: dovecot-lmtpd is not installed"
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

# ---------------------------------------------------------------- INN nnrpd
# nnrpd as its own daemon (-D -f) with an inn.conf of its own (INNCONF):
# every path in the test's directory, a readers.conf that lets loopback
# read, and an empty overview (nnrpd answers 400 without one).
nnrpd=/usr/lib/news/bin/nnrpd
if [ -x "$nnrpd" ] && [ -f /etc/news/inn.conf ]; then
    port=$(free_port)
    inn=$T/inn
    mkdir -p "$inn/etc" "$inn/run" "$inn/log" "$inn/db" "$inn/ov"
    sed -e "s|^#* *domain:.*|domain: localdomain|" \
        -e "s|^pathhost:.*|pathhost: heartcheck-test.localdomain|" \
        -e "s|^pathetc:.*|pathetc: $inn/etc|" \
        -e "s|^pathrun:.*|pathrun: $inn/run|" \
        -e "s|^pathlog:.*|pathlog: $inn/log|" \
        -e "s|^pathdb:.*|pathdb: $inn/db|" \
        -e "s|^pathoverview:.*|pathoverview: $inn/ov|" \
        -e "s|^ovmethod:.*|ovmethod: tradindexed|" \
        -e "s|^enableoverview:.*|enableoverview: true|" \
        /etc/news/inn.conf >"$inn/etc/inn.conf"
    cat >>"$inn/etc/inn.conf" <<CONF
tlscertfile: $inn/cert.pem
tlskeyfile: $inn/key.pem
CONF
    cat >"$inn/etc/readers.conf" <<'CONF'
auth "loopback" {
    hosts: "127.0.0.1"
    default: "<loopback>"
}
access "loopback" {
    users: "<loopback>"
    newsgroups: "*"
}
CONF
    cp /etc/news/storage.conf "$inn/etc/"
    printf 'control 0000000000 0000000001 n\njunk 0000000000 0000000001 n\n' \
        >"$inn/db/active"
    : >"$inn/db/newsgroups"
    cp "$T/cert.pem" "$T/key.pem" "$inn/"
    chown -R news:news "$inn"
    chmod 600 "$inn/key.pem"
    if setpriv --reuid=news --regid=news --clear-groups \
        env INNCONF="$inn/etc/inn.conf" /usr/lib/news/bin/makehistory -O -x -F \
        >"$inn/out" 2>&1; then
        INNCONF="$inn/etc/inn.conf" "$nnrpd" -D -f -n -b 127.0.0.1 -p "$port" \
            >>"$inn/out" 2>&1 &
        PIDS+=($!)
        if wait_port "$port" 15; then probe inn-nnrpd nntp "$port"
        else echo "not ok - nnrpd did not start"; tail -5 "$inn/out"; FAILS=$((FAILS + 1)); fi
    else
        echo "not ok - makehistory (an empty overview for nnrpd) failed"
        tail -5 "$inn/out"; FAILS=$((FAILS + 1))
    fi
else
    skip "INN is not installed (inn2)"
fi

# ---------------------------------------------------------------- Prosody
# c2s and s2s with STARTTLS required; a stream to a domain it does not
# serve gets its host-unknown stream error, which is a refusal.
if command -v prosody >/dev/null; then
    pc=$(free_port); pv=$(free_port)
    x=$T/xmpp
    mkdir -p "$x/data"
    cp "$T/cert.pem" "$T/key.pem" "$x/"
    cat >"$x/prosody.cfg.lua" <<CONF
pidfile = "$x/prosody.pid"
data_path = "$x/data"
certificates = "$x"
interfaces = { "127.0.0.1" }
c2s_ports = { $pc }
s2s_ports = { $pv }
c2s_direct_tls_ports = { }
s2s_direct_tls_ports = { }
legacy_ssl_ports = { }
http_ports = { }
https_ports = { }
log = { { levels = { min = "info" }, to = "file", filename = "$x/log" } }
modules_enabled = { "tls", "saslauth", "disco", "dialback" }
modules_disabled = { "posix" }
ssl = { certificate = "$x/cert.pem", key = "$x/key.pem" }
c2s_require_encryption = true
s2s_require_encryption = true
authentication = "internal_hashed"
VirtualHost "localhost"
CONF
    chown -R prosody:prosody "$x"
    chmod 600 "$x/key.pem"
    setpriv --reuid=prosody --regid=prosody --clear-groups \
        prosody --config "$x/prosody.cfg.lua" -F >"$x/out" 2>&1 &
    PIDS+=($!)
    if wait_port "$pc" 15 && wait_port "$pv" 5; then
        probe prosody-c2s xmpp "$pc"
        probe prosody-s2s xmpp-server "$pv"
        refused prosody-host-unknown xmpp "$pc" \
            'XMPP stream error: "host-unknown"' starttls-refused \
            --xmpp-host nowhere.invalid
    else
        echo "not ok - prosody did not start"; tail -5 "$x/out" "$x/log"; FAILS=$((FAILS + 1))
    fi
else
    skip "Prosody is not installed (prosody)"
fi

# ---------------------------------------------------------------- InspIRCd
if command -v inspircd >/dev/null &&
    [ -f /usr/lib/inspircd/modules/m_starttls.so ]; then
    port=$(free_port)
    irc=$T/irc
    mkdir -p "$irc"
    cp "$T/cert.pem" "$T/key.pem" "$irc/"
    cat >"$irc/inspircd.conf" <<CONF
<server name="irc.heartcheck.test" description="heartcheck test" network="Test">
<admin name="test" nick="test" email="root@localhost">
<bind address="127.0.0.1" port="$port" type="clients">
<power diepass="" restartpass="">
<connect allow="*" timeout="60" localmax="50" globalmax="50">
<pid file="$irc/inspircd.pid">
<log method="file" type="*" level="default" target="$irc/log">
<dns server="127.0.0.1" timeout="1">
<module name="ssl_gnutls">
<module name="starttls">
<sslprofile name="gnutls" provider="gnutls" certfile="$irc/cert.pem"
            keyfile="$irc/key.pem" dhfile="" hash="sha256">
CONF
    chown -R irc:irc "$irc"
    chmod 600 "$irc/key.pem"
    setpriv --reuid=irc --regid=irc --clear-groups \
        inspircd --config "$irc/inspircd.conf" --nofork >"$irc/out" 2>&1 &
    PIDS+=($!)
    if wait_port "$port" 15; then probe inspircd irc "$port"
    else echo "not ok - inspircd did not start"; tail -5 "$irc/out"; FAILS=$((FAILS + 1)); fi
else
    skip "InspIRCd is not installed (inspircd)"
fi

# ---------------------------------------------------------------- ngIRCd
# ngIRCd has no STARTTLS, and ignores a command it does not know from a
# client that has not registered: no answer at all, so a timeout that
# says what it waited for.
if command -v ngircd >/dev/null; then
    port=$(free_port)
    mkdir -p "$T/ngircd"
    cat >"$T/ngircd/ngircd.conf" <<CONF
[Global]
Name = irc2.heartcheck.test
Info = heartcheck test
Listen = 127.0.0.1
Ports = $port
PidFile = $T/ngircd/pid
MotdPhrase = heartcheck test
[Options]
DNS = no
Ident = no
PAM = no
CONF
    ngircd -n -f "$T/ngircd/ngircd.conf" >"$T/ngircd/out" 2>&1 &
    PIDS+=($!)
    if wait_port "$port" 15; then
        refused ngircd-no-starttls irc "$port" \
            'waiting for the 670 answer to STARTTLS (the server sent nothing)' \
            timeout -t 1200
    else
        echo "not ok - ngircd did not start"; tail -5 "$T/ngircd/out"; FAILS=$((FAILS + 1))
    fi
else
    skip "ngIRCd is not installed (ngircd)"
fi

# ---------------------------------------------------------------- telnetd-ssl
# in.telnetd is an inetd service: socat accepts on the port and runs one
# per connection, the socket on its standard input and output.
if [ -x /usr/sbin/in.telnetd ] && grep -qa 'AUTH SSL' /usr/sbin/in.telnetd &&
    command -v socat >/dev/null; then
    port=$(free_port)
    socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
        EXEC:"/usr/sbin/in.telnetd -z cert=$T/cert.pem -z key=$T/key.pem -z secure" \
        >"$T/telnetd.out" 2>&1 &
    PIDS+=($!)
    if wait_port "$port" 10; then probe telnetd-ssl telnet "$port"
    else echo "not ok - socat for in.telnetd did not listen"; cat "$T/telnetd.out"; FAILS=$((FAILS + 1)); fi
else
    skip "telnetd-ssl is not installed (telnetd-ssl, socat)"
fi

echo "$PASSES passed, $FAILS failed, $SKIPS skipped"
[ "$FAILS" -eq 0 ] || exit 1
[ "$PASSES" -gt 0 ] || exit 77
exit 0
