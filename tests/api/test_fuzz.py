"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis).

Every operation gets a bounded, deterministic batch of generated requests (valid and invalid
bodies, query strings and path ids) with an admin's bearer token; none may answer 5xx. The
document itself must be valid OpenAPI 3.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from catalog.users.services import create_token, create_user

#: examples per operation and mode: small enough for the suite (~30 operations), enough to
#: find crashes (valid data reaches the services; invalid data exercises validation)
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}


@pytest.fixture
def admin_headers(committed_db: Any) -> dict[str, str]:
    user = create_user(committed_db, email="fuzz@example.org", password="correct-horse-battery",
                       role_codes=["admin"])
    _, plain = create_token(committed_db, user, name="fuzz")
    committed_db.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_openapi_document_is_valid_and_complete(app: Any, admin_headers: dict[str, str]) -> None:
    # schemathesis checks the document against the OpenAPI 3.0 meta-schema.
    schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).validate()
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            ok = [code for code in operation["responses"] if code.startswith("2")]
            assert ok, f"{method} {path} documents no success response"
            assert "schema" in operation["responses"][ok[0]]["content"]["application/json"]
            if "requestBody" in operation:  # (an action such as undo may take no body)
                body = operation["requestBody"]["content"]["application/json"]
                assert "schema" in body, f"{method} {path} has no body schema"
            elif method == "patch" or (method == "post" and "{" not in path):
                raise AssertionError(f"{method} {path} has no body schema")


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str],
          failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES[mode], derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        # Requests reuse the test's app context; Flask-Login caches the user in it.
        g.pop("_login_user", None)
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{operation.label} ({mode}): {response.status_code} for "
                            f"{case.path_parameters} {case.query} {case.body!r:.300}")

    run()


@pytest.mark.slow
def test_fuzzing_the_api_finds_no_server_error(app: Any, admin_headers: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, admin_headers, failures)
    assert not failures, "\n".join(failures[:20])
