#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on loopback for the test suites, starting them (and
# installing them with apt-get when the binaries are missing) only when they do not answer.
#   scripts/ci-services.sh              start what is needed, leave it running
#   scripts/ci-services.sh <cmd> ...    start what is needed, run <cmd> with DATABASE_URL and
#                                       REDIS_URL exported, then stop only what this script started
set -euo pipefail

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export DEBIAN_FRONTEND=noninteractive
started_pg=""
started_redis=""

log() { echo "ci-services: $*" >&2; }

apt_install() {
  log "installing $*"
  apt-get update -qq >/dev/null
  apt-get install -y -qq "$@" >/dev/null
}

pg_cluster() { ls /etc/postgresql 2>/dev/null | sort -V | tail -1; }

postgres_up() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }

start_postgres() {
  if postgres_up; then log "PostgreSQL already answers"; else
    command -v pg_ctlcluster >/dev/null && [ -n "$(pg_cluster)" ] || apt_install postgresql
    log "starting PostgreSQL $(pg_cluster)"
    pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster)" main start
    started_pg="$(pg_cluster)"
    for _ in $(seq 1 100); do postgres_up && break; sleep 0.1; done
    postgres_up || { log "PostgreSQL did not start"; exit 1; }
  fi
  ensure_database
}

# The tests connect as postgres without a password over loopback (DATABASE_URL's default). A fresh
# apt install asks for one, so allow it (test machines only), then create the database if needed.
ensure_database() {
  local admin="postgres://postgres@127.0.0.1:5432/postgres"
  if ! psql "$admin" -qtAc 'select 1' >/dev/null 2>&1; then
    log "allowing passwordless loopback connections for the tests"
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "/etc/postgresql/$(pg_cluster)/main/pg_hba.conf"
    pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster)" main reload
    sleep 0.5
  fi
  psql "$admin" -qtAc "select 1 from pg_database where datname = 'test'" | grep -q 1 || psql "$admin" -qc 'create database test'
}

redis_up() { command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

start_redis() {
  if redis_up; then log "Redis already answers"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log --pidfile /var/lib/redis/ci.pid
  started_redis=yes
  for _ in $(seq 1 100); do redis_up && break; sleep 0.1; done
  redis_up || { log "Redis did not start"; exit 1; }
}

stop_started() {
  if [ -n "$started_redis" ]; then redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true; fi
  if [ -n "$started_pg" ]; then pg_ctlcluster --skip-systemctl-redirect "$started_pg" main stop || true; fi
}

start_postgres
start_redis
if [ "$#" -gt 0 ]; then
  trap stop_started EXIT
  "$@"
fi
