"""Locations: tree, codes, targets and their inheritance, NGA import."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.core.errors import PermissionDenied, ValidationError
from catalog.locations import services
from catalog.locations.importer import import_nga_locations
from catalog.locations.models import Location
from catalog.locations.targets import PRESETS, effective_target
from tests.locations.factories import make_location, shared_data, small_tree

NGA = shared_data() / "museum" / "nga_locations"


def test_codes_are_unique_case_insensitively(db_session, make_user):
    manager = make_user("collections_manager")
    services.create_location(db_session, actor=manager, code="STORE-1", name="Store 1")
    with pytest.raises(ValidationError, match="already used"):
        services.create_location(db_session, actor=manager, code="store-1", name="Again")
    with pytest.raises(ValidationError, match="no spaces"):
        services.create_location(db_session, actor=manager, code="A B", name="Spaced")


def test_technician_cannot_create_or_set_targets(db_session, make_user):
    tech = make_user("technician")
    with pytest.raises(PermissionDenied):
        services.create_location(db_session, actor=tech, code="X", name="X")
    loc = make_location(db_session, "ROOM")
    with pytest.raises(PermissionDenied):
        services.set_target(db_session, loc, actor=tech, preset="bizot2023")


def test_target_is_inherited_until_overridden(db_session, make_user):
    tree = small_tree(db_session)
    manager = make_user("collections_manager")
    assert effective_target(tree["site"]) is None
    inherited = effective_target(tree["box"])
    assert inherited is not None
    assert inherited.source_code == "STORE"
    assert (inherited.temp_min, inherited.temp_max, inherited.rh_min, inherited.rh_max,
            inherited.rh_swing) == (1600, 2500, 400, 600, 100)
    services.set_target(db_session, tree["shelf_a"], actor=manager, preset="custom",
                        temp_min=18, temp_max=20, rh_min=45, rh_max=55, rh_swing=5)
    box_target = effective_target(tree["box"])
    assert box_target.source_code == "SHELF-A"
    assert (box_target.temp_min, box_target.rh_max, box_target.rh_swing) == (1800, 550, 50)
    assert effective_target(tree["shelf_b"]).source_code == "STORE"
    services.set_target(db_session, tree["shelf_a"], actor=manager, preset=None)
    assert effective_target(tree["box"]).source_code == "STORE"


def test_ashrae_presets_and_custom_validation(db_session, make_user):
    assert {"ashrae_aa", "ashrae_a1", "ashrae_a2", "ashrae_b", "ashrae_c"} <= set(PRESETS)
    assert PRESETS["ashrae_c"].rh_min == 250
    assert PRESETS["ashrae_c"].rh_max == 750
    loc = make_location(db_session, "GALLERY")
    manager = make_user("collections_manager")
    with pytest.raises(ValidationError, match="above the highest"):
        services.set_target(db_session, loc, actor=manager, preset="custom", temp_min=25,
                            temp_max=18)
    with pytest.raises(ValidationError, match="at least one"):
        services.set_target(db_session, loc, actor=manager, preset="custom")


def test_descendants_and_path(db_session):
    tree = small_tree(db_session)
    ids = set(services.descendant_ids(db_session, tree["unit"].id))
    assert ids == {tree[k].id for k in ("unit", "shelf_a", "shelf_b", "box")}
    assert services.full_path(tree["box"]) == "Place SITE › Place BLDG › STORE › UNIT-1 › " \
                                              "SHELF-A › BOX-1"


def test_import_nga_location_tree(db_session):
    result = import_nga_locations(db_session, NGA / "locations.csv")
    assert result.rows == 1160
    site = db_session.scalar(sa.select(Location).where(Location.code == "NGA"))
    assert site.kind == "site"
    assert site.parent_id is None
    buildings = {c.name: c for c in site.children}
    assert set(buildings) == {"West Building", "East Building", "Sculpture Garden (WSG)"}
    assert buildings["West Building"].code == "NGA-WB"
    # Floors come from the preferred-location files next to locations.csv
    floors = {c.code for c in buildings["West Building"].children if c.kind == "floor"}
    assert {"NGA-1-WB-MAIN", "NGA-2-WB-GROUND"} <= floors
    gallery = db_session.scalar(sa.select(Location).where(Location.code == "NGA-G-002"))
    assert gallery.name == "West Ground Floor Gallery 2"
    assert [a.code for a in services.ancestors(gallery)] == ["NGA", "NGA-WB", "NGA-2-WB-GROUND",
                                                            "NGA-G-002"]
    walls = sorted(c.code for c in gallery.children)
    assert walls == ["NGA-G-002/E", "NGA-G-002/N", "NGA-G-002/S", "NGA-G-002/W"]
    assert all(c.kind == "unit" for c in gallery.children)
    # every row became a place: 237 rooms, 932 unit positions, 3 buildings, 8 floors, 1 site
    total = db_session.scalar(sa.select(sa.func.count()).select_from(Location)
                              .where(Location.code.like("NGA%")))
    assert total == result.created
    units = db_session.scalar(sa.select(sa.func.count()).select_from(Location)
                              .where(Location.code.like("NGA-%/%")))
    assert units == 1160 - 228
    # importing again adds nothing
    again = import_nga_locations(db_session, NGA / "locations.csv")
    assert again.created == 0
    assert again.updated == 0


def test_import_refuses_a_file_that_is_not_a_location_export(db_session, tmp_path):
    bad = tmp_path / "objects.csv"
    bad.write_text("number,title\n1,Vase\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no column"):
        import_nga_locations(db_session, bad)
    broken = tmp_path / "locations.csv"
    broken.write_text("locationid,site,room,publicaccess,description,unitposition\n"
                      "1,West Building,G-1,1,Gallery,\n2,,G-2,1,Gallery 2,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="line 3"):
        import_nga_locations(db_session, broken)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Location)) == 0


def test_cli_import(app, committed_db):
    from catalog.locations.cli import locations_group

    result = app.test_cli_runner().invoke(locations_group, ["import", str(NGA / "locations.csv")])
    assert result.exit_code == 0, result.output
    assert "1160 rows read" in result.output
    assert committed_db.scalar(sa.select(sa.func.count()).select_from(Location)) > 1000
