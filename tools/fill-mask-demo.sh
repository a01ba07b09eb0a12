#!/usr/bin/env bash
# Runs `yoso fill-mask` on the real yoso-4096 model when it is installed, otherwise on the bundled
# random-weight test model — and says which, so nobody mistakes random predictions for the model's.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
yoso="${YOSO_BIN:-$here/build/yoso}"
model="${YOSO_MODEL:-$HOME/.cache/yoso/yoso-4096}"
if [ -f "$model/config.json" ]; then
  echo "yoso: using the model in $model" >&2
else
  echo "yoso: NOTE: the real uw-madison/yoso-4096 weights are not installed ($model has no config.json;" \
       "run tools/download-model.sh on a machine with internet). Running the bundled RANDOM-WEIGHT test" \
       "model instead: its predictions are meaningless." >&2
  model="$here/tests/data/fillmask/model"
fi
exec "$yoso" fill-mask -m "$model" "$@"
