#!/bin/bash
# Entry point of the offline PostgreSQL test image (deploy/podman-lib.sh), standing in for the official postgres
# image's: the same variables (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA) and the same first-start steps
# (initdb with that superuser and password, scram-sha-256 from any address, listen on all, the database, then the
# *.sql and *.sh files in /docker-entrypoint-initdb.d), then the server in the foreground as PID 1 (so SIGKILL of the
# container is SIGKILL of the postmaster). Extra arguments go to postgres (-c name=value).
set -euo pipefail
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}" "${PGDATA:=/var/lib/postgresql/data}"
[ -n "${POSTGRES_PASSWORD:-}" ] || { echo "pg-entrypoint: POSTGRES_PASSWORD is empty" >&2; exit 1; }
export PGDATA
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") --auth-local=trust \
    --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  printf '%s\n' "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  printf '%s\n' "listen_addresses = '*'" >> "$PGDATA/postgresql.auto.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\"" >/dev/null
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$f" ;;
      *.sh) . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec postgres "$@"
