"""Command line: `flask users …`, `flask plans …`, `flask demo`. The contract is in docs/design.md."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from app.mail_links import AppLinks, MissingBaseUrl
from app.models import Action, Plan, Role, User
from app.services import backup, clock, demo_activity, mail
from app.services.accounts import AccountError, users
from app.services.exporting.content import AUDIENCES, MARKINGS
from app.services.importing.choices import ImportChoices
from app.services.importing.columns import parse_mapping
from app.services.importing.guard import MAX_FILE_BYTES, WorkbookRejected
from app.services.importing.saving import ImportNeedsAnswers, import_workbook
from app.services.notifications import outbox, reminders

users_cli = AppGroup("users", help="Manage who can sign in.")
reminders_cli = AppGroup("reminders", help="E-mail owners' reminders, decisions and the leads' weekly digest.")
plans_cli = AppGroup("plans", help="Import, list and export plans.")

DEMO_PASSWORD = "demo-password-4P"  # printed by `make run`; demo users are for a laptop, never a deployment
DEMO_USERS = [
    ("admin@example.police.uk", "Alex Admin", Role.ADMIN),
    ("lead@example.police.uk", "DSupt Walton", Role.LEAD),
    ("owner@example.police.uk", "DCI Chisholm", Role.OWNER),
    ("viewer@example.police.uk", "PCC Office", Role.VIEWER),
]


def fail(message: str) -> NoReturn:
    """End the command with a one-line message and a non-zero exit."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as colleagues know it.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create a user who can sign in."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = users.create_user(email, name, role, password, by=None)
    except AccountError as error:
        fail(error.message)
    click.echo(f"Created {user.role.value} {user.email}")


@users_cli.command("list")
def list_users() -> None:
    """One line a user: id, email, role, active."""
    for user in db.session.scalars(db.select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.email}\t{user.role.value}\t{'active' if user.active else 'inactive'}")


@plans_cli.command("list")
def list_plans() -> None:
    """One line a plan: id, title."""
    for plan in db.session.scalars(db.select(Plan).order_by(Plan.id)):
        period = f" ({plan.period_label})" if plan.period_label else ""
        click.echo(f"{plan.id}\t{plan.title}{period}")


@plans_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read the workbook and report what would change, but save nothing.")
@click.option("--plan", "plan_id", type=int, help="The tracker's plan (id from `plans list`) the file's plan is.")
@click.option("--new-plan", is_flag=True, help="The file's plan is a new plan, whatever plans the tracker holds.")
@click.option("--renumbered", multiple=True, metavar="'NEW <- OLD'", help="Yes to a possible renumbering.")
@click.option("--not-renumbered", "kept", multiple=True, metavar="'NEW <- OLD'", help="No to a possible renumbering.")
@click.option("--all-renumbered", is_flag=True, help="Yes to every possible renumbering the import asks about.")
@click.option("--none-renumbered", is_flag=True, help="No to every possible renumbering: keep the numbers.")
@click.option("--take-file", multiple=True, metavar="KEY", help="Where both sides changed a field, take the file's.")
@click.option("--by", "email", help="Who is importing (email): proposals and decisions are attributed to them.")
@click.option("--rag-decisions", is_flag=True, help="With --by the plan's lead: the file's RAGs are their decisions.")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="'HEADING=MEANING'",
    help="What a column means, e.g. 'Date raised=ignore' or 'H=target date'. Remembered for the plan.",
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of 'HEADING=MEANING' lines, one column a line.",
)
def import_plan(
    path: Path,
    dry_run: bool,
    email: str | None,
    rag_decisions: bool,
    columns: tuple[str, ...],
    mapping_file: Path | None,
    **answers,
) -> None:
    """Import the plans in a workbook (.xlsx). Importing the same file again changes nothing.

    The import never guesses: when it cannot tell whether an action was renumbered, or which plan a file titled
    only by its name is, it saves nothing and says which option answers it.
    """
    user = None
    if email:
        user = db.session.scalar(db.select(User).filter_by(email=email.strip().lower()))
        if user is None:
            fail(f"There is no user {email}: run `flask users list` to see who can sign in")
    choices = _import_choices(rag_decisions=rag_decisions, **answers)
    choices.columns = _column_mapping(columns, mapping_file)
    bar = _ProgressBar("Reading the plan")
    try:
        report = import_workbook(
            _read_upto_limit(path), path.name, user=user, dry_run=dry_run, progress=bar, choices=choices
        )
    except ImportNeedsAnswers as error:
        bar.close()
        for line in error.report.summary_lines():
            click.echo(line.replace(": imported", ": not imported, questions to answer", 1))
        fail(
            "Nothing was imported: the import will not guess. Answer each question with --renumbered "
            "'NEW <- OLD' or --not-renumbered 'NEW <- OLD' (or --all-renumbered / --none-renumbered), "
            "and say which plan with --plan ID or --new-plan"
        )
    except WorkbookRejected as error:
        bar.close()
        fail(error.message)
    bar.close()
    for line in report.summary_lines():
        click.echo(line)


