"""Default dunning policies: one for institutions (B2B, statutory interest available) and one
for individuals (gentler, no fees, consumer safeguards apply).

Revision ID: 0801
Revises: 0800
Create Date: 2026-11-23 13:18:00
"""

from alembic import op
import sqlalchemy as sa
from datetime import UTC

revision = '0801'
down_revision = '0800'
branch_labels = None
depends_on = None

policies = sa.table("dunning_policies", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("applies_to", sa.String), sa.column("is_active", sa.Boolean),
                    sa.column("reference_rate_bp", sa.Integer),
                    sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime))
levels = sa.table("dunning_levels", sa.column("id", sa.Integer), sa.column("policy_id", sa.Integer),
                  sa.column("position", sa.Integer), sa.column("name", sa.String),
                  sa.column("days_after_due", sa.Integer), sa.column("channel", sa.String),
                  sa.column("task_role", sa.String), sa.column("fee_minor", sa.BigInteger),
                  sa.column("interest_mode", sa.String), sa.column("interest_rate_bp", sa.Integer),
                  sa.column("min_amount_minor", sa.BigInteger))
templates = sa.table("dunning_templates", sa.column("id", sa.Integer),
                     sa.column("level_id", sa.Integer), sa.column("language", sa.String),
                     sa.column("subject", sa.String), sa.column("body", sa.Text))

FRIENDLY = ("Dear {party_name},\n\nThis is a friendly reminder that the following invoices from "
            "{museum_name} fall due soon or are now due:\n\n{items}\n\nTotal: {total_overdue}\n\n"
            "If you have already paid, thank you, and please ignore this message.")
FIRST = ("Dear {party_name},\n\nOur records show that the following amounts are overdue:\n\n"
         "{items}\n\nTotal overdue: {total_overdue}\n\nPlease arrange payment now, or tell us if "
         "there is a problem with any of these invoices.\n\n{museum_name}")
FINAL = ("Dear {party_name},\n\nDespite our earlier reminders the following amounts remain "
         "unpaid:\n\n{items}\n\nTotal overdue: {total_overdue}\nReminder fee: {fee}\n"
         "Interest: {interest}\n\nUnless we receive payment within 14 days we may pass the account "
         "to a collection agency.\n\n{museum_name}")
FIRST_FR = ("Madame, Monsieur,\n\nSauf erreur de notre part, les montants suivants restent "
            "impayés :\n\n{items}\n\nTotal : {total_overdue}\n\n{museum_name}")


def upgrade():
    from datetime import datetime

    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(policies, [
        {"id": 1, "name": "Institutions (B2B)", "applies_to": "institution", "is_active": True,
         "reference_rate_bp": 400, "created_at": now, "updated_at": now},
        {"id": 2, "name": "Individuals (donors and members)", "applies_to": "individual",
         "is_active": True, "reference_rate_bp": 0, "created_at": now, "updated_at": now},
    ])
    op.bulk_insert(levels, [
        {"id": 1, "policy_id": 1, "position": 1, "name": "Friendly reminder", "days_after_due": -5,
         "channel": "email", "task_role": None, "fee_minor": 0, "interest_mode": "none",
         "interest_rate_bp": 0, "min_amount_minor": 0},
        {"id": 2, "policy_id": 1, "position": 2, "name": "First reminder", "days_after_due": 7,
         "channel": "email", "task_role": None, "fee_minor": 0, "interest_mode": "none",
         "interest_rate_bp": 0, "min_amount_minor": 500},
        {"id": 3, "policy_id": 1, "position": 3, "name": "Phone call", "days_after_due": 30,
         "channel": "phone", "task_role": "finance_officer", "fee_minor": 0,
         "interest_mode": "none", "interest_rate_bp": 0, "min_amount_minor": 500},
        {"id": 4, "policy_id": 1, "position": 4, "name": "Final notice", "days_after_due": 45,
         "channel": "letter", "task_role": None, "fee_minor": 4000,
         "interest_mode": "statutory_b2b", "interest_rate_bp": 0, "min_amount_minor": 500},
        {"id": 5, "policy_id": 2, "position": 1, "name": "Gentle reminder", "days_after_due": 7,
         "channel": "email", "task_role": None, "fee_minor": 0, "interest_mode": "none",
         "interest_rate_bp": 0, "min_amount_minor": 0},
        {"id": 6, "policy_id": 2, "position": 2, "name": "Second reminder", "days_after_due": 30,
         "channel": "letter", "task_role": None, "fee_minor": 0, "interest_mode": "none",
         "interest_rate_bp": 0, "min_amount_minor": 0},
    ])
    op.bulk_insert(templates, [
        {"id": 1, "level_id": 1, "language": "en", "subject": "Invoices due soon: {museum_name}",
         "body": FRIENDLY},
        {"id": 2, "level_id": 2, "language": "en", "subject": "Overdue: {total_overdue}",
         "body": FIRST},
        {"id": 3, "level_id": 2, "language": "fr", "subject": "Rappel : {total_overdue}",
         "body": FIRST_FR},
        {"id": 4, "level_id": 4, "language": "en", "subject": "Final notice: {total_overdue}",
         "body": FINAL},
        {"id": 5, "level_id": 5, "language": "en", "subject": "A reminder from {museum_name}",
         "body": FRIENDLY},
        {"id": 6, "level_id": 6, "language": "en", "subject": "Second reminder: {total_overdue}",
         "body": FIRST},
    ])
    if op.get_bind().dialect.name == "postgresql":
        for table in ("dunning_policies", "dunning_levels", "dunning_templates"):
            op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                       f"(SELECT max(id) FROM {table}))")  # (fixed table names)


def downgrade():
    op.execute("DELETE FROM dunning_templates WHERE id <= 6")
    op.execute("DELETE FROM dunning_levels WHERE id <= 6")
    op.execute("DELETE FROM dunning_policies WHERE id <= 2")
