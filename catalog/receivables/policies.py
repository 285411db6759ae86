"""Editing dunning policies: levels and their templates are data, changed in the UI."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from catalog.core.errors import ValidationError
from catalog.finance.services import _actor_check
from catalog.receivables.dunning import MERGE_FIELDS
from catalog.receivables.models import (
    CHANNELS,
    INTEREST_MODES,
    DunningLevel,
    DunningPolicy,
    DunningTemplate,
)


def _check_template(text: str, field: str) -> None:
    import string

    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        raise ValidationError(
            "Braces must enclose a merge field, e.g. {party_name}.", field=field
        ) from None
    unknown = names - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(
            f"Unknown merge field(s): {', '.join(sorted(unknown))}. "
            f"Known: {', '.join(MERGE_FIELDS)}.",
            field=field,
        )


def save_level(
    session: Session,
    policy: DunningPolicy,
    *,
    level: DunningLevel | None,
    name: str,
    days_after_due: int,
    channel: str,
    task_role: str | None,
    fee_minor: int,
    interest_mode: str,
    interest_rate_bp: int,
    min_amount_minor: int,
    language: str,
    subject: str,
    body: str,
    actor: Any,
) -> DunningLevel:
    """Add a level to a policy (or change one) with its template in ``language``."""
    _actor_check(actor, "finance.collect")
    if channel not in CHANNELS:
        raise ValidationError("Choose a channel.", field="channel")
    if interest_mode not in INTEREST_MODES:
        raise ValidationError("Choose how interest is charged.", field="interest_mode")
    if min(fee_minor, interest_rate_bp, min_amount_minor) < 0:
        raise ValidationError("Fees, rates and minimums cannot be negative.", field="fee")
    _check_template(subject, "subject")
    _check_template(body, "body")
    others = [lvl for lvl in policy.levels if lvl is not level]
    if any(lvl.days_after_due == days_after_due for lvl in others):
        raise ValidationError(
            "Another level of this policy already starts on that day.", field="days_after_due"
        )
    if level is None:
        level = DunningLevel(policy_id=policy.id, position=0)
        policy.levels.append(level)
    level.name, level.days_after_due, level.channel = name.strip(), days_after_due, channel
    level.task_role = (task_role or "").strip() or None
    level.fee_minor, level.interest_mode = fee_minor, interest_mode
    level.interest_rate_bp, level.min_amount_minor = interest_rate_bp, min_amount_minor
    # Positions follow the days, so escalation order is always the order of the schedule.
    ordered = sorted(policy.levels, key=lambda lvl: lvl.days_after_due)
    for offset, lvl in enumerate(ordered, start=1):
        lvl.position = 1000 + offset  # move out of the way of the unique (policy, position)
    session.flush()
    for offset, lvl in enumerate(ordered, start=1):
        lvl.position = offset
    template = next((t for t in level.templates if t.language == language), None)
    if template is None:
        template = DunningTemplate(language=language.strip().lower())
        level.templates.append(template)
    template.subject, template.body = subject.strip(), body
    session.flush()
    return level