def _column_mapping(columns: tuple[str, ...], mapping_file: Path | None) -> dict[str, str]:
    """--column and --mapping as the import's column mapping; a mistake ends the command with what to write."""
    entries = list(columns)
    if mapping_file:
        lines = mapping_file.read_text(encoding="utf-8").splitlines()
        entries = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")] + entries
    try:
        return parse_mapping(entries)
    except ValueError as error:
        fail(str(error))
        raise


def _import_choices(plan_id, new_plan, renumbered, kept, all_renumbered, none_renumbered, take_file, rag_decisions):
    """The command's options as the import's choices (what the check page's form says on the web)."""
    if plan_id is not None and new_plan:
        fail("Give --plan or --new-plan, not both")
    plans = {} if plan_id is None and not new_plan else {0: 0 if new_plan else plan_id}
    return ImportChoices(
        take_file=frozenset(take_file),
        renumbered={key: True for key in renumbered} | {key: False for key in kept},
        plans=plans,
        one_plan=bool(plans),
        rag_decisions=rag_decisions,
        all_renumbered=all_renumbered,
        none_renumbered=none_renumbered,
    )


class _ProgressBar:
    """click's progress bar, on a terminal only, and only for plans of more than a few hundred rows."""

    MIN_ROWS = 300

    def __init__(self, label: str):
        self.label = label
        self.bar: ProgressBar[int] | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < self.MIN_ROWS or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _read_upto_limit(path: Path) -> bytes:
    """The file's bytes, or one byte more than the limit so that the guard refuses it without reading it all."""
    with path.open("rb") as stream:
        return stream.read(MAX_FILE_BYTES + 1)


@plans_cli.command("export")
@click.argument("plan_id", metavar="PLAN")
@click.option("--format", "file_format", required=True, type=click.Choice(["xlsx", "json"]), help="File format.")
@click.option(
    "--audience",
    required=True,
    type=click.Choice(AUDIENCES),
    help="Who it is for: pcc (OFFICIAL, restricted text withheld) or internal (OFFICIAL-SENSITIVE, everything).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write it.")
def export_plan(plan_id: str, file_format: str, audience: str, out: Path | None) -> None:
    """Export plan PLAN (its id from `plans list`); xlsx goes to exports/ and json to the screen unless --out."""
    # Loaded here, not at start-up: every other command would pay for XlsxWriter and openpyxl.
    from app.services.exporting import excel as excel_export
    from app.services.exporting import json_plan as json_export

    plan = db.session.get(Plan, int(plan_id)) if plan_id.isdigit() else None
    if plan is None:
        fail(f"There is no plan {plan_id}: run `flask plans list` to see the plan ids")
    today = clock.today()
    if file_format == "json":
        content = json_export.export_json(plan, audience=audience).encode()
        if out is None:
            click.echo(content.decode())
            return
    else:
        bar = _ProgressBar("Writing the workbook")
        try:
            content = excel_export.export_workbook(plan, audience=audience, as_at=today, progress=bar)
        finally:
            bar.close()
        if out is None:
            out = Path(current_app.config["EXPORTS_DIR"]) / excel_export.export_filename(plan, today, audience)
            out.parent.mkdir(parents=True, exist_ok=True)
    try:
        out.write_bytes(content)
    except OSError as error:
        fail(f"Could not write {out}: {error.strerror or error}")
    click.echo(f"Exported {plan.title} for the {audience} audience ({MARKINGS[audience]}) to {out}")


@plans_cli.command("run-export")
@click.argument("job_id", type=int, metavar="JOB")
def run_export(job_id: int) -> None:
    """Write export job JOB (the web app starts this for a large plan; the person downloads it from the job)."""
    from app.services.exporting import jobs

    try:
        job = jobs.run(job_id)
    except jobs.ExportJobError as error:
        fail(error.message)
    if job.status != jobs.DONE:
        fail(job.error)
    click.echo(f"Export job {job.id} done: {job.filename}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users (used by `make run`).")
