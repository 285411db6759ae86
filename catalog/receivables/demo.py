"""Demo collections: an agency, a collector's accounts, a promise and today's proposed run."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.demo import demo_loader


@demo_loader(75, "receivables")
def load_receivables(session: Session) -> list[str]:
    from catalog.finance import services as finance
    from catalog.parties.models import Party, PartyRole
    from catalog.receivables import dunning, stops
    from catalog.receivables.models import CollectionSettings, DunningRun
    from catalog.users.models import User

    if session.scalar(sa.select(DunningRun.id)) is not None:
        return ["receivables: demo already there"]
    today = finance.today()
    agency = session.scalar(sa.select(Party).where(Party.name == "Northgate Collections Ltd"))
    if agency is None:
        agency = Party(
            name="Northgate Collections Ltd",
            sort_name="Northgate Collections",
            kind="organisation",
            roles=[PartyRole(role="agency")],
        )
        session.add(agency)
    collector = session.scalar(sa.select(User).where(User.email == "finance@demo.museum"))
    notes = []
    for name in ("Whitworth Art Gallery", "Rijksmuseum", "Dr Amelia Hart"):
        party = session.scalar(sa.select(Party).where(Party.name == name))
        if party is None:
            continue
        if (
            session.scalar(
                sa.select(CollectionSettings).where(CollectionSettings.party_id == party.id)
            )
            is None
        ):
            session.add(
                CollectionSettings(
                    party_id=party.id, collector_id=collector.id if collector else None
                )
            )
        if name == "Whitworth Art Gallery":
            stops.log_activity(
                session,
                party_id=party.id,
                kind="call",
                actor=collector,
                is_contact=True,
                text="Spoke to accounts payable: the rest is in the next BACS run.",
            )
            stops.record_promise(
                session,
                party=party,
                amount_minor=92_800,
                currency="GBP",
                promised_on=today + timedelta(days=7),
                grace_days=3,
                actor=collector,
                on=today,
            )
            notes.append("a promise to pay")
    session.flush()
    run = dunning.start_run(session, as_of=today, actor=None)
    return [
        f"receivables: agency, collector assignments, {', '.join(notes) or 'notes'}; "
        f"today's dunning run proposes {sum(1 for ln in run.lines if ln.status == 'proposed')}"
        " reminder(s) for review"
    ]
