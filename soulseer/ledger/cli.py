"""`flask ledger verify`: print the invariants report; exit 0 only when every invariant holds."""

import sys

import click
from flask.cli import AppGroup

from soulseer.ledger import verify

ledger_cli = AppGroup("ledger", help="The double-entry ledger.")


@ledger_cli.command("verify")
def verify_command():
    """Check every ledger invariant and print a report."""
    checks = verify.run()
    for line in verify.report_lines(checks):
        click.echo(line)
    sys.exit(0 if all(check.ok for check in checks) else 1)
