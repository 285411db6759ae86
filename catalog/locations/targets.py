"""Environmental targets: presets, custom limits and inheritance down the location tree.

Units are the stored ones: centi-degrees Celsius (1600 = 16 °C) and tenths of a percent RH
(400 = 40 %). A limit of None means "no limit on that side".
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.locations.models import Location


@dataclass(frozen=True)
class Target:
    """The limits a location's environment should stay within."""

    label: str
    temp_min: int | None
    temp_max: int | None
    rh_min: int | None
    rh_max: int | None
    #: largest allowed RH change within 24 hours (tenths of a percent)
    rh_swing: int | None
    #: the location whose setting this is (inherited targets name their source)
    source_code: str | None = None

    def temp_ok(self, value: int | None) -> bool:
        return value is None or ((self.temp_min is None or value >= self.temp_min)
                                 and (self.temp_max is None or value <= self.temp_max))

    def rh_ok(self, value: int | None) -> bool:
        return value is None or ((self.rh_min is None or value >= self.rh_min)
                                 and (self.rh_max is None or value <= self.rh_max))

    def describe(self) -> str:
        def band(lo: int | None, hi: int | None, scale: int, unit: str) -> str:
            if lo is None and hi is None:
                return f"any {unit}"
            if lo is None:
                return f"≤ {hi / scale:g} {unit}"
            if hi is None:
                return f"≥ {lo / scale:g} {unit}"
            return f"{lo / scale:g}–{hi / scale:g} {unit}"

        parts = [band(self.temp_min, self.temp_max, 100, "°C"),
                 band(self.rh_min, self.rh_max, 10, "% RH")]
        if self.rh_swing is not None:
            parts.append(f"≤ {self.rh_swing / 10:g} % RH change in 24 h")
        return ", ".join(parts)


#: Presets. Bizot 2023 is the Bizot Group's interim guidance (16–25 °C, 40–60 % RH, at most ±10 %
#: RH change in 24 hours). The ASHRAE classes (ASHRAE Handbook, Museums, galleries, archives and
#: libraries) are defined as fluctuations around an annual average; Catalog turns them into
#: absolute bands assuming the common 20 °C / 50 % RH annual average:
#:   AA: short-term ±5 % RH and ±2 K, no seasonal RH change, seasonal T ±5 K → 45–55 %, 13–27 °C
#:   A1: short-term ±5 % RH and ±2 K, seasonal RH ±10 %, seasonal T +5/−10 K → 35–65 %, 8–27 °C
#:   A2: short-term ±10 % RH and ±2 K, no seasonal RH change, T +5/−10 K → 40–60 %, 8–27 °C
#:   B:  short-term ±10 % RH and ±5 K, seasonal RH ±10 %, T up to +10 K, never above 30 °C
#:       → 30–70 %, ≤ 30 °C
#:   C:  prevent high-risk extremes: 25–75 % RH year round, rarely above 30 °C
#: The 24-hour swing limit is the width of the short-term fluctuation (±5 % → 10 %).
PRESETS: dict[str, Target] = {
    "bizot2023": Target("Bizot 2023", 1600, 2500, 400, 600, 100),
    "ashrae_aa": Target("ASHRAE class AA", 1300, 2700, 450, 550, 100),
    "ashrae_a1": Target("ASHRAE class A1", 800, 2700, 350, 650, 100),
    "ashrae_a2": Target("ASHRAE class A2", 800, 2700, 400, 600, 200),
    "ashrae_b": Target("ASHRAE class B", None, 3000, 300, 700, 200),
    "ashrae_c": Target("ASHRAE class C", None, 3000, 250, 750, None),
}

#: choices for forms: "" inherits from the parent
PRESET_CHOICES = [("", "Inherit from the parent location")] + [
    (code, t.label) for code, t in PRESETS.items()] + [("custom", "Custom limits")]


def own_target(location: Location) -> Target | None:
    """The target set on this location itself, or None when it inherits."""
    preset = location.target_preset
    if not preset:
        return None
    if preset == "custom":
        return Target("Custom limits", location.target_temp_min, location.target_temp_max,
                      location.target_rh_min, location.target_rh_max, location.target_rh_swing,
                      location.code)
    base = PRESETS.get(preset)
    if base is None:
        return None
    return Target(base.label, base.temp_min, base.temp_max, base.rh_min, base.rh_max,
                  base.rh_swing, location.code)


def effective_target(location: Location | None) -> Target | None:
    """The target that applies to ``location``: its own, or the nearest ancestor's."""
    seen: set[int] = set()
    while location is not None and location.id not in seen:
        seen.add(location.id)
        target = own_target(location)
        if target is not None:
            return target
        location = location.parent
    return None
