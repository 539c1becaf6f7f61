"""Add where a bundled model comes from to its model cards: licence, source, attribution, changes, and the measured
quality of the published file it derives from (from a `mobilevsr-train report` CSV).

    python scripts/card_provenance.py CARD.json [CARD.json ...] --licence Apache-2.0 --source URL \
        --attribution TEXT --changes TEXT [--published-report reports/X.csv --published-name NAME]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path


def report_rows(report_csv: Path) -> dict[str, dict[str, str]]:
    """A `mobilevsr-train report` CSV as {model row: {column: value}}."""
    with report_csv.open() as f:
        rows = list(csv.DictReader(f))
    key = next(iter(rows[0])) if rows else "Model"
    return {row[key]: {k: v for k, v in row.items() if k != key} for row in rows}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cards", nargs="+", type=Path)
    p.add_argument("--licence", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--attribution", required=True)
    p.add_argument("--changes", required=True)
    p.add_argument("--notice", default="NOTICE", help="the package's notice file that covers the model")
    p.add_argument("--published-report", type=Path, help="`mobilevsr-train report` CSV: published file, ours")
    args = p.parse_args()
    provenance = {"licence": args.licence, "source": args.source, "attribution": args.attribution,
                  "changes": args.changes, "notice": args.notice}
    if args.published_report:
        provenance["val_report"] = report_rows(args.published_report)
    for path in args.cards:
        card = json.loads(path.read_text())
        card["provenance"] = provenance
        path.write_text(json.dumps(card, indent=2) + "\n")
        print(f"{path}: provenance added")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
