# Helpers of the clients end-to-end scripts.  Source it after ../lib.sh.

# jget FILE EXPR: evaluates EXPR on the first "client" object of FILE.
jget() {
  python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "client":
        print(eval(sys.argv[2], {}, {"o": o}))
        break
else:
    print("<missing>")
PY
}
