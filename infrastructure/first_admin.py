"""`make first-admin STAGE=prod EMAIL=… NAME="…"`: open a deployed stage's first administrator.

Run from a shell with the AWS account's credentials (the same as for `cdk deploy`), after the deploy. It writes
the person to the stage's tables and prints a temporary password on this terminal only (never to a log or an
email: the mail identity may still be in SES's sandbox). Hand it over in person; the first sign-in asks for
a new password. Everyone else is added from the site by this administrator.
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
    parser.add_argument("--email", required=True, help="the administrator's login")
    parser.add_argument("--name", required=True, help="full name, as the audit log will show it")
    args = parser.parse_args(argv)

    # Here, not at the top: below the sys.path line for a script, and looked up when run (tests patch it).
    from infrastructure.stack import stage_variables

    if args.stage == "local":
        parser.error("the local stack seeds its own accounts (make run)")
    os.environ.update(stage_variables(args.stage))
    os.environ.pop("LOCAL_STACK", None)
    from chalicelib.accounts.cards import open_first_admin
    from chalicelib.config import reload_settings
    from chalicelib.errors import EmailTaken
    from chalicelib.timefmt import format_datetime

    reload_settings()
    try:
        user, password, expires = open_first_admin(args.email, args.name)
    except EmailTaken:
        print(f"{args.email}: this login already exists on stage {args.stage}; nothing was changed.", file=sys.stderr)
        return 1
    print(f"Administrator {user.email} opened on stage {args.stage}.")
    print(f"Temporary password (until {format_datetime(expires)}): {password}")
    print(
        "Sign in at /login on the site (your domain, or the deploy's SiteUrl output); the first sign-in asks "
        "for a new password."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
