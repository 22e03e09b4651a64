"""One row whose number changes in every transaction that writes: what the per-process page caches check.

app/services/data_version.py bumps it as the last statement before COMMIT of any transaction that wrote, so
the number and the data it stands for become visible together. The table is created with its row (here for
`create_all`, in migration 0014 for a deployment).
"""

from sqlalchemy import BigInteger, Column, Integer, Table

from app.extensions import db

data_version = Table(
    "data_version",
    db.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
)
