"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from app import create_app

app = create_app()
# What is loaded by now (the app, its libraries and their modules, some 115,000 objects) lives as long as the
# process. Frozen, it is left out of the garbage collector's full sweeps, which otherwise walk all of it every
# few large requests: measured at a whole force's size, such a sweep added 75-100 ms to a page (see bench/results.md).
gc.freeze()
