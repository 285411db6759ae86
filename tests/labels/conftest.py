from tests.scanning.conftest import make_location, make_object  # noqa: F401
