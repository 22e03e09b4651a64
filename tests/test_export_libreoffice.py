"""The export survives a real spreadsheet program: saved again by LibreOffice Calc, it imports as the same plans.

LibreOffice (like other editors) joins touching rich-text runs of the same format when it saves, drops what it
does not understand and rewrites every part of the file. The openpyxl-only round trip cannot show any of that.
"""

import shutil
import subprocess
from datetime import date
from pathlib import Path

from app.extensions import db
from app.models import Framework, Rag, Strand, Update
from app.services.importing.saving import import_workbook
from tests.conftest import SEED_WORKBOOK
from tests.factories import make_action, make_plan
from tests.test_export_roundtrip import by_action, export_all, import_into_a_fresh_database, plans_as_dicts

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def resaved_by_libreoffice(exports: list[bytes], folder: Path) -> list[bytes]:
    """Each workbook opened and saved again as .xlsx by LibreOffice Calc, headless, with a profile of its own."""
    assert SOFFICE, "LibreOffice is needed for this test: apt-get install libreoffice-calc (.ci/run does)"
    source, target = folder / "exported", folder / "resaved"
    source.mkdir()
    paths = []
    for index, data in enumerate(exports):
        path = source / f"export-{index}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(target),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    resaved = [(target / path.name).read_bytes() for path in paths]
    assert all(again != data for again, data in zip(resaved, exports, strict=True))  # really written anew
    return resaved


def test_the_seed_plans_survive_a_resave_by_libreoffice(app_context, app, tmp_path):
    import_workbook(Path(SEED_WORKBOOK).read_bytes(), "wmp-modern-slavery-delivery-plan-2015-16.xlsx")
    before = plans_as_dicts()
    assert sum(len(action["updates"]) for plan in before for action in plan["actions"]) == 34

    import_into_a_fresh_database(resaved_by_libreoffice(export_all(), tmp_path))
    after = plans_as_dicts()

    for original, again in zip(before, after, strict=True):
        assert by_action(again) == by_action(original)
    local = by_action(after[0])
    assert len(local[("Prepare", "1")]["updates"]) == 3  # the base text and its two italic later updates
    assert after == before


def test_a_plan_written_in_the_tracker_survives_a_resave_by_libreoffice(app_context, app, tmp_path):
    plan = make_plan(actions=0, title="Serious Violence Delivery Plan 2025-26", period_label="2025-26")
    action = make_action(
        plan,
        strand=Strand.PROTECT,
        ref="3",
        what="=SUM(A1) looks like a formula",
        rag=Rag.AMBER,
        target_date=date(2026, 3, 31),
        links=[(Framework.NS, None), (Framework.PCC, "1.2.2")],
    )
    action.links[0].text = "National Strategy (NS)"
    action.links[1].text = "PCC 1.2.2"
    action.updates.extend(
        [
            Update(as_at=None, text="• Base text as the plan had it", author_name=""),
            Update(as_at=None, text="• A second undated note, italic beside the next", author_name=""),
            Update(as_at=date(2025, 7, 1), text="Two lines:\n• training booked", author_name="DCI Chisholm"),
            Update(as_at=date(2025, 8, 1), text="Italic too, touching the one before", author_name="DCI Chisholm"),
            Update(as_at=date(2025, 10, 1), text="#N/A is what the old sheet showed", author_name="DCI Chisholm"),
            Update(as_at=date(2025, 11, 20), text="+1 more referral", author_name="DCI Chisholm"),
        ]
    )
    make_action(plan, strand=Strand.PURSUE, ref="1", what="Target the OCG", rag=None, position=1)
    disrupt = make_action(plan, strand=Strand.PURSUE, ref="2", what="Disrupt the network", rag=Rag.BLUE, position=2)
    disrupt.updates.extend(
        [
            Update(as_at=date(2025, 6, 1), text="Warrants executed at two addresses", author_name="DS Smith"),
            Update(as_at=date(2025, 6, 2), text="Charging decision received from CPS", author_name="DS Smith"),
        ]
    )
    db.session.commit()
    before = plans_as_dicts()

    import_into_a_fresh_database(resaved_by_libreoffice(export_all(), tmp_path))

    (again,) = plans_as_dicts()
    assert by_action(again) == by_action(before[0])
    assert len(by_action(again)[("Protect", "3")]["updates"]) == 6
    assert by_action(again)[("Pursue", "1")]["rag"] is None  # "Not set" reads back as no RAG
