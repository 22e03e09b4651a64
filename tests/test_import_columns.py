"""Never guess silently: how each column was read, the first actions as stored, and a column's meaning changed by
the admin (check page, `--column`, a mapping file), remembered for the plan's next import."""

import re

import pytest

from app.extensions import db
from app.models import Action, Plan
from app.services.importing.columns import IGNORE, RAG, TARGET_DATE, meaning_of, parse_mapping
from tests.conftest import csrf_token
from tests.pages import check_page, text_of
from tests.test_import_corpus import CORPUS
from tests.test_import_web import upload
from tests.workbooks import make_workbook

MISLEADING = str(CORPUS / "13-misleading-headings.xlsx")
TITLE = "Harbourne Police – Cyber Crime Delivery Plan 2020-21"


def stored_rag(ref: str):
    return db.session.scalar(db.select(Action.rag).where(Action.ref == ref))


@pytest.mark.parametrize(
    ("heading", "meaning"),
    [
        ("Date raised", IGNORE),
        ("Target date", TARGET_DATE),
        ("Due", TARGET_DATE),
        ("Previous RAG (Dec)", IGNORE),
        ("Progress RAG", RAG),
        ("Status", "status"),
        ("Latest update", "commentary"),
        ("Date of last update", "last_updated"),
        ("Q3 update", "commentary"),
        ("Theme", "strand"),
        ("Lead agency", "responsibility"),
        ("Links to Police and Crime Plan", "links"),
        ("Partners", None),
    ],
)
def test_headings_by_their_words(heading, meaning):
    assert meaning_of(heading) == meaning


def test_dry_run_shows_how_each_column_was_read_and_the_first_actions(app_context, app, runner):
    result = runner.invoke(args=["plans", "import", MISLEADING, "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Columns of sheet 'Cyber plan':" in out
    assert 'C "Date raised" → not used (not the target date)' in out
    assert 'F "Target date" → target date' in out
    assert 'G "Previous RAG (Dec)" → not used (an earlier RAG, not the current one)' in out
    assert 'H "Progress RAG" → rag' in out
    assert 'I "Latest update" → commentary' in out
    assert "Prepare CY1 (row 7): RAG green, target 30/11/2020, 1 updates" in out
    assert "Sheet 'Cyber plan' row 10: the RAG 'Amber/Red' is not R, A, G or Complete" in out
    assert db.session.scalar(db.select(db.func.count()).select_from(Plan)) == 0


def test_a_column_changed_on_the_command_line_is_used_and_remembered(app_context, app, runner):
    result = runner.invoke(args=["plans", "import", MISLEADING, "--column", "Previous RAG (Dec)=rag"])
    assert result.exit_code == 0, result.output
    assert 'G "Previous RAG (Dec)" → rag (as you said)' in result.output
    assert 'H "Progress RAG" → not used' in result.output
    assert stored_rag("CY1").value == "amber"  # G7 says A, H7 says G
    plan = db.session.scalars(db.select(Plan)).one()
    assert plan.column_mapping == {"previous rag (dec)": "rag"}

    again = runner.invoke(args=["plans", "import", MISLEADING, "--dry-run"])
    assert 'G "Previous RAG (Dec)" → rag (as you said)' in again.output, "the plan remembers the mapping"


def test_a_mapping_file_and_a_column_letter(app, runner, tmp_path):
    mapping = tmp_path / "columns.txt"
    mapping.write_text("# what the columns mean\nC=target date\nLatest update = ignore\n", encoding="utf-8")
    result = runner.invoke(args=["plans", "import", MISLEADING, "--dry-run", "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert 'C "Date raised" → target date (as you said)' in result.output
    assert 'I "Latest update" → not used (as you said)' in result.output
    assert "Prepare CY1 (row 7): RAG green, target 01/04/2020, 0 updates" in result.output


def test_a_mapping_that_names_no_meaning_is_refused_with_what_to_write(app, runner):
    result = runner.invoke(args=["plans", "import", MISLEADING, "--column", "Date raised=sometimes"])
    assert result.exit_code != 0
    assert "Write each column as 'Heading=meaning'" in result.output
    with pytest.raises(ValueError):
        parse_mapping(["no equals sign"])
    assert parse_mapping(["Date raised=ignore", "H=RAG"]) == {"date raised": IGNORE, "H": RAG}


def test_the_check_page_shows_each_column_and_lets_the_admin_change_one(client, login_as):
    login_as("admin")
    with open(MISLEADING, "rb") as stream:
        check_url = upload(client, stream.read(), "13-misleading-headings.xlsx").headers["Location"]
    page = check_page(client.get(check_url))
    text = text_of(page)
    assert "How each column was read" in text
    assert 'C "Date raised" not used (not the target date)' in text
    assert 'H "Progress RAG" rag' in text
    assert "Prepare CY1" in text and "30/11/2020" in text
    assert 'name="column-previous rag (dec)"' in page

    changed = check_page(client.get(check_url, query_string={"column-previous rag (dec)": "rag"}))
    assert 'G "Previous RAG (Dec)" rag (as you said)' in text_of(changed)
    hidden = re.search(r'<input type="hidden" name="column-previous rag \(dec\)" value="rag">', changed)
    assert hidden, "the confirm form carries the admin's choice"

    data = {"csrf_token": csrf_token(client, check_url), "column-previous rag (dec)": "rag"}
    assert client.post(f"{check_url}/confirm", data=data).status_code == 302
    assert stored_rag("CY1").value == "amber"
    assert db.session.scalars(db.select(Plan)).one().column_mapping == {"previous rag (dec)": "rag"}


def test_the_file_picker_takes_xlsm_and_a_csv_is_refused_with_what_to_do(client, login_as):
    login_as("admin")
    page = check_page(client.get("/imports/new"))
    assert ".xlsm" in page and "CSV files cannot be imported" in text_of(page)
    response = upload(client, b"Strand,No,What\nPrepare,1,Engage\n", "plan.csv")
    assert "CSV file" in text_of(response.get_data(as_text=True))
    assert "save it as an Excel Workbook" in text_of(response.get_data(as_text=True))


def test_an_xlsm_workbook_imports(app_context, app, runner, tmp_path):
    path = tmp_path / "plan.xlsm"
    path.write_bytes(make_workbook(header=["No", "What are we going to do?", "RAG"], rows=[[1, "Engage", "G"]]))
    result = runner.invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert stored_rag("1").value == "green"
