"""`python infrastructure/migrate.py --stage prod`: bring a deployed stage's items up to this version (after a deploy).

Idempotent: run it after every deploy; what is already in line is left alone. Today it writes the registry's
search keys (surname, phone, card number) on the cards opened before the search had them
(chalicelib/storage/patient_search.py `backfill`: one Scan of the users table, conditional writes), and the day
money moved on bookings paid before the reconciliation with YooKassa had its index
(chalicelib/storage/reconciliations.py `backfill_money_days`: one Scan of the bookings, conditional writes).
The local stack runs the search keys' backfill in its seed. Run from a shell with the AWS account's credentials,
as `cdk deploy`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="a deployed stage of .chalice/config.json (dev, prod)")
    args = parser.parse_args(argv)

    # Here, not at the top: below the sys.path line for a script, and looked up when run.
    from infrastructure.stack import stage_variables

    if args.stage == "local":
        parser.error("the local stack runs the backfill in its seed (make run)")
    os.environ.update(stage_variables(args.stage))
    os.environ.pop("LOCAL_STACK", None)
    from chalicelib.config import reload_settings
    from chalicelib.storage.patient_search import backfill
    from chalicelib.storage.reconciliations import backfill_money_days

    reload_settings()
    written = backfill()
    print(f"Stage {args.stage}: search keys written on {written} card(s); the others were already in line.")
    days = backfill_money_days()
    print(f"Stage {args.stage}: the reconciliation's day written on {days} paid booking(s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
