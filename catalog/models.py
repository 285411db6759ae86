"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from catalog.core.audit import AuditLog  # noqa: F401
from catalog.core.outbox import OutboxAttachment, OutboxMessage  # noqa: F401
from catalog.users.models import ApiToken, LoginFailure, Permission, Role, User  # noqa: F401
from catalog.locations.models import Location, Movement  # noqa: F401
from catalog.objects.models import CatalogueObject, ObjectMaker, OtherNumber  # noqa: F401
from catalog.parties.models import Party, PartyRole  # noqa: F401
from catalog.inventory.models import (  # noqa: F401
    Inventory,
    InventoryFinding,
    InventoryResult,
    InventorySchedule,
)
from catalog.scanning.models import ConditionNote, LegacyBarcode, Scan  # noqa: F401
