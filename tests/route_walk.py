"""One walk of every route as every role, each role walked once per run and shared by the route-wide tests.

test_access (what each role gets), test_headers (security headers on every page), test_idor (other people's
ids, ids that do not exist, restricted text on every page) and test_fuzz (the pages whose forms and query
strings it fuzzes) each used to sign in and walk the URL map on their own. Here each role signs in once, on
a fresh database holding one record for every kind of id (`make_records`) and a second plan that belongs to
other people and holds restricted material (`make_world`), and walks the routes in phases that change nothing
before those that may:

1. `missing`: every route with an id, by GET and POST, with ids that do not exist;
2. `others`: every POST route with an id, on the other people's records (not as admin), counting rows before
   and after;
3. `access`: every route but the public ones and sign-out, by GET (or POST when it has no GET), on our
   records (as admin this deactivates the owner, which nothing after it depends on, and confirms the pending
   import, which both import check pages read: the routes that use up a record, USES_UP, are walked last);
4. `pages` (viewer only): every GET route on their records, then with their restricted action, redirects
   followed;
5. `public`: the public GET routes (the sign-in pages), last, as a signed-in person.

A signed-out visitor walks `access` too (role `anonymous`). CSRF is off for the walk: permissions and ids,
not tokens, are under test (test_fuzz and test_sign_in_attacks test the tokens). Each response is recorded
whole (status, headers, body), so the tests assert on what the app answered.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import Flask
from werkzeug.datastructures import Headers

from app.extensions import db
from app.models import Contact, ExportJob, Objective, Role, Strand, Update
from tests.conftest import AuthActions, _empty_postgresql_tables, make_records, make_test_app
from tests.factories import make_action, make_measure, make_pending_import, make_plan, make_review, make_user

ROLES = [role.value for role in Role]
# The second step of signing in answers before sign-in; without a password step first it sends you back.
PUBLIC = {
    "static",
    "auth.sign_in",
    "auth.sign_in_code",
    "auth.set_up_two_factor_at_sign_in",
    "auth.forgotten_password",
    "auth.reset_password",
    "auth.reset_password_form",
}
SECRETS = ("Operation Bluebird", "12 Acacia Avenue", "covert source ZX-81")
MISSING_ID = 2_000_000_000
# POST routes with an id that any signed-in role may use on any record (e.g. a future "export this plan"
# button, which writes nothing). Everything else that takes an id and a POST must refuse others' records.
POST_OPEN_TO_ALL: set[str] = set()


@dataclass(frozen=True)
class Visit:
    """One request of the walk and what the app answered."""

    phase: str
    endpoint: str
    method: str
    url: str
    status: int
    headers: Headers
    mimetype: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


@dataclass
class RoleWalk:
    role: str
    visits: list[Visit] = field(default_factory=list)
    rows_before_others: dict[str, int] = field(default_factory=dict)
    rows_after_others: dict[str, int] = field(default_factory=dict)

    def phase(self, name: str) -> list[Visit]:
        return [visit for visit in self.visits if visit.phase == name]

    def page(self, endpoint: str) -> Visit:
        """The `access` visit of an endpoint."""
        return next(visit for visit in self.phase("access") if visit.endpoint == endpoint)


class Walk:
    """Every route as every role. A role is walked when first asked for, once per process, on a fresh database
    of its own (the walk's, never the tests': `walk_database` in tests/conftest.py), so it may be asked for in
    the middle of a test. Each role's tests are put in an xdist group of that role (tests/xdist_groups.py), so
    that one worker walks the role and runs them, and the roles are spread over the workers. The records are
    made in the same order for every role, so every role's database holds the same ids (`world`)."""

    def __init__(self, walk_database, tmp_path_factory):
        self.walk_database, self.tmp_path_factory = walk_database, tmp_path_factory
        self.roles: dict[str, RoleWalk] = {}
        self._world: dict | None = None
        self.methods: dict[str, set[str]] = {}  # endpoint -> its methods, static left out
        self.with_ids: set[str] = set()  # the endpoints whose URL takes an id (or another argument)

    def __getitem__(self, role: str) -> RoleWalk:
        if role not in self.roles:
            self.roles[role] = self._walk(role)
        return self.roles[role]

    def _walk(self, role: str) -> RoleWalk:
        app = make_test_app(self.tmp_path_factory.mktemp(f"walk-{role}"), self.walk_database)
        with app.app_context():
            try:
                if db.engine.dialect.name == "postgresql":
                    _empty_postgresql_tables()
                walked, world = _walk_role(app, role)
            finally:
                db.session.remove()
                db.engine.dispose()
        self._world = {k: v for k, v in world.items() if k != "users"}
        self.methods = {rule.endpoint: set(rule.methods or ()) for rule in _rules(app)}
        self.with_ids = {rule.endpoint for rule in _rules(app) if rule.arguments}
        return walked

    @property
    def world(self) -> dict:
        """The ids of the records every role's walk made (the same in each)."""
        if self._world is None:
            self["anonymous"]
        assert self._world is not None
        return self._world

    @property
    def endpoints(self) -> set[str]:
        if not self.methods:
            self["anonymous"]
        return set(self.methods)

    def endpoints_with(self, method: str) -> set[str]:
        return {endpoint for endpoint in self.endpoints if method in self.methods[endpoint]}


