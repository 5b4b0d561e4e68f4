#!/usr/bin/env bash
# Meltano 4.4.1, in this project: `bash scripts/meltano.sh run tap-jsonl target-eloqua`.
# Installs it into .venv-meltano/ (apart from .venv: Meltano has its own dependencies) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
MELTANO_VENV="${MELTANO_VENV:-.venv-meltano}"
if [ ! -x "$MELTANO_VENV/bin/meltano" ]; then
  "$PYTHON" -m venv "$MELTANO_VENV"
  "$MELTANO_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "meltano==4.4.1"
fi
exec "$MELTANO_VENV/bin/meltano" "$@"
