"""Recovery codes kept as keyed digests (HMAC-SHA256) instead of argon2 hashes: the old ones are withdrawn.

A wrong second-factor code was checked against every argon2-hashed recovery code (ten slow hashes a
request, several seconds on production parameters), which let anybody who could reach the code step tie up
the workers. New codes are stored as HMAC-SHA256 digests under a key derived from SECRET_KEY. An argon2
hash cannot be turned into such a digest, and keeping the old ones checkable would keep the slow path, so
this migration withdraws them: the schema does not change, the argon2 lines are removed, and the person
keeps signing in with their authenticator app. Their account page then shows no recovery codes left and
says how to get new ones (an administrator resets two-factor sign-in; they set up their app again).
The codes cannot be brought back by a downgrade.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    user = sa.table("user", sa.column("recovery_codes", sa.String(2000)))
    op.execute(user.update().where(user.c.recovery_codes.like("$argon2%")).values(recovery_codes=None))


def downgrade():
    pass  # withdrawn codes stay withdrawn: nothing to undo in the schema
