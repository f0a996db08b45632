"""Flask CLI commands: `flask seed-content`, `flask seed-demo`, `flask ledger verify`, `flask create-admin`."""

import click

from soulseer import demo
from soulseer.content_pages import CONTENT_PAGES
from soulseer.services.core import content


def register_cli(app):
    from soulseer.ledger.cli import ledger_cli

    app.cli.add_command(ledger_cli)

    from soulseer.admin_cli import create_admin_command

    app.cli.add_command(create_admin_command)

    @app.cli.command("seed-content")
    def seed_content():
        """Create the content pages that do not exist yet (never overwrites an admin's edit)."""
        created = content.seed_pages(CONTENT_PAGES)
        click.echo(f"Content pages created: {', '.join(created) or 'none (all present)'}")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo data (idempotent: running it again changes nothing)."""
        content.seed_pages(CONTENT_PAGES)
        for line in demo.seed():
            click.echo(line)
