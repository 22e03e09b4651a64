"""`flask reminders send`: owners' reminders, decisions on their actions and the lead's weekly digest, sent
through a real SMTP server on 127.0.0.1, each once, with nothing an action says in them."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.mail_links import AppLinks
from app.models import ActionStatus, AuditEvent, Plan, PlanKind, Rag, SentEmail, Strand
from app.models.base import utcnow
from app.services.actions import updating
from app.services.importing.saving import import_workbook
from app.services.notifications import outbox, preferences, reminders
from app.services.reviewing import decisions
from tests.conftest import SEED_WORKBOOK
from tests.factories import make_user

TODAY = date(2016, 3, 1)  # a Tuesday in ISO week 2016-W09
LEAD, OWNER, PARTNER = "lead@example.police.uk", "owner@example.police.uk", "spoc@partner.example.org"
SECRET = "Operation Nightjar: surveillance authorised on the Longbridge address"


def action_of(plan, strand, ref):
    return next(a for a in plan.actions if a.strand is strand and a.ref == ref)


@pytest.fixture
def seed(app_context, app):
    """The seed workbook's local plan on 1 March 2016: its imported history is undated, so every action's update
    is overdue, except Prepare 1 (updated 25 days ago: due in 5 days), Prepare 2 (updated 5 days ago: not due) and
    Pursue 1 (complete: no more updates). The owner owns every action; a partner SPOC owns Prepare 1 and 2. The lead
    confirmed the owner's Amber on Prepare 1, and a restricted update sits on Protect 1."""
    app.config["TODAY"] = TODAY
    import_workbook(Path(SEED_WORKBOOK).read_bytes(), Path(SEED_WORKBOOK).name)
    plan = db.session.scalars(db.select(Plan).filter_by(kind=PlanKind.LOCAL)).one()
    lead = make_user("lead", email=LEAD, name="DSupt Walton")
    owner = make_user("owner", email=OWNER, name="DCI Chisholm")
    partner = make_user("owner", email=PARTNER, name="Hope SPOC")
    plan.lead_user = lead
    for action in plan.actions:
        action.owners.append(owner)
    soon, later, done = (
        action_of(plan, s, r) for s, r in ((Strand.PREPARE, "1"), (Strand.PREPARE, "2"), (Strand.PURSUE, "1"))
    )
    soon.owners.append(partner)
    later.owners.append(partner)
    done.status = ActionStatus.COMPLETE
    db.session.commit()

    def write(action, text, as_at, rag=None, restricted=False):
        updating.add_update(
            action, owner, text=text, as_at=as_at, rag=rag, restricted=restricted, seen_version=action.version
        )

    write(soon, "Reception centre venue agreed with the council", TODAY - timedelta(days=25), Rag.AMBER)
    decisions.decide_rag(soon, lead, rag=Rag.AMBER, reason="", seen_version=soon.version)
    write(later, "Awareness sessions booked for April", TODAY - timedelta(days=5))
    write(action_of(plan, Strand.PROTECT, "1"), SECRET, TODAY - timedelta(days=40), restricted=True)
    return plan


def send(runner, *args):
    return runner.invoke(args=["reminders", "send", *args])


def test_owners_and_the_lead_get_what_is_due_with_links_and_nothing_an_action_says(seed, smtp, runner):
    result = send(runner)
    assert result.exit_code == 0, result.output

    by = {(m.recipients[0], m.subject) for m in smtp.messages}
    assert by == {
        (OWNER, "10 updates overdue on your actions"),  # 13 actions: one complete, one due soon, one not yet due
        (OWNER, "1 update due soon on your actions"),
        (OWNER, "RAG decision on your action Prepare 1"),
        (PARTNER, "1 update due soon on your actions"),
        (PARTNER, "RAG decision on your action Prepare 1"),
        (LEAD, "Weekly digest: 2016-W09"),
    }
    assert all(m.sender == "tracker@example.police.uk" for m in smtp.messages)
    soon = next(m for m in smtp.to(PARTNER) if "due soon" in m.subject).body
    soon_id = action_of(seed, Strand.PREPARE, "1").id
    assert "Prepare 1: update due by 6 March 2016" in soon  # updated on 5 February, a 30-day interval
    assert f"https://tracker.example.police.uk/actions/{soon_id}" in soon
    assert "https://tracker.example.police.uk/my-actions" in soon
    assert "https://tracker.example.police.uk/account/notifications" in soon
    overdue = next(m for m in smtp.to(OWNER) if "overdue" in m.subject).body
    assert "Pursue 1" not in overdue and "Prepare 2" not in overdue and "Prepare 1:" not in overdue
    assert "Protect 1: update overdue (due by 20 February 2016)" in overdue
    assert "Prevent 1: no update yet" in overdue  # the seed's history is undated
    assert "always sent" in overdue
    decision = next(m for m in smtp.to(OWNER) if "RAG decision" in m.subject).body
    assert "DSupt Walton set Prepare 1 to Amber (it was Not set) on " in decision
    digest = smtp.to(LEAD)[0].body
    assert "0 proposals waiting for your decision, 12 overdue" not in digest  # counts are the landing's own
    assert re.search(r"\d+ proposals? waiting for your decision, \d+ overdue, \d+ stale, \d+ Red", digest)
    assert f"https://tracker.example.police.uk/plans/{seed.id}/dashboard" in digest

    every_text = [a.what for a in seed.actions] + [a.how for a in seed.actions]
    every_text += [u.text for a in seed.actions for u in a.updates]
    for message in smtp.messages:
        body = message.body + message.subject
        assert "Nightjar" not in body
        leaked = [t for t in every_text if t and len(t) > 12 and t[:40] in body]
        assert leaked == [], (message.subject, leaked)


