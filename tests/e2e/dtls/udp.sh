# Helpers for the DTLS scripts (source after ../lib.sh).

# A UDP port on 127.0.0.1 that nothing is bound to right now.
free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_udp PORT: waits up to 10 s for a UDP socket bound to PORT.
wait_udp() {
  local i
  for i in $(seq 1 100); do
    ss -Hnlu "sport = :$1" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  echo "no UDP server on port $1" >&2
  return 1
}

# wait_listen PORT: waits up to 10 s for a TCP listener on PORT without
# connecting to it (OpenVPN's point-to-point TCP server takes one client).
wait_listen() {
  local i
  for i in $(seq 1 100); do
    ss -Hntl "sport = :$1" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  echo "no TCP listener on port $1" >&2
  return 1
}
