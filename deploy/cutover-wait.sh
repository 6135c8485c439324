#!/usr/bin/env bash
# Waits until Strait's cutover gates all pass: polls GET /gates/ready until it answers 200 or the timeout ends,
# printing which gates block and why whenever that changes. The step a cutover runbook calls before moving traffic.
#
#   deploy/cutover-wait.sh [--url http://127.0.0.1:8080] [--timeout 600] [--interval 2]
#
# Exit codes: 0 every gate passes; 1 timed out (the blocking gates are printed); 2 bad usage.
# Needs bash and curl; reads the JSON with python3 when present, else with sed.
set -uo pipefail

url="http://127.0.0.1:8080"
timeout_s=600
interval_s=2

usage() {
  echo "usage: $0 [--url BASE_URL] [--timeout SECONDS] [--interval SECONDS]" >&2
  exit 2
}

is_count() { [[ "$1" =~ ^[0-9]{1,7}$ ]]; }

while [ $# -gt 0 ]; do
  case "$1" in
    --url) [ $# -ge 2 ] || usage; url="$2"; shift 2 ;;
    --timeout) [ $# -ge 2 ] && is_count "$2" || usage; timeout_s="$2"; shift 2 ;;
    --interval) [ $# -ge 2 ] && is_count "$2" && [ "$2" -ge 1 ] || usage; interval_s="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[[ "$url" =~ ^https?://[^[:space:]]+$ ]] || { echo "--url must be http(s)://host:port" >&2; usage; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }
ready_url="${url%/}/gates/ready"

# Prints one line per failing gate, "name: reason", from a /gates/ready body on stdin.
blocking_gates() {
  if command -v python3 >/dev/null; then
    python3 -c '
import json, sys
try:
    body = json.load(sys.stdin)
except ValueError:
    print("unreadable answer from the sidecar"); sys.exit(0)
for gate in body.get("gates", []):
    if not gate.get("passed"):
        print("%s: %s" % (gate.get("name"), gate.get("reason")))'
  else
    # The server writes compact JSON with name, passed, reason in that order.
    grep -oE '"name":"[^"]*","passed":false,"reason":"([^"\\]|\\.)*"' \
      | sed -E 's/^"name":"([^"]*)","passed":false,"reason":"(.*)"$/\1: \2/; s/\\"/"/g'
  fi
}

body_file="$(mktemp)"
trap 'rm -f "$body_file"' EXIT
deadline=$(( $(date +%s) + timeout_s ))
last=""
while :; do
  code="$(curl -sS -o "$body_file" -w '%{http_code}' --max-time 5 "$ready_url" 2>/dev/null)" || code="000"
  if [ "$code" = "200" ]; then
    echo "ready: every gate passes ($ready_url)"
    exit 0
  fi
  if [ "$code" = "503" ]; then
    now_blocking="$(blocking_gates < "$body_file")"
  else
    now_blocking="sidecar not answering at $ready_url (HTTP $code)"
  fi
  if [ "$now_blocking" != "$last" ]; then
    echo "not ready; blocked by:"
    printf '%s\n' "$now_blocking" | sed 's/^/  /'
    last="$now_blocking"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "timed out after ${timeout_s}s; still blocked by:" >&2
    printf '%s\n' "$now_blocking" | sed 's/^/  /' >&2
    exit 1
  fi
  sleep "$interval_s"
done
