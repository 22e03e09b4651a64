"""Password rules: 12 characters or more, not a common password (in any case), checked exactly as typed."""

import pytest

from app.extensions import db
from app.models import User
from app.services.accounts import AccountError, passwords, users
from tests.factories import PASSWORD, make_user
from tests.pages import check_page


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "Qwerty123456", "Summer2025!!", "123456789012"])
def test_common_passwords_are_refused_whatever_their_case(app_context, app, password):
    assert "too common" in passwords.password_problem(password)
    with pytest.raises(AccountError, match="too common"):
        users.create_user("new@example.police.uk", "New", "owner", password, by=None)
    db.session.rollback()
    assert db.session.scalar(db.select(User.id).filter_by(email="new@example.police.uk")) is None


def test_length_rules(app):
    assert "12 characters or more" in passwords.password_problem("elevenchars")
    assert passwords.password_problem("twelve chars") is None
    assert passwords.password_problem("x" * 128 + "y") == "Password must be 128 characters or fewer"


def test_the_list_is_shipped_and_sizeable():
    common = passwords.common_passwords()
    assert len(common) > 500
    assert "iloveyou1234" in common and all(p == p.lower() for p in common)


def test_passwords_are_checked_exactly_as_typed(app_context, client, auth):
    user = make_user("owner", password="  spaces matter  ")
    assert auth.login(user, "spaces matter").status_code == 200
    assert auth.login(user, "  spaces matter  ").status_code == 302


def test_change_password_refuses_a_common_password_and_keeps_the_old_one(app_context, client, auth):
    user = make_user("owner")
    auth.login(user)
    response = auth.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "Password1234", "confirm": "Password1234"},
    )
    page = check_page(response)
    assert "too common" in page and "govuk-error-summary" in page
    assert passwords.authenticate(user.email, PASSWORD) is not None


def test_change_password_refuses_a_short_password(app_context, client, auth):
    user = make_user("owner")
    auth.login(user)
    form = {"current_password": PASSWORD, "new_password": "short", "confirm": "short"}
    response = auth.post("/account/password", form)
    assert "between 12 and 128 characters" in check_page(response)
    assert passwords.authenticate(user.email, PASSWORD) is not None


def test_change_password_needs_the_current_one(app_context, client, auth):
    user = make_user("owner")
    auth.login(user)
    new = "a brand new passphrase"
    form = {"current_password": "not it at all", "new_password": new, "confirm": new}
    response = auth.post("/account/password", form)
    assert "Your current password is not correct" in check_page(response)
    assert passwords.authenticate(user.email, new) is None


def test_cli_refuses_a_common_password(app_context, runner, app):
    args = ["users", "create", "c@example.police.uk", "--name", "C", "--role", "owner", "--password-stdin"]
    result = runner.invoke(args=args, input="LetMeIn12345\n")
    assert result.exit_code != 0 and "too common" in result.output
    assert db.session.scalar(db.select(User.id).filter_by(email="c@example.police.uk")) is None
