"""sent answers (the question and context of each answer, for follow-ups and More) and a
version on forms (compare-and-set of a form's steps)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sentanswer",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id"),
    )
    with op.batch_alter_table("sentanswer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sentanswer_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("conversationstate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("conversationstate", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("sentanswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sentanswer_expires_at"))
    op.drop_table("sentanswer")