def test_the_first_run_records_each_item_and_a_second_run_sends_nothing(seed, smtp, runner):
    assert send(runner).exit_code == 0
    first = len(smtp.messages)
    rows = db.session.scalars(db.select(SentEmail)).all()
    assert all(row.sent_at is not None for row in rows)
    overdue = [r for r in rows if r.kind == "overdue"]
    assert len(overdue) == 10 and all(r.action_id for r in overdue)
    assert [r.due_on for r in overdue if r.due_on] == [date(2016, 2, 20)]  # Protect 1; the rest have no update
    assert {r.week for r in rows if r.kind == "digest"} == {"2016-W09"}
    assert {r.decision_id for r in rows if r.kind == "decision"} == {seed_decision_id(seed)}

    again = send(runner)
    assert again.exit_code == 0 and "Sent 0 e-mails" in again.output
    assert len(smtp.messages) == first
    assert db.session.scalar(db.select(db.func.count()).select_from(SentEmail)) == len(rows)


def seed_decision_id(plan):
    return action_of(plan, Strand.PREPARE, "1").rag_changes[-1].id


def test_two_runs_that_overlap_send_each_email_once(seed, smtp, app):
    """Run A finds what is due; run B sends it all meanwhile; then run A sends: it claims nothing and sends nothing."""
    links = AppLinks(app)
    from app.services import mail

    settings = mail.settings_from(app.config)
    first_look = reminders.due(TODAY, links=links)
    with mail.Postbox(settings) as box:
        b = outbox.send(reminders.due(TODAY, links=links), box, links)
    with mail.Postbox(settings) as box:
        a = outbox.send(first_look, box, links)
    assert len(b.sent) == 6 and a.sent == [] and len(a.skipped) == 6
    assert len(smtp.messages) == 6


def test_a_dry_run_lists_what_is_due_and_sends_and_records_nothing(seed, smtp, runner):
    result = send(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would send Updates overdue to owner@example.police.uk: 10 items" in result.output
    assert "Dry run: 6 e-mails due; nothing was sent" in result.output
    assert smtp.messages == []
    assert db.session.scalar(db.select(db.func.count()).select_from(SentEmail)) == 0


def test_without_smtp_the_command_says_so_and_fails_but_a_dry_run_works(seed, runner, app):
    result = send(runner)
    assert result.exit_code == 1
    assert "no SMTP server is configured (set MAIL_SERVER and MAIL_FROM): nothing was sent" in result.output
    dry = send(runner, "--dry-run")
    assert dry.exit_code == 0 and "Dry run: 6 e-mails due" in dry.output
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_FROM="tracker@example.police.uk", BASE_URL="")
    no_base = send(runner)
    assert no_base.exit_code == 1 and "Set BASE_URL" in no_base.output


def test_emails_a_person_turned_off_are_not_sent_but_overdue_reminders_are(seed, smtp, runner, auth):
    from app.models import User

    owner = db.session.scalar(db.select(User).filter_by(email=OWNER))
    assert auth.login(owner).status_code == 302
    page = auth.client.get("/account/notifications").get_data(as_text=True)
    assert "Updates overdue: a reminder when an update on your action is overdue" in page
    assert 'value="overdue"' not in page  # not a box to clear: it cannot be turned off
    # Keep only the digest ticked (owners get none): due soon and decisions off.
    response = auth.post("/account/notifications", {"kinds": ["digest"]})
    assert response.status_code == 302
    assert preferences.turned_off(owner) == {"due_soon", "decision"}
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="notifications.choose")).one()
    assert event.new == {"decision": False, "due_soon": False}

    assert send(runner).exit_code == 0
    assert [m.subject for m in smtp.to(OWNER)] == ["10 updates overdue on your actions"]
    assert len(smtp.to(PARTNER)) == 2  # the partner changed nothing