def make_world(records: dict) -> dict:
    """Beside `records` (our plan, led by its lead, with an action its owner owns): a plan that belongs to
    other people and holds restricted material, with one record of every kind of id of its own."""
    other_lead, other_owner = make_user("lead"), make_user("owner")
    theirs = make_plan(actions=2, lead_user=other_lead, owner=other_owner, updates_per_action=1)
    secret_action = make_action(theirs, ref="9", what="Visit 12 Acacia Avenue", restricted=True, owner=other_owner)
    secret_action.how = "Meet covert source ZX-81"
    theirs.actions[0].updates.append(Update(text="Operation Bluebird starts Monday", restricted=True))
    db.session.commit()
    theirs_upload = make_pending_import()
    objective = Objective(plan=theirs, strand=Strand.PREPARE, ref="1", title="Their objective")
    contact = Contact(name="Esther Martin", role="Intel")
    db.session.add_all([objective, contact])
    db.session.commit()
    # A measure of restricted work: its name is withheld from viewers with the action it measures.
    secret_measure = make_measure(theirs, name="Meetings with covert source ZX-81", actions=[secret_action])
    # Their owner's export job, done: its page and file are that owner's alone.
    job = ExportJob(plan_id=theirs.id, user_id=other_owner.id, audience="pcc", as_at=date(2025, 11, 25), status="done")
    job.content, job.filename = b"PK", "export.xlsx"
    db.session.add(job)
    db.session.commit()
    return {
        "users": {"lead": records["lead"], "owner": records["owner"], "admin": records["admin"]},
        "ours": {k: records[k] for k in ("plan_id", "action_id", "user_id", "framework")},
        "theirs": {
            "plan_id": theirs.id,
            "action_id": theirs.actions[0].id,
            "user_id": other_owner.id,
            "pending_id": theirs_upload.id,
            "framework": "PCC",
            "token": "not-a-reset-token",
            "measure_id": secret_measure.id,
            "job_id": job.id,
            "year": 2025,
            "objective_id": objective.id,
            "review_id": make_review(theirs).id,
            "contact_id": contact.id,
            "strand": "Prepare",
        },
        "secret_action_id": secret_action.id,
    }


def row_counts() -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name != "audit_event":  # a refusal may be recorded; nothing else may change
            counts[table.name] = db.session.scalar(db.select(db.func.count()).select_from(table))
    return counts


# Routes whose answer uses up a record that other routes read: confirming a plan's upload deletes the pending
# import that the measures import's pages read too. The access phase walks them last.
USES_UP = {"imports.confirm"}


def _rules(app: Flask):
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=lambda r: r.endpoint)


def _record(walk: RoleWalk, phase: str, client, endpoint: str, method: str, url: str, **kwargs) -> None:
    response = client.open(url, method=method, **kwargs)
    walk.visits.append(
        Visit(
            phase,
            endpoint,
            method,
            url,
            response.status_code,
            Headers(response.headers),
            response.mimetype,
            response.get_data(),
        )
    )
    db.session.rollback()


def _walk_role(app: Flask, role: str) -> tuple[RoleWalk, dict]:
    records = make_records()
    world = make_world(records)
    client = app.test_client()
    walk = RoleWalk(role)
    signed_in = role != "anonymous"
    if signed_in:
        user = records[role] if role in ("lead", "owner", "admin") else make_user(role)
        world["users"][role] = user
        assert AuthActions(client).login(user).status_code == 302, f"{role} could not sign in"
    app.config["WTF_CSRF_ENABLED"] = False
    rules = _rules(app)
    with_ids = [rule for rule in rules if rule.arguments]

    if signed_in:
        for rule in with_ids:
            url = rule.build(dict.fromkeys(rule.arguments, MISSING_ID))[1]
            for method in sorted(rule.methods & {"GET", "POST"}):
                _record(walk, "missing", client, rule.endpoint, method, url)

    if role in ("lead", "owner", "viewer"):
        walk.rows_before_others = row_counts()
        for rule in with_ids:
            if "POST" in rule.methods and rule.endpoint not in POST_OPEN_TO_ALL:
                url = rule.build({k: world["theirs"][k] for k in rule.arguments})[1]
                _record(walk, "others", client, rule.endpoint, "POST", url, data={"text": "x"})
        walk.rows_after_others = row_counts()

    for rule in sorted(rules, key=lambda rule: rule.endpoint in USES_UP):  # endpoint order, those last
        if rule.endpoint in PUBLIC or (signed_in and rule.endpoint == "auth.sign_out"):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        url = rule.build({name: records[name] for name in rule.arguments})[1]
        _record(walk, "access", client, rule.endpoint, method, url)

    if role == "viewer":
        secret = {**world["theirs"], "action_id": world["secret_action_id"]}
        for rule in rules:
            if "GET" in rule.methods:
                for ids in (world["theirs"], secret):
                    url = rule.build({k: ids[k] for k in rule.arguments})[1]
                    _record(walk, "pages", client, rule.endpoint, "GET", url, follow_redirects=True)

    if signed_in:
        for rule in rules:
            if rule.endpoint in PUBLIC and "GET" in rule.methods:
                url = rule.build({name: records[name] for name in rule.arguments})[1]
                _record(walk, "public", client, rule.endpoint, "GET", url)
    return walk, world
