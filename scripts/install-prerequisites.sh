#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK: PostgreSQL server binaries for the
# throwaway-server fixture. Idempotent; does nothing when they are already there.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -x "${PG_BIN:-/nonexistent}/initdb" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL server binaries are missing: run 'sudo apt-get install -y postgresql' (or set PG_BIN)." >&2
  exit 1
fi

echo "Installing PostgreSQL server binaries (apt-get install postgresql)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# The package starts a cluster of its own; the tests use throwaway servers instead.
service postgresql stop >/dev/null 2>&1 || true
