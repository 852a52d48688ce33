#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK: PostgreSQL server binaries for the
# throwaway-server fixture, Debian's Chromium for the headless dashboard check, and the tools the
# documentation's walkthroughs use (curl, jq, python3), which a test runs as written, and npm, which installs the OpenAPI linter a test runs.
# Idempotent; does nothing when they are already there.
set -euo pipefail

need_postgres=1
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -x "${PG_BIN:-/nonexistent}/initdb" ]; then
  need_postgres=0
fi

need_chromium=1
if command -v chromium >/dev/null 2>&1; then
  need_chromium=0
fi

missing_tools=()
for tool in curl jq python3 npm; do
  command -v "$tool" >/dev/null 2>&1 || missing_tools+=("$tool")
done

if [ "$need_postgres" -eq 0 ] && [ "$need_chromium" -eq 0 ] && [ "${#missing_tools[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing test prerequisites: run 'sudo apt-get install -y postgresql chromium curl jq python3 npm' (or set PG_BIN for PostgreSQL)." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ "$need_postgres" -eq 1 ]; then
  echo "Installing PostgreSQL server binaries (apt-get install postgresql)..."
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # The package starts a cluster of its own; the tests use throwaway servers instead.
  service postgresql stop >/dev/null 2>&1 || true
fi

if [ "$need_chromium" -eq 1 ]; then
  echo "Installing Chromium for the headless dashboard check (apt-get install chromium)..."
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [ "${#missing_tools[@]}" -gt 0 ]; then
  echo "Installing ${missing_tools[*]} for the walkthroughs' shell blocks..."
  apt-get install -y -qq --no-install-recommends "${missing_tools[@]}" >/dev/null
fi
