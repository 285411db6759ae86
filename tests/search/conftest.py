"""Each test builds its own catalogue inside a rolled-back transaction, so ids (and with them the
catalogue version the facet cache keys on) repeat between tests: start every test uncached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog.search import services


@pytest.fixture(autouse=True)
def _no_cached_facets() -> Iterator[None]:
    services._WHOLE_CATALOGUE.clear()
    yield
    services._WHOLE_CATALOGUE.clear()
