#!/usr/bin/env bash
# The main job: the sample pipeline `meltano run tap-jsonl target-eloqua` into a freshly started
# local Eloqua emulator; then the run summary and Meltano's saved state. Stops the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
bash scripts/meltano.sh install

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
if [ -z "$ELOQUA_EMULATOR_URL" ]; then
  echo "The emulator did not start:" >&2
  cat "$workdir/emulator.log" >&2
  exit 1
fi
export ELOQUA_EMULATOR_URL
export TARGET_ELOQUA_PASSWORD=emulator  # the emulator's default password, not a real secret
echo "Eloqua emulator listening at $ELOQUA_EMULATOR_URL"

status=0
bash scripts/meltano.sh run --full-refresh tap-jsonl target-eloqua || status=$?
"$VENV/bin/python" scripts/show_emulator.py "$ELOQUA_EMULATOR_URL"
if [ -f output/summary.json ] && [ -f output/rejects.jsonl ]; then
  echo
  echo "The target's own run summary (summary_path in meltano.yml): output/summary.json"
  echo "Its rejected records, one JSON line each (rejects_path): output/rejects.jsonl ($(wc -l <output/rejects.jsonl) lines)"
fi
echo
echo "Meltano's saved state (meltano --environment=emulator state get emulator:tap-jsonl-to-target-eloqua):"
bash scripts/meltano.sh --log-level=warning --environment=emulator \
  state get emulator:tap-jsonl-to-target-eloqua
if [ "$status" -ne 0 ]; then
  echo "meltano run failed (exit $status); see its log above." >&2
fi
exit "$status"
