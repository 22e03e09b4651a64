"""People without accounts: contacts own actions and can be given an account; import matches Responsibility to
users and contacts by name and asks the administrator to confirm; partners are named on actions."""

import re
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Action, AuditEvent, Contact, Partner, Plan, Role, Strand, User
from app.services.people import contacts, matching, partners
from tests.conftest import SEED_WORKBOOK
from tests.factories import PASSWORD, make_action, make_plan, make_user
from tests.pages import check_page, field_value

SEED = Path(SEED_WORKBOOK).read_bytes()


@pytest.fixture
def people(app, app_context):
    """DSupt Walton and DCI Chisholm have accounts; Esther Martin (Intel) is a contact."""
    walton = make_user("lead", name="DSupt Walton")
    chisholm = make_user("owner", name="DCI Chisholm")
    martin = Contact(name="Esther Martin", role="Intel")
    db.session.add(martin)
    db.session.commit()
    return {"walton": walton, "chisholm": chisholm, "martin": martin}


def test_names_are_matched_as_whole_words_with_ranks_written_either_way():
    text = matching.normalised("MDS Lead Detective Superintendent Walton & MDS Bronze DCI  Chisholm")
    assert matching.normalised("DSupt Walton") in text and matching.normalised("dci chisholm") in text
    assert matching.normalised("DCI Chis") not in text  # part of a word is not a match


def test_the_seed_workbook_names_walton_chisholm_and_martin(people):
    found = matching.matches_in(SEED, "seed.xlsx")
    by_action = {}
    for match in found:
        by_action.setdefault(match.display_ref, set()).add(match.name)
    assert by_action["Prepare 1"] == {"DSupt Walton", "DCI Chisholm"}
    assert by_action["Prepare 8"] == {"DSupt Walton", "Esther Martin"}
    assert by_action["Protect 3"] == {"DCI Chisholm"}
    assert "Prepare 2" not in by_action  # "LPU Sentinel Bronze" names nobody in the tracker
    assert {m.kind for m in found if m.name == "Esther Martin"} == {"contact"}


def test_the_check_page_shows_each_match_and_the_ticked_ones_become_owners(client, auth, people):
    admin = make_user("admin")
    auth.login(admin)
    from app.services.importing import pending as pending_imports

    pending = pending_imports.store_upload(admin, "seed.xlsx", SEED)
    page = check_page(client.get(f"/imports/{pending.id}"))
    section = page[page.index('id="owner-matches"') :]
    assert "Prepare 1: DCI Chisholm (user)" in section and "Esther Martin (contact without an account)" in section
    found = matching.matches_in(SEED, "seed.xlsx")
    wrong = next(i for i, m in enumerate(found) if m.display_ref == "Prevent 4" and m.name == "Esther Martin")
    ticked = [str(i) for i in range(len(found)) if i != wrong]  # the administrator unticks one
    digest = re.search(r'name="owner_match_digest" value="([0-9a-f]+)"', section).group(1)
    response = client.post(
        f"/imports/{pending.id}/confirm",
        data={"csrf_token": field_value(page, "csrf_token"), "owner_match": ticked, "owner_match_digest": digest},
    )
    assert response.status_code == 302
    plan = db.session.scalar(db.select(Plan).filter_by(title="Public Protection Delivery Plan 2015-16"))
    actions = {a.display_ref: a for a in plan.actions}
    assert people["chisholm"] in actions["Prepare 1"].owners and people["walton"] in actions["Prepare 1"].owners
    assert actions["Prepare 8"].contacts == [people["martin"]]
    assert actions["Prevent 4"].contacts == []  # unticked: not applied
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.verb == "action.owner_match"))
    auth.logout()
    auth.login(people["chisholm"])
    assert "Prepare 1" in check_page(client.get("/my-actions"))


def test_a_stale_match_list_sets_no_owner(people):
    admin = make_user("admin")
    from app.services.importing.saving import import_workbook

    import_workbook(SEED, "seed.xlsx")
    digest = matching.digest(matching.matches_in(SEED, "seed.xlsx"))
    make_user("owner", name="Esther Martin")  # someone new with the same name arrives meanwhile
    assert matching.apply_confirmed(SEED, "seed.xlsx", ["0", "1"], digest, admin) is None
    assert not db.session.scalar(db.select(db.func.count()).select_from(Action).join(Action.owners))


def test_contacts_are_added_and_an_admin_turns_one_into_a_user(client, auth, people):
    plan = make_plan(actions=0, lead_user=people["walton"])
    action = make_action(plan, strand=Strand.PREPARE, ref="8")
    action.contacts.append(people["martin"])
    db.session.commit()
    auth.login(people["walton"])
    page = check_page(client.get("/contacts/new"))
    data = {"csrf_token": field_value(page, "csrf_token"), "name": "CI Bruton", "role": "L&D", "email": "not an email"}
    page = check_page(client.post("/contacts/new", data=data))
    assert "Enter an email address in the correct format" in page and field_value(page, "name") == "CI Bruton"
    client.post("/contacts/new", data={**data, "email": ""})
    assert db.session.scalar(db.select(Contact).filter_by(name="CI Bruton")).role == "L&D"
    assert client.get(f"/contacts/{people['martin'].id}/account").status_code == 403  # leads make no accounts
    auth.logout()

    admin = make_user("admin")
    auth.login(admin)
    page = check_page(client.get(f"/contacts/{people['martin'].id}/account"))
    account = {
        "csrf_token": field_value(page, "csrf_token"),
        "email": "esther.martin@example.police.uk",
        "role": "owner",
        "password": PASSWORD,
    }
    assert client.post(f"/contacts/{people['martin'].id}/account", data=account).status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="esther.martin@example.police.uk"))
    assert (user.name, user.role) == ("Esther Martin", Role.OWNER)
    action = db.session.get(Action, action.id)
    assert action.owners == [user] and action.contacts == [] and action.owner_names == ["Esther Martin"]
    assert db.session.get(Contact, people["martin"].id).user_id == user.id
    assert "contact.to_user" in db.session.scalars(db.select(AuditEvent.verb)).all()


def test_turning_a_contact_into_a_user_with_a_taken_email_changes_nothing(people):
    admin = make_user("admin")
    with pytest.raises(contacts.AccountError):
        contacts.turn_into_user(
            admin, people["martin"], email=people["chisholm"].email, role=Role.OWNER, password=PASSWORD
        )
    db.session.rollback()
    assert db.session.get(Contact, people["martin"].id).user_id is None


def test_partners_are_one_row_each_whatever_the_case(app_context, app):
    first = partners.named(["Hope for Justice", "GLAA", "  "])
    db.session.commit()
    again = partners.named(["hope for justice", "Sandwell Council"])
    db.session.commit()
    assert again[0] is first[0] and db.session.scalar(db.select(db.func.count(Partner.id))) == 3
