"""Keeps the tests that share a costly session fixture on one pytest-xdist worker, so that it is made once a
run (a plugin, registered by tests/conftest.py; docs/testing.md).

Every test that uses a fixture of SHARED_FIXTURES is marked `xdist_group(<its group>)` (split by a parameter
of the test where the fixture is made piece by piece, as the route walk is made role by role), and under
`--dist loadgroup` each marked test's id is given the "@group" suffix by which pytest-xdist's scheduler
(LoadGroupScheduling, on the controller) groups tests: the scheduler never sees the marks, only the ids the
workers send it. pytest-xdist 3.8 adds the suffix by assigning `item._nodeid` (xdist/remote.py,
`pytest_collection_modifyitems`), but since pytest 9.2 a node keeps its id as a structured `item._id` and
`item.nodeid` is read from that, so the assignment is lost, every test keeps an id of its own, and a group
is spread over every worker. Here the suffix is put where pytest 9.2 reads it; a pytest-xdist that puts it
there itself finds it already added (or adds a second, which groups the same).
"""

import pytest
from _pytest.nodeid import NodeId

# fixture -> (the xdist_group of every test that uses it, the parameter whose value splits the group, or None).
# The route walk is made role by role (tests/route_walk.py): a test of the admin's walk is in `route-walk-admin`.
SHARED_FIXTURES: dict[str, tuple[str, str | None]] = {"route_walk": ("route-walk", "role")}


def shared_group(item: pytest.Item, group: str, parameter: str | None) -> str:
    """The group of a test that uses a shared fixture: the fixture's group, split by the test's parameter."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return f"{group}-{params[parameter]}" if parameter and parameter in params else group


def group_names(item: pytest.Item) -> list[str]:
    """The xdist_group names of a test, read as pytest-xdist reads them (its own marks, its class's, its
    module's)."""
    return sorted(
        {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, (group, parameter) in SHARED_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(shared_group(item, group, parameter)))
    # `loadgroup` is set on each worker by pytest-xdist (xdist/remote.py, setup_config) under --dist loadgroup.
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = group_names(item)
        if names and not item.nodeid.endswith(suffix := "@" + "_".join(names)):
            item._id = NodeId.parse(item.nodeid + suffix)
