"""The C extensions a web worker loads, from outside the standard library: the list docs/operations.md examined
for the worker crashes ("The third hunt"). Native code is the only code in a worker that can free an object too
early (the tracker has none of its own), so a new one in the worker must be looked at in the same way before it
is added here. greenlet is installed with the development tools (Playwright needs it) and SQLAlchemy loads it only
for asyncio, which the tracker does not use: a worker that loads it fails here.

The worker is a fresh interpreter that imports wsgi.py, as gunicorn's worker does, and answers a page."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Module name prefixes of the extensions a worker may load (psycopg's binary module once PostgreSQL is used).
EXAMINED = (
    "_argon2_cffi_bindings.",
    "_cffi_backend",
    "markupsafe._speedups",
    "psycopg_binary.",
    "sqlalchemy.",
    "wrapt._wrappers",
)

PROBE = textwrap.dedent(
    """
    import json, sys, sysconfig
    import wsgi
    answer = wsgi.app.test_client().get("/sign-in")
    installed = (sysconfig.get_paths()["platlib"], sysconfig.get_paths()["purelib"])
    extensions = sorted(
        name for name, module in list(sys.modules.items())
        if (getattr(module, "__file__", None) or "").endswith(".so")
        and module.__file__.startswith(installed)
    )
    print(json.dumps({"status": answer.status_code, "extensions": extensions, "greenlet": "greenlet" in sys.modules}))
    """
)


def test_a_worker_loads_only_the_examined_c_extensions(tmp_path):
    env = {**os.environ, "SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    env.pop("FLASK_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    worker = json.loads(done.stdout.strip().splitlines()[-1])
    assert worker["status"] == 200
    assert not worker["greenlet"]
    unexamined = [name for name in worker["extensions"] if not name.startswith(EXAMINED)]
    assert unexamined == []
    assert "markupsafe._speedups" in worker["extensions"]  # the probe does see extensions
