#!/usr/bin/env bash
# Strait vs MirrorMaker 2, side by side (benchmarks/README.md): builds everything, then runs the harness with the
# options given here (defaults: 2,000,000 records of 512 bytes, 8 partitions, none,lz4,zstd, 2 repeats).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
exec java -Xmx2g -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
    strait.benchmarks.SideBySide "$@"
