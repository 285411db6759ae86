"""Property: whatever the schedule of runs, approvals and payments, no invoice is reminded twice
at the same level and no message is queued twice."""

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.core.outbox import OutboxMessage
from catalog.receivables.dunning import approve_run, start_run
from catalog.receivables.models import DunningItem, DunningLine
from tests.receivables.conftest import APPROVE, TODAY

steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20),  # days after the previous step
        st.booleans(),  # approve the run?
        st.integers(min_value=0, max_value=6_000),
    ),  # payment received that day
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(schedule=steps)
def test_no_schedule_sends_twice(db_session, make_party, overdue, pay, collector, schedule):
    nested = db_session.begin_nested()
    try:
        party = make_party("Property Gallery")
        overdue(party, 10_000, days=3)
        overdue(party, 5_000, days=-2)
        day = TODAY
        for gap, approve, payment in schedule:
            day += timedelta(days=gap)
            if payment:
                pay(party, payment, on=day)
            run = start_run(db_session, as_of=day, actor=collector)
            if approve and run.status in ("proposed", "approved"):
                approve_run(db_session, run, actor=collector, **APPROVE)
        sent = db_session.execute(
            sa.select(DunningItem.invoice_id, DunningItem.level_id)
            .join(DunningLine, DunningLine.id == DunningItem.line_id)
            .where(DunningLine.status == "sent", DunningItem.level_id.is_not(None))
        ).all()
        assert max(Counter(sent).values(), default=0) <= 1
        keys = db_session.scalars(sa.select(OutboxMessage.dedupe_key)).all()
        assert len(keys) == len(set(keys))
    finally:
        nested.rollback()
        db_session.expunge_all()
