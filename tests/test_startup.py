"""Start-up does no work a command or a worker might not need: no password hash, no spreadsheet or PDF library.

Every command (`flask plans list`) and every web worker starts by importing the app and calling create_app().
A dummy argon2 hash made at import time cost each of them about 300 ms of CPU and 64 MiB; openpyxl, XlsxWriter,
WeasyPrint, python-docx, segno and Alembic add more, and are needed only by the commands and pages that read or
write a file, draw a QR code or migrate the database. bench/startup.py measures the time.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.accounts import passwords
from app.services.importing.columns import column_letter
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["openpyxl", "xlsxwriter", "weasyprint", "docx", "segno", "alembic", "flask_migrate", "PIL", "lxml"]

# Run in a fresh interpreter: this test process has long since imported everything.
PROBE = """
import json, sys
import argon2

calls = []
real_hash = argon2.PasswordHasher.hash

def counting_hash(self, *args, **kwargs):
    calls.append(self.time_cost)
    return real_hash(self, *args, **kwargs)

argon2.PasswordHasher.hash = counting_hash
from app import create_app
from config import TestConfig

app = create_app(TestConfig)
with app.app_context():
    app.test_client().get("/sign-in")
from app.services.accounts import passwords

loaded = sorted(set(sys.argv[1:]) & set(sys.modules))
print(json.dumps({"hashes": len(calls), "dummies": sorted(passwords._DUMMY), "loaded": loaded}))
"""


def probe() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *HEAVY], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def started() -> dict:
    return probe()


def test_importing_the_app_and_creating_it_hashes_no_password(started):
    assert started["hashes"] == 0
    assert started["dummies"] == []


def test_create_app_loads_no_spreadsheet_pdf_qr_or_migration_library(started):
    assert started["loaded"] == []


class CountingHasher:
    def __init__(self, real):
        self.real, self.hashes, self.verifies = real, 0, 0

    def hash(self, *args):
        self.hashes += 1
        return self.real.hash(*args)

    def verify(self, *args):
        self.verifies += 1
        return self.real.verify(*args)

    def __getattr__(self, name):
        return getattr(self.real, name)


def sign_in_unknown(client) -> str:
    data = {"email": "nobody@example.police.uk", "password": "not the password at all"}
    data["csrf_token"] = csrf_token(client)
    return client.post("/sign-in", data=data).get_data(as_text=True)


def test_the_dummy_hash_is_made_on_the_first_unknown_sign_in_and_only_once(app, client, monkeypatch):
    monkeypatch.setattr(passwords, "_DUMMY", {})
    counters = {name: CountingHasher(real) for name, real in passwords._HASHERS.items()}
    for name, counter in counters.items():
        monkeypatch.setitem(passwords._HASHERS, name, counter)
    for _ in range(3):
        assert "Enter a correct email address and password" in sign_in_unknown(client)
    used = counters["fast" if app.config.get("PASSWORD_HASH_FAST") else "production"]
    assert used.hashes == 1  # made once, kept for the process
    assert used.verifies == 3  # and every unknown email still costs one verification, as a known one does
    assert sum(c.hashes + c.verifies for c in counters.values()) == 4


def test_column_letters_are_excel_s_own():
    from openpyxl.utils import get_column_letter

    for column in range(1, 18_279):  # A … ZZZ, every column Excel can have
        assert column_letter(column) == get_column_letter(column)
    with pytest.raises(ValueError):
        column_letter(0)


def test_without_defusedxml_the_app_still_refuses_to_start_before_openpyxl_loads(monkeypatch):
    import importlib.util

    from app import create_app
    from config import TestConfig

    real_find_spec = importlib.util.find_spec
    monkeypatch.delitem(sys.modules, "openpyxl", raising=False)
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "defusedxml" else real_find_spec(name, *a)
    )
    with pytest.raises(RuntimeError, match="defusedxml is not installed"):
        create_app(TestConfig)
