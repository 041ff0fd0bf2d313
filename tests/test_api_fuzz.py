"""Fuzz every API operation from the app's own OpenAPI schema (schemathesis): no server error.

Runs signed in (as an auditor, so role-gated endpoints are exercised too) against the generated city
when it is available, else against an empty warehouse.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, request):
    from tests.webutil import add_user, session_token
    from traceability.warehouse import Warehouse
    from traceability.web.app import create_app

    try:
        db = request.getfixturevalue("city_db")
    except pytest.skip.Exception:
        db = tmp_path_factory.mktemp("fuzz") / "w.duckdb"
        Warehouse(db).close()
    add_user(db, "fuzzer", "auditor")
    app = create_app(db)
    app.state.fuzz_token = session_token(db, "fuzzer")
    return app


def test_no_server_error(fuzz_app):
    """Each operation gets up to 15 generated requests (path, query, body) — none may answer 5xx."""
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)
    headers = {"cookie": f"tr_session={fuzz_app.state.fuzz_token}"}
    operations = [op.ok() for op in schema.get_all_operations()]
    assert operations, "the schema lists no operation"
    tried = []
    slow: dict[str, float] = {}
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error], timeout=120)

        t0 = time.perf_counter()
        try:
            run()
        except Exception as e:
            raise AssertionError(f"{op.method.upper()} {op.path}: {e}") from e
        slow[f"{op.method.upper()} {op.path}"] = round(time.perf_counter() - t0, 1)
        tried.append(f"{op.method.upper()} {op.path}")
    assert "GET /api/health" in tried
    print("slowest operations (s, 15 requests each):", sorted(slow.items(), key=lambda kv: -kv[1])[:5])
