"""Put the val-protocol report (ours next to bicubic and the public baselines) into bundled model cards.

    python scripts/card_val_report.py CARD.json [CARD.json ...] --report reports/MODEL_val.csv
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from card_provenance import report_rows  # the same CSV reading as the provenance of imported models


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cards", nargs="+", type=Path)
    p.add_argument("--report", required=True, type=Path, help="`mobilevsr-train report --anchors` CSV")
    args = p.parse_args()
    rows = report_rows(args.report)
    for path in args.cards:
        card = json.loads(path.read_text())
        card["val_report"] = {"source": args.report.as_posix(), "rows": rows}
        path.write_text(json.dumps(card, indent=2) + "\n")
        print(f"{path}: val report added ({', '.join(rows)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
