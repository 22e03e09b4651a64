"""Every corpus workbook imported into an empty database, exported as JSON and compared with its expected file.

The comparison is the corpus's own checker (tests/fixtures/corpus/check_corpus.py), imported as a module and
run as its command line runs it, so a case passes here exactly when it passes by hand. The warnings a careful
reader must give are checked by their fact and row (the wording is the importer's).
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Plan
from app.services.exporting.json_plan import plan_as_dict
from app.services.importing.saving import import_workbook

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
_spec = importlib.util.spec_from_file_location("check_corpus", CORPUS / "check_corpus.py")
check_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_corpus)

# What each expected warning must say: its row and words that state the fact. The case's own phrase is kept
# beside each check so that the two can be compared by eye.
WARNING_CHECKS = {
    "05": {"row 9: due date 'TBC' is not a date": (9, ["TBC", "not a date"])},
    "06": {"row 10: target 'Ongoing' is not a date (kept as text)": (10, ["Ongoing", "not a date"])},
    "10": {
        "PCC 2.4.1 (Pursue 1, row 12) not found among the PCC deliverables": (12, ["2.4.1", "Pursue 1", "not among"])
    },
    "11": {"row 16 (Pursue 2) is hidden: say whether it was imported or skipped": (16, ["hidden"])},
    "12": {
        "row 13 (no number) read as part of Pursue 2": (13, ["part of Pursue 2"]),
        "row 15 (no number) read as part of Pursue 3": (15, ["part of Pursue 3"]),
    },
    "13": {"row 10: RAG 'Amber/Red' not understood (CY4)": (10, ["Amber/Red", "RAG"])},
    "15": {
        "row 19: target date 'Ongoing' is not a date (kept as text)": (19, ["Ongoing", "not a date"]),
        "row 23: target date 'TBC' is not a date (kept as text)": (23, ["TBC", "not a date"]),
    },
}

# Cases the importer does not read right yet, with why. strict: a case that starts passing fails the suite
# until its mark is removed here.
NOT_YET: dict[str, str] = {}


def _cases():
    for expected in sorted(CORPUS.glob("*.expected.json")):
        case = json.loads(expected.read_text(encoding="utf-8"))
        if "step" in case:
            continue  # the re-import sequence is checked by the re-import tests
        number = expected.name[:2]
        for workbook in [case["workbook"], *case.get("also_workbooks", [])]:
            marks = [pytest.mark.xfail(strict=True, reason=NOT_YET[workbook])] if workbook in NOT_YET else []
            yield pytest.param(expected.name, workbook, number, id=workbook.removesuffix(".xlsx"), marks=marks)


def _warning_lines(report) -> list[tuple[int | None, str]]:
    """Every warning the import gives, with its row, including the PCC links it could not resolve."""
    lines = [(warning.row, str(warning)) for warning in report.all_warnings]
    for plan in report.plans:
        lines += [(_row_of(link, plan), f"no PCC deliverable {link}") for link in plan.pcc_unresolved]
    return lines


def _row_of(link_label: str, plan) -> int | None:
    match = re.search(r"\(row (\d+)\)", link_label)
    return int(match.group(1)) if match else None


@pytest.mark.parametrize(("expected_name", "workbook", "number"), list(_cases()))
def test_corpus_case(app_context, app, tmp_path, capsys, expected_name, workbook, number):
    expected = json.loads((CORPUS / expected_name).read_text(encoding="utf-8"))
    report = import_workbook((CORPUS / workbook).read_bytes(), workbook)
    files = []
    for index, plan in enumerate(db.session.scalars(db.select(Plan).order_by(Plan.id)), 1):
        path = tmp_path / f"plan{index}.json"
        path.write_text(json.dumps(plan_as_dict(plan, audience="internal"), ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    capsys.readouterr()
    status = check_corpus.main(["check_corpus.py", str(CORPUS / expected_name), *files])
    shortfalls = capsys.readouterr().out
    warnings = _warning_lines(report)
    missing = []
    for phrase in expected["warnings_expected"]:
        row, words = WARNING_CHECKS[number][phrase]
        if not any(
            warning_row == row and all(word.casefold() in text.casefold() for word in words)
            for warning_row, text in warnings
        ):
            missing.append(phrase)
    problems = (shortfalls if status else "") + "".join(f"warning not given: {phrase}\n" for phrase in missing)
    assert not problems, problems + "\nwarnings given:\n" + "\n".join(text for _, text in warnings)


def test_every_expected_warning_has_a_check():
    for expected in CORPUS.glob("*.expected.json"):
        case = json.loads(expected.read_text(encoding="utf-8"))
        if "step" not in case:
            assert set(case["warnings_expected"]) == set(WARNING_CHECKS.get(expected.name[:2], {})), expected.name
