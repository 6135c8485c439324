#!/usr/bin/env bash
# Where a JFR recording's CPU samples went: busiest threads, hottest frames (self), hottest Strait/Kafka frames
# anywhere on the stack. Usage: benchmarks/jfr-top.sh recording.jfr [top-n]
set -euo pipefail
file=$1
top=${2:-20}
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
jfr print --events jdk.ExecutionSample --stack-depth 64 "$file" > "$samples"
echo "== $(grep -c 'jdk.ExecutionSample' "$samples") execution samples"
echo "== by thread"
grep -o 'sampledThread = "[^"]*"' "$samples" | sed 's/sampledThread = //' | sort | uniq -c | sort -rn | head -"$top"
echo "== top frames (self)"
awk '/stackTrace = \[/{getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print}' "$samples" \
    | sort | uniq -c | sort -rn | head -"$top"
echo "== strait.* frames anywhere on the stack (inclusive)"
awk '/jdk.ExecutionSample/{split("", seen)} /^[ \t]+strait\./{f=$0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f);
     if (!(f in seen)) {seen[f]=1; print f}}' "$samples" | sort | uniq -c | sort -rn | head -"$top"
