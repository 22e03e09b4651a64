"""Peak memory of an import and of an export, each in a fresh Python process.

`python -m bench.memory measure TASK …` starts `python -m bench.memory work TASK …` and prints the peak RSS
(in MB) that the kernel recorded for that one child, so each figure is the task's alone.
"""

import resource
import subprocess
import sys
import tempfile
from pathlib import Path


def peak_rss_mb(task: str, *args: str) -> float:
    """Run the task in a grandchild, measured by a child whose only child it is, so figures never mix."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.memory", "measure", task, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return float(output.stdout.strip().splitlines()[-1])


def _measure(task: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "bench.memory", "work", task, *args], check=True)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)  # Linux reports KiB


def _work(task: str, *args: str) -> None:
    from app.extensions import db
    from bench.database import make_app

    if task == "import":
        workbook = Path(args[0]).read_bytes()
        with tempfile.TemporaryDirectory() as folder:
            app = make_app(Path(folder) / "import.db")
            with app.app_context():
                db.create_all()
                from app.services.importing.saving import import_workbook

                import_workbook(workbook, "Bench-Delivery-Plan-2015-16.xlsx")
                db.engine.dispose()
    elif task == "export":
        from app.models import Plan
        from app.services.exporting.excel import export_workbook

        app = make_app(Path(args[0]))
        with app.app_context():
            export_workbook(db.session.get(Plan, int(args[1])), audience="internal")
    else:
        raise SystemExit(f"unknown task {task}")


if __name__ == "__main__":
    command, task, *rest = sys.argv[1:]
    (_measure if command == "measure" else _work)(task, *rest)
