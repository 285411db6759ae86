"""Venue suitability: the venue's stated environment against what each object needs.

An object's needs come from its home location's target environment (the storage module's
effective target: set on the location or inherited from a parent); otherwise from sensible
defaults by material (light-sensitive works on
paper and textiles at 50 lux, metals dry, and so on). Light always comes from the material.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.loans.models import LoanVenue
from catalog.objects.models import CatalogueObject


@dataclass(frozen=True)
class Needs:
    """The environment an object needs: temperature °C, RH %, maximum lux."""

    temp_min: Decimal
    temp_max: Decimal
    rh_min: Decimal
    rh_max: Decimal
    lux_max: int
    #: where these figures come from, shown beside them
    source: str


def _d(value: float | int | str) -> Decimal:
    return Decimal(str(value))


_WORDS = re.compile(r"[a-z]+")

#: Bizot Green Protocol (2023): 16–25 °C, 40–60 % RH; 200 lux for moderately sensitive objects
DEFAULT = Needs(_d(16), _d(25), _d(40), _d(60), 200, "Bizot 2023 default")

#: (words in the materials or object name, needs), most demanding first
MATERIAL_NEEDS: list[tuple[tuple[str, ...], Needs]] = [
    (("watercolour", "watercolor", "paper", "drawing", "print", "photograph", "pastel",
      "manuscript", "textile", "silk", "wool", "feather", "ink"),
     Needs(_d(16), _d(22), _d(45), _d(55), 50, "light-sensitive material")),
    (("panel", "wood", "ivory", "lacquer", "parchment", "vellum"),
     Needs(_d(16), _d(24), _d(45), _d(55), 150, "hygroscopic material")),
    (("oil", "canvas", "tempera", "acrylic"),
     Needs(_d(16), _d(25), _d(40), _d(60), 200, "painting")),
    (("iron", "steel", "bronze", "brass", "copper", "silver", "pewter", "tin", "zinc", "metal",
      "lead"),
     Needs(_d(15), _d(25), _d(0), _d(40), 300, "metal (keep dry)")),
    (("stone", "marble", "ceramic", "porcelain", "glass"),
     Needs(_d(10), _d(28), _d(30), _d(65), 300, "stable inorganic material")),
]


def object_needs(session: Any, obj: CatalogueObject) -> Needs:
    """What ``obj`` needs, from its home location's target or its materials."""
    target = _location_target(session, obj)
    if target is not None:
        return target
    return object_material_needs(obj)


def _location_target(session: Any, obj: CatalogueObject) -> Needs | None:
    """The target environment of the object's home, inherited down the location tree
    (:func:`catalog.locations.targets.effective_target`: centi-degrees, tenths of a percent).

    A side without a limit (ASHRAE B has no lower temperature) is left open.
    """
    from catalog.locations.targets import effective_target

    location = obj.home_location or obj.current_location
    target = effective_target(location) if location is not None else None
    if target is None:
        return None

    def scaled(value: int | None, scale: int, default: int) -> Decimal:
        return Decimal(default) if value is None else Decimal(value) / scale

    return Needs(scaled(target.temp_min, 100, -50), scaled(target.temp_max, 100, 60),
                 scaled(target.rh_min, 10, 0), scaled(target.rh_max, 10, 100),
                 object_material_needs(obj).lux_max,
                 f"{target.label} of {target.source_code}")


def object_material_needs(obj: CatalogueObject) -> Needs:
    """Defaults by material: the first matching group, most demanding first."""
    text = " ".join(filter(None, [obj.materials, obj.object_name, obj.techniques])).lower()
    found = set(_WORDS.findall(text))
    found |= {w[:-1] for w in found if w.endswith("s")}  # plurals: "prints", "textiles"
    for words, needs in MATERIAL_NEEDS:
        if found.intersection(words):
            return needs
    return DEFAULT


def venue_mismatches(venue: LoanVenue, needs: Needs) -> list[str]:
    """How the venue's stated environment falls outside ``needs`` (empty when suitable)."""
    problems = []
    if venue.temp_min is None or venue.temp_max is None:
        problems.append("The venue has not stated its temperature range.")
    elif venue.temp_min < needs.temp_min or venue.temp_max > needs.temp_max:
        problems.append(f"Temperature {venue.temp_min}–{venue.temp_max} °C is outside "
                        f"{needs.temp_min}–{needs.temp_max} °C.")
    if venue.rh_min is None or venue.rh_max is None:
        problems.append("The venue has not stated its RH range.")
    elif venue.rh_min < needs.rh_min or venue.rh_max > needs.rh_max:
        problems.append(f"RH {venue.rh_min}–{venue.rh_max} % is outside "
                        f"{needs.rh_min}–{needs.rh_max} %.")
    if venue.lux_max is None:
        problems.append("The venue has not stated its light level.")
    elif venue.lux_max > needs.lux_max:
        problems.append(f"Light up to {venue.lux_max} lux exceeds {needs.lux_max} lux.")
    return problems


def loan_suitability(session: Any, loan: Any) -> list[dict[str, Any]]:
    """Per venue and object: the object's needs and the venue's mismatches."""
    rows = []
    for venue in loan.venues:
        for lo in loan.loan_objects:
            needs = object_needs(session, lo.object)
            rows.append({"venue": venue, "object": lo.object, "needs": needs,
                         "problems": venue_mismatches(venue, needs)})
    return rows
