"""The project stands alone: nothing in it points at files a clone does not hold or at a tracker's issue numbers."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("app", "bench", "docs", "migrations", "scripts", "tests", ".ci")
TOP_FILES = ("README.md", "SECURITY.md", "Makefile", "wsgi.py", "config.py", "pyproject.toml")
SUFFIXES = {".py", ".md", ".html", ".toml", ".txt", ".cfg", ".ini", ".sh", ".css", ".js", ""}
# Written in pieces so that this file does not match itself.
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "DESIGN" + r"\.md", r"\bissue" + r" \d", "/" + "work/"]))


def _files():
    for name in TOP_FILES:
        yield ROOT / name
    for folder in CHECKED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and "static" not in path.parts and path.name != ".gitkeep":
                yield path


def test_nothing_points_outside_the_repository():
    found = []
    for path in _files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []


def test_the_design_notes_are_in_docs():
    for name in ("design.md", "importing.md", "security-model.md", "spreadsheet-safety.md"):
        assert (ROOT / "docs" / name).stat().st_size > 1000, name
