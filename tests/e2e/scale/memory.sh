#!/usr/bin/env bash
# Flat memory: a 65,536-endpoint scan of closed loopback ports (refused at
# once) stays within a few MB of a 1,024-endpoint one, and a million
# streamed target lines cost no more than a handful.  Max RSS comes from
# /usr/bin/time (Debian package "time").
. "$(dirname "$0")/../lib.sh"
: "${HEARTCHECK:?}"
H=$HEARTCHECK
[ -x /usr/bin/time ] || { echo "1..0 # SKIP /usr/bin/time missing (apt-get install time)"; exit 77; }
if ss -ltnH 2>/dev/null | awk '{print $4}' | grep -qE ':1$'; then
  echo "1..0 # SKIP something listens on port 1"; exit 77
fi
cd "$E2E_TMP" || exit 1
# Under AddressSanitizer RSS measures its quarantine and shadow memory, not
# heartcheck: the scans still run (for leaks and errors), the bounds are
# not checked.
asan=0
grep -qa __asan_init "$H" && asan=1
bound() { # DESCRIPTION COMMAND...
  if [ "$asan" = 1 ]; then echo "ok - $1 # SKIP sanitizer build"; else check "$@"; fi
}
rss() { /usr/bin/time -f %M -o rss "$@" >/dev/null 2>&1; cat rss | tail -1; }
small=$(rss "$H" scan -q -p 1 -c 1000 -t 2000 127.90.0.0/22)
big=$(rss "$H" scan -q -p 1 -c 1000 -t 2000 127.91.0.0/16)
echo "# max RSS: 1,024 endpoints ${small} KiB, 65,536 endpoints ${big} KiB"
bound "65,536 endpoints under 32 MiB (${big} KiB)" test "$big" -lt 32768
bound "within 4 MiB of 1,024 endpoints (${small} -> ${big} KiB)" test "$((big - small))" -lt 4096
seq -f 'host%.0f.invalid' 1 1000000 >names.txt
names=$(rss "$H" scan -iL names.txt 224.0.0.1)
echo "# max RSS reading a million names: ${names} KiB"
bound "a million streamed names under 16 MiB (${names} KiB)" test "$names" -lt 16384
finish
