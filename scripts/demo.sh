#!/usr/bin/env bash
# The main job: the sample pipeline `meltano run tap-jsonl target-eloqua` into a freshly started
# local Eloqua emulator; prints what Eloqua (the emulator) stored, then stops the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

MELTANO_VENV="${MELTANO_VENV:-.venv-meltano}"
if [ ! -x "$MELTANO_VENV/bin/meltano" ]; then
  "$PYTHON" -m venv "$MELTANO_VENV"
  "$MELTANO_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "meltano==4.4.1"
fi
MELTANO="$MELTANO_VENV/bin/meltano"
"$MELTANO" install

workdir="$(mktemp -d)"
"$VENV/bin/python" -m target_eloqua.emulator --port 0 --sync-seconds 1 \
  >"$workdir/emulator.out" 2>"$workdir/emulator.log" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; rm -rf "$workdir"' EXIT

for _ in $(seq 100); do
  [ -s "$workdir/emulator.out" ] && break
  sleep 0.1
done
ELOQUA_EMULATOR_URL="$(head -n 1 "$workdir/emulator.out")"
export ELOQUA_EMULATOR_URL
export TARGET_ELOQUA_PASSWORD=emulator  # the emulator's default password, not a real secret
echo "Eloqua emulator listening at $ELOQUA_EMULATOR_URL"

"$MELTANO" run --full-refresh tap-jsonl target-eloqua
"$VENV/bin/python" scripts/show_emulator.py "$ELOQUA_EMULATOR_URL"
echo "Meltano state after the run:"
"$MELTANO" --environment=emulator state get emulator:tap-jsonl-to-target-eloqua
