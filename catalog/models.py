"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from catalog.core.audit import AuditLog  # noqa: F401
from catalog.core.outbox import OutboxAttachment, OutboxMessage  # noqa: F401
from catalog.users.models import ApiToken, LoginFailure, Permission, Role, User  # noqa: F401
from catalog.locations.models import Location, Movement  # noqa: F401
from catalog.objects.models import CatalogueObject, ObjectMaker, OtherNumber  # noqa: F401
from catalog.parties.models import Party, PartyRole  # noqa: F401
from catalog.valuations.models import InsurancePolicy, Valuation  # noqa: F401
from catalog.loans.models import Loan, LoanCounter, LoanEvent, LoanObject, LoanVenue  # noqa: F401
from catalog.conditions.models import ConditionArea, ConditionPhoto  # noqa: F401
from catalog.conditions.models import ConditionReport, ConservationTreatment  # noqa: F401
