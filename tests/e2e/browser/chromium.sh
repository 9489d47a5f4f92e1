# Sourced by the browser tests: the e2e helpers, H (heartcheck), T (the
# test's directory), L (loopback), and CHROMIUM, the headless browser; the
# test is skipped (exit 77) when none is installed.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
: "${HEARTCHECK:?}" "${FAKESSL:?}" "${OUTDIR:?}"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: chromium is not installed (scripts/deps.sh --test installs it)"
  exit 77
fi
H=$HEARTCHECK
T=$E2E_TMP
L=127.0.0.1
