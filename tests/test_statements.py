"""Statements built once an app (app/services/statements.py): the same key gives the same statement, another key
builds again, the store is bounded and an app's statements are its own.

That a kept statement gives what one built afresh would, before and after writes and on another day, for every
page that keeps one, is tests/test_kept_pages.py's work: its pages drawn afresh are drawn with every statement
built again (test_data_version.kept_as_drawn_afresh).
"""

from app.extensions import db
from app.models import Action
from app.services import statements
from tests.factories import make_action, make_plan


def test_the_same_key_gives_the_statement_built_first_and_another_key_builds_again(app_context):
    built = []

    def build(plan_id):
        built.append(plan_id)
        return db.select(Action.id).where(Action.plan_id == plan_id).order_by(Action.position)

    first = statements.kept(("actions of", 1), lambda: build(1))
    assert statements.kept(("actions of", 1), lambda: build(1)) is first
    other = statements.kept(("actions of", 2), lambda: build(2))
    assert other is not first and built == [1, 2]


def test_a_kept_statement_reads_what_is_in_the_database_now(app_context):
    plan = make_plan(actions=2)
    db.session.commit()
    key = ("actions of", plan.id)
    statement = statements.kept(key, lambda: db.select(Action.id).where(Action.plan_id == plan.id))
    assert len(db.session.scalars(statement).all()) == 2
    make_plan(actions=1)  # another plan's action is not this plan's
    make_action(plan, ref="99", position=99, what="Added later")
    db.session.commit()
    assert statements.kept(key, lambda: None) is statement
    assert len(db.session.scalars(statement).all()) == 3  # the statement is kept, never its rows


def test_the_store_keeps_its_most_recently_used_statements_only():
    store = statements.StatementStore(max_entries=2)
    store.get("a", lambda: "statement a")
    store.get("b", lambda: "statement b")
    store.get("a", lambda: "built again")  # "a" used: "b" is now the least recently used
    store.get("c", lambda: "statement c")
    assert len(store) == 2
    assert store.get("a", lambda: "built again") == "statement a"
    assert store.get("b", lambda: "built again") == "built again"


def test_each_app_keeps_its_own_statements(app_context):
    from flask import Flask

    statement = statements.kept(("one",), lambda: db.select(Action.id))
    other = Flask("another")
    statements.init_app(other)
    with other.app_context():
        assert statements.kept(("one",), lambda: "built in the other app") == "built in the other app"
    assert statements.kept(("one",), lambda: "built again") is statement
