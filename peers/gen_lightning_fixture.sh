#!/usr/bin/env bash
# usage: gen_lightning_fixture.sh
#
# Regenerates fixtures/lightning_sweep (53 Lightning TensorBoardLogger
# sessions, see gen_lightning_logs.py) and fixtures/no_hparams (runs with
# scalars but no hparams summaries), then records what TensorBoard (Python
# loader) and tbparse report for them in fixtures/expected/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
py=${PEERS_PY:-${PEERS_VENV:-$HOME/.cache/hp-report-peers}/bin/python}
rm -rf "$root/fixtures/lightning_sweep" "$root/fixtures/no_hparams"
"$py" "$here/gen_lightning_logs.py" "$root/fixtures/lightning_sweep" >/dev/null
"$py" "$here/gen_lightning_logs.py" "$root/fixtures/no_hparams" --no-hparams >/dev/null
for name in lightning_sweep no_hparams; do
    "$py" "$here/tb_view.py" "$root/fixtures/$name" --load_fast false \
        --out "$root/fixtures/expected/$name.tb_view.json" 2>/dev/null
done
"$py" "$here/tbparse_table.py" "$root/fixtures/lightning_sweep" \
    --out "$root/fixtures/expected/lightning_sweep.tbparse.csv" 2>/dev/null
