# Starts a private PostgreSQL server on 127.0.0.1 for tests and exports SLOTWISE_TEST_PG_URL.
# Used by .ci/run; a developer can `source scripts/ci-postgres.sh && start_ci_postgres` too.
start_ci_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1); bin=${bin%/initdb}
  if [ -z "$bin" ]; then echo "ci-postgres: PostgreSQL is not installed" >&2; return 1; fi
  local dir=${SLOTWISE_PG_DIR:-/tmp/slotwise-ci-pg}
  local port=${SLOTWISE_PG_PORT:-54329}
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir"
    su postgres -c "$bin/initdb -D $dir/data -U postgres -A trust" >/dev/null
  fi
  if ! su postgres -c "$bin/pg_ctl -D $dir/data status" >/dev/null 2>&1; then
    su postgres -c "$bin/pg_ctl -D $dir/data -l $dir/log -w -o '-h 127.0.0.1 -p $port -k $dir' start" >/dev/null
  fi
  export SLOTWISE_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "ci-postgres: $SLOTWISE_TEST_PG_URL"
}
