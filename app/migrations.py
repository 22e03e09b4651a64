"""`flask db …` (Flask-Migrate, Alembic), loaded only when a `db` command runs.

Alembic is a tenth of a second and a dozen MiB of imports that no page and no other command uses, so the `db`
group is a stand-in that wires Flask-Migrate into the app the first time one of its commands is looked up.
"""

import os
from typing import Any

import click
from flask import Flask


def init_app(app: Flask) -> None:
    app.cli.add_command(LazyMigrateGroup(app), name="db")


def wire(app: Flask) -> click.Group:
    """Flask-Migrate bound to the app (batch mode, the repository's migrations/), and its `db` group."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        from app.extensions import db

        directory = os.path.join(os.path.dirname(app.root_path), "migrations")
        Migrate(app, db, render_as_batch=True, directory=directory)
    from flask_migrate.cli import db as db_group

    return db_group


class LazyMigrateGroup(click.Group):
    """Says what `flask db` is in `flask --help`; becomes Flask-Migrate's own group when it is run."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="db", help="Perform database migrations.")
        self.app = app

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        # The context click runs is the real group's: its options (-d, -x), its callback and its commands.
        return wire(self.app).make_context(info_name, args, parent=parent, **extra)
