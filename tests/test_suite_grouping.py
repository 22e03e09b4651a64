"""Under `--dist loadgroup` the tests of one xdist_group run on one worker, and so do the tests that use the
shared route walk (tests/xdist_groups.py), a group for each role it walks: each role's walk is made once a run
(tests/route_walk.py, docs/testing.md)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFTEST = """
import os

import pytest


class Walk(dict):
    def __missing__(self, role):
        with open(os.environ["GROUP_OUT"], "a") as out:
            out.write("walk " + os.environ["PYTEST_XDIST_WORKER"] + " " + role + "\\n")
        self[role] = "walked " + role
        return self[role]


@pytest.fixture(scope="session")
def route_walk():
    return Walk()
"""

MARKED = """
import os

import pytest

pytestmark = pytest.mark.xdist_group("marked")


@pytest.mark.parametrize("n", range(8))
def test_marked(n, request):
    with open(os.environ["GROUP_OUT"], "a") as out:
        out.write("marked " + os.environ["PYTEST_XDIST_WORKER"] + " " + request.node.nodeid + "\\n")
"""

WALKERS = """
import os

import pytest


@pytest.mark.parametrize("n", range(8))
def test_reads_the_walk(n, route_walk, request):
    assert route_walk["anyone"] == "walked anyone"
    with open(os.environ["GROUP_OUT"], "a") as out:
        out.write("reads " + os.environ["PYTEST_XDIST_WORKER"] + " " + request.node.nodeid + "\\n")


@pytest.mark.parametrize("role", ["admin", "viewer", "owner"])
@pytest.mark.parametrize("n", range(4))
def test_reads_a_roles_walk(n, role, route_walk, request):
    assert route_walk[role] == "walked " + role
    with open(os.environ["GROUP_OUT"], "a") as out:
        out.write("role " + os.environ["PYTEST_XDIST_WORKER"] + " " + request.node.nodeid + " " + role + "\\n")


@pytest.mark.parametrize("n", range(8))
def test_without_the_walk(n):
    pass
"""


def test_a_group_and_the_users_of_the_walk_each_run_on_one_worker(tmp_path):
    for name, text in (("conftest.py", CONFTEST), ("test_marked.py", MARKED), ("test_walkers.py", WALKERS)):
        (tmp_path / name).write_text(text)
    out = tmp_path / "workers.txt"
    # Only pytest-xdist and the suite's plugin: the suite's own conftest (and its app) stays out of this run.
    env = {**os.environ, "GROUP_OUT": str(out), "PYTHONPATH": ROOT, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    for variable in ("PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"):
        env.pop(variable, None)
    command = ["-p", "xdist.plugin", "-p", "tests.xdist_groups", "-n", "2", "--dist", "loadgroup", "-q"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *command, "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "36 passed" in run.stdout, run.stdout
    lines = [line.split() for line in out.read_text().splitlines()]
    marked = [line for line in lines if line[0] == "marked"]
    readers = [line for line in lines if line[0] == "reads"]
    role_readers = [line for line in lines if line[0] == "role"]
    walks = [line for line in lines if line[0] == "walk"]
    assert len(marked) == 8 and len(readers) == 8 and len(role_readers) == 12, lines
    assert len({worker for _, worker, _ in marked}) == 1, marked
    assert all(nodeid.endswith("@marked") for _, _, nodeid in marked), marked
    assert len({worker for _, worker, _ in readers}) == 1, readers
    assert all(nodeid.endswith("@route-walk") for _, _, nodeid in readers), readers
    # A walk made role by role: each role's tests on one worker, in a group of that role.
    for role in ("admin", "viewer", "owner"):
        of_role = [line for line in role_readers if line[3] == role]
        assert len(of_role) == 4 and len({line[1] for line in of_role}) == 1, of_role
        assert all(line[2].endswith(f"@route-walk-{role}") for line in of_role), of_role
    # Each role's walk made once for the run, by the worker that ran its tests.
    assert sorted(role for _, _, role in walks) == ["admin", "anyone", "owner", "viewer"], walks
    workers_of = {line[3]: line[1] for line in role_readers} | {"anyone": readers[0][1]}
    assert all(workers_of[role] == worker for _, worker, role in walks), walks