def test_a_mail_server_failing_half_way_leaves_the_rest_for_the_next_run(seed, smtp, runner):
    smtp.refuse_after(2)
    result = send(runner)
    assert result.exit_code == 1
    assert "4 e-mail(s) not sent, to be sent on the next run" in result.output
    assert len(smtp.messages) == 2
    rows = db.session.scalars(db.select(SentEmail)).all()
    assert rows and all(row.sent_at is not None for row in rows)  # the refused one's claims were given back

    smtp.refuse_after(100)
    assert send(runner).exit_code == 0
    assert len(smtp.messages) == 6
    assert len({(m.recipients[0], m.subject) for m in smtp.messages}) == 6  # nobody got one twice


def test_a_claim_left_by_a_run_that_died_is_released_after_the_timeout(seed, smtp, runner, app):
    links = AppLinks(app)
    due = reminders.due(TODAY, links=links)
    overdue = next(p for p in due if p.kind == "overdue")
    claimed = outbox.claim(overdue, overdue.items)  # the run died before sending
    assert len(claimed) == 10
    assert outbox.claim(overdue, overdue.items) == {}  # held: a second claim gets none of them
    assert send(runner).exit_code == 0
    assert [m.subject for m in smtp.to(OWNER) if "overdue" in m.subject] == []  # still claimed: not sent twice
    db.session.execute(
        db.update(SentEmail).values(claimed_at=utcnow() - timedelta(hours=1)).where(SentEmail.sent_at.is_(None))
    )
    db.session.commit()
    assert send(runner).exit_code == 0
    assert [m.subject for m in smtp.to(OWNER) if "overdue" in m.subject] == ["10 updates overdue on your actions"]


def test_a_new_update_moves_the_due_date_and_the_next_reminder_is_for_the_new_date(seed, smtp, runner, app):
    assert send(runner).exit_code == 0
    soon = action_of(seed, Strand.PREPARE, "1")
    owner = soon.owners[0]
    # Nothing new the next day; then Prepare 1 is overdue on 7 March: a reminder of its own, once.
    app.config["TODAY"] = TODAY + timedelta(days=1)
    assert send(runner).exit_code == 0 and len(smtp.messages) == 6
    app.config["TODAY"] = date(2016, 3, 7)  # ISO week 10: the digest too
    assert send(runner).exit_code == 0
    new = smtp.messages[6:]
    assert sorted((m.recipients[0], m.subject) for m in new) == [
        (LEAD, "Weekly digest: 2016-W10"),
        (OWNER, "1 update overdue on your actions"),
        (PARTNER, "1 update overdue on your actions"),
    ]
    # An update on 7 March: due by 6 April, so the due-soon reminder comes again from 30 March.
    updating.add_update(soon, owner, text="Venue signed", as_at=date(2016, 3, 7), rag=None, seen_version=soon.version)
    app.config["TODAY"] = date(2016, 3, 29)
    assert send(runner).exit_code == 0
    assert not [m for m in smtp.messages[9:] if "due soon" in m.subject]
    app.config["TODAY"] = date(2016, 3, 30)
    assert send(runner).exit_code == 0
    due_soon = [m for m in smtp.messages if "due soon" in m.subject and "6 April 2016" in m.body]
    assert {m.recipients[0] for m in due_soon} == {OWNER, PARTNER}


def test_the_plan_sets_how_many_days_before_and_none_turns_early_reminders_off(seed, smtp, runner, auth):
    from app.models import User

    lead = db.session.scalar(db.select(User).filter_by(email=LEAD))
    assert auth.login(lead).status_code == 302
    url = f"/plans/{seed.id}/settings"
    page = auth.client.get(url).get_data(as_text=True)
    assert "Remind owners by e-mail this many days before an update is due" in page
    bad = auth.post(url, {"update_interval_days": "30", "reminder_days_before": "61", "lead_user_id": str(lead.id)})
    assert "Enter a number of days between 0 and 60" in bad.get_data(as_text=True)
    ok = auth.post(url, {"update_interval_days": "30", "reminder_days_before": "4", "lead_user_id": str(lead.id)})
    assert ok.status_code == 302
    assert db.session.get(Plan, seed.id).reminder_days_before == 4
    event = db.session.scalars(db.select(AuditEvent).filter_by(verb="plan.settings")).one()
    assert event.new == {"reminder_days_before": 4}
    assert send(runner).exit_code == 0  # Prepare 1 is due in 5 days: more than 4
    assert not [m for m in smtp.messages if "due soon" in m.subject]


def test_two_runs_at_the_same_moment_in_two_threads_send_each_email_once(seed, smtp, app):
    """Two runs started together, each with its own connection: the database's unique key settles who sends."""
    import threading

    from app.services import mail

    barrier = threading.Barrier(2)
    reports = []

    def run():
        with app.app_context():
            links = AppLinks(app)
            due = reminders.due(TODAY, links=links)
            barrier.wait()
            with mail.Postbox(mail.settings_from(app.config)) as box:
                reports.append(outbox.send(due, box, links))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(reports) == 2
    assert sum(len(r.sent) for r in reports) == 6
    assert len(smtp.messages) == 6
    assert len({(m.recipients[0], m.subject) for m in smtp.messages}) == 6
