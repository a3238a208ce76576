#!/usr/bin/env bash
# Installs PostgreSQL from Debian packages, starts a server on 127.0.0.1, creates a test database
# and exports AFTERRUN_TEST_POSTGRES_URL for the store's story test.
#
# Meant to be sourced (`. .ci/postgres.sh`) from .ci/run as root on a fresh Debian machine with no
# standard input; running it directly also works and prints the URL. Idempotent: a second run finds
# the package installed and the server up and only re-exports the variable.
set -euo pipefail

pg_port="${AFTERRUN_PG_PORT:-5432}"
pg_db="afterrun_test"
pg_user="afterrun"
pg_password="afterrun-test"

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends postgresql postgresql-common >/dev/null
fi

pg_version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$pg_version main"; then
  pg_createcluster "$pg_version" main --port "$pg_port" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$pg_version" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster "$pg_version" main start
fi
actual_port="$(pg_lsclusters -h | awk -v v="$pg_version" '$1==v && $2=="main" {print $3}')"

# Wait for the server to accept connections (a fresh cluster needs a moment).
for _ in $(seq 1 60); do
  if su postgres -c "psql -p $actual_port -qtAc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 0.5
done

su postgres -c "psql -p $actual_port -v ON_ERROR_STOP=1 -qtA" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_user') THEN
    CREATE ROLE $pg_user LOGIN PASSWORD '$pg_password';
  END IF;
END \$\$;
SQL
if ! su postgres -c "psql -p $actual_port -qtAc \"select 1 from pg_database where datname='$pg_db'\"" | grep -q 1; then
  su postgres -c "createdb -p $actual_port -O $pg_user $pg_db"
fi

export AFTERRUN_TEST_POSTGRES_URL="postgres://$pg_user:$pg_password@127.0.0.1:$actual_port/$pg_db"
echo "postgres: ready on 127.0.0.1:$actual_port, database $pg_db" >&2