def demo(if_empty: bool) -> None:
    """Create one demo user per role and load every workbook in plans/."""
    if current_app.config.get("PRODUCTION"):  # its accounts have a published password
        fail("flask demo is refused under ProductionConfig: its accounts share a published password. Use users create")
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        click.echo(f"The database already has users; demo users sign in with the password {DEMO_PASSWORD}")
        return
    created = 0
    for email, name, role in DEMO_USERS:
        if db.session.scalar(db.select(User.id).filter_by(email=email)) is None:
            users.create_user(email, name, role, DEMO_PASSWORD, by=None)
            created += 1
    click.echo(f"Demo users: {created} created; each signs in with the password {DEMO_PASSWORD}")
    click.echo("The admin and the lead set up an authenticator app (two-factor sign-in) the first time they sign in.")
    _load_demo_plans()
    _add_example_activity()


def _load_demo_plans() -> None:
    """Import every workbook in plans/, then give the demo lead the plans and the demo owner DCI Chisholm's actions."""
    plan_ids = []
    for path in sorted(Path(current_app.config["PLANS_DIR"]).glob("*.xlsx")):
        try:
            report = import_workbook(_read_upto_limit(path), path.name)
        except WorkbookRejected as error:
            click.echo(f"{path.name} was not imported: {error.message}", err=True)
            continue
        plan_ids += [plan.plan_id for plan in report.plans]
        click.echo(f"{path.name}: {', '.join(f'{plan.title} ({plan.action_count} actions)' for plan in report.plans)}")
    lead = db.session.scalar(db.select(User).filter_by(email=DEMO_USERS[1][0]))
    owner = db.session.scalar(db.select(User).filter_by(email=DEMO_USERS[2][0]))
    for plan in db.session.scalars(db.select(Plan).where(Plan.id.in_(plan_ids))):
        plan.lead_user = plan.lead_user or lead
    chisholm = db.select(Action).where(Action.plan_id.in_(plan_ids), Action.responsibility.contains("Chisholm"))
    for action in db.session.scalars(chisholm):
        if owner is not None and owner not in action.owners:
            action.owners.append(owner)
    db.session.commit()


def _add_example_activity() -> None:
    """Owners' updates, the lead's decisions and a past review on the seed plan, all marked as example data."""
    lead = db.session.scalar(db.select(User).filter_by(email=DEMO_USERS[1][0]))
    owner = db.session.scalar(db.select(User).filter_by(email=DEMO_USERS[2][0]))
    if lead is None or owner is None:
        return
    if demo_activity.add_example_activity(lead, owner):
        click.echo("Example activity added (marked 'Example:'): owners' updates, the lead's decisions, a past review")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent copy of the SQLite database to PATH (PostgreSQL: use pg_dump)."""
    try:
        size = backup.backup(db.engine, path)
    except backup.BackupError as error:
        fail(str(error))
    click.echo(f"Backed up the database to {path} ({size:,} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that holds data; a copy of it is kept first.")
@with_appcontext
def restore_command(path: str, force: bool) -> None:
    """Replace the SQLite database with the backup at PATH. Stop the web app first."""
    try:
        kept = backup.restore(db.engine, path, force=force)
    except backup.BackupError as error:
        fail(str(error))
    if kept:
        click.echo(f"The database as it was before is kept at {kept}")
    click.echo(f"Restored the database from {path}")


class _NoLinks:
    """What a dry run without BASE_URL puts where a link would be."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: "(link: set BASE_URL)"


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List the e-mails that are due, send nothing and record nothing.")
def send_reminders(dry_run: bool) -> None:
    """Send what is due today, each reminder, decision and digest once. Run it daily (cron or a systemd timer)."""
    settings = mail.settings_from(current_app.config)
    if settings is None and not dry_run:
        fail("no SMTP server is configured (set MAIL_SERVER and MAIL_FROM): nothing was sent")
    try:
        links = AppLinks(current_app)
    except MissingBaseUrl as error:
        if not dry_run:
            fail(f"{error}: nothing was sent")
        links = _NoLinks()  # type: ignore[assignment]
    if not dry_run:
        outbox.release_abandoned_claims()
    due = reminders.due(clock.today(), links=links)
    if dry_run:
        for each in due:
            click.echo(f"would send {each.description}")
        click.echo(f"Dry run: {len(due)} e-mail{'' if len(due) == 1 else 's'} due; nothing was sent")
        return
    assert settings is not None
    with mail.Postbox(settings) as postbox:
        report = outbox.send(due, postbox, links)
    for line in report.sent:
        click.echo(f"sent {line}")
    for line in report.skipped:
        click.echo(f"skipped (another run is sending it) {line}")
    if report.failed:
        fail(f"{report.failed}; {report.unsent} e-mail(s) not sent, to be sent on the next run")
    click.echo(f"Sent {len(report.sent)} e-mail{'' if len(report.sent) == 1 else 's'}")


def init_app(app: Flask) -> None:
    app.cli.add_command(reminders_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(plans_cli)
    app.cli.add_command(demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
