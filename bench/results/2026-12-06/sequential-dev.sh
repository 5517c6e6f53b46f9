#!/bin/bash
# Sequential approved echo calls against a fresh `tollgate dev` (docs/benchmarks.md, 2026-12-06).
# Usage: sequential-dev.sh JAR "JVM OPTIONS" LABEL   (ports 32100-32103; a temporary data directory)
jar=$1; opts=$2; label=$3
d=$(mktemp -d /tmp/seqdev.XXXX)
export TOLLGATE_ADMIN_KEY=tg_seqadminkey0123456789abcdef
java $opts -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.tollgate.events -jar $jar dev --data-dir $d --kafka-port 32100 --registry-port 32101 --intake-port 32102 --query-port 32103 > $d/dev.log 2>&1 &
pid=$!
for i in $(seq 1 180); do grep -q 'Press Ctrl-C' $d/dev.log && break; sleep 1; done
echo "== $label (load $(cut -d' ' -f1-3 /proc/loadavg))"
python3 "$(dirname "$0")/../2026-12-05-evening/sequential-client.py" 220 http://127.0.0.1:32102
kill -TERM $pid; wait $pid 2>/dev/null; rm -rf $d
