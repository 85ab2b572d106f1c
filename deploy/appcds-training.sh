#!/usr/bin/env bash
# AppCDS training run, inside the image build (see Dockerfile): starts the node once, sends it hello requests and a
# health probe, stops it with SIGTERM, then dumps the classes it loaded (the JDK's and ours) into the static archive
# named by $1. It listens on loopback ports the kernel picks, so it cannot collide with anything on the build host.
#
# A static archive rather than a dynamic one (-XX:ArchiveClassesAtExit) on top of the JDK's: the JDK's own archive
# was dumped without --enable-native-access, and a JVM run with it then disables part of the sharing and logs an
# error line. Dumping everything with the run's own flags (@/app/jvm.options) keeps them equal.
#   appcds-training.sh ARCHIVE
set -euo pipefail
archive=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t"
export HELLONET_HELLO_HOST=127.0.0.1 HELLONET_HELLO_PORT=0 HELLONET_HTTP_HOST=127.0.0.1 HELLONET_HTTP_PORT=0 \
  HELLONET_SEQUENCE_FILE="$t/sequence" HELLONET_CRAWLER_DOWNLOADDIR="$t/downloads"
java -XX:DumpLoadedClassList="$t/classes.lst" @/app/jvm.options -jar /app/hellonet.jar > log 2>&1 &
pid=$!
for _ in $(seq 1200); do
  grep -q 'hellonet ready' log && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
line=$(grep -m1 'hellonet ready' log) || { cat log; echo "training run: the node did not start" >&2; exit 1; }
hello=$(sed -E 's/.*hello server on [^ ]*:([0-9]+) .*/\1/' <<< "$line")
http=$(sed -E 's/.*HTTP API on [^ ]*:([0-9]+).*/\1/' <<< "$line")
exec 3<>"/dev/tcp/127.0.0.1/$hello"
printf 'hi\nhi\n' >&3
head -n2 <&3
exec 3>&-
exec 4<>"/dev/tcp/127.0.0.1/$http"
printf 'GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&4
head -n1 <&4
exec 4>&-
kill -TERM "$pid"
wait "$pid" || { cat log; echo "training run: the node did not stop cleanly" >&2; exit 1; }
test -s "$t/classes.lst" || { echo "training run: no class list written" >&2; exit 1; }
java -Xshare:dump -XX:SharedClassListFile="$t/classes.lst" -XX:SharedArchiveFile="$archive" @/app/jvm.options \
  -cp /app/hellonet.jar > dump.log 2>&1 || { cat dump.log; echo "training run: the dump failed" >&2; exit 1; }
test -s "$archive" || { cat dump.log; echo "training run: no archive written" >&2; exit 1; }
