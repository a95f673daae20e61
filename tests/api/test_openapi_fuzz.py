"""Schemathesis walks the whole OpenAPI document as a national supervisor: no request it makes gets a 500.

Every operation is called with bodies, paths and queries generated from its schema, valid and invalid; only
server errors fail (a 4xx for a generated body is the API doing its job). The operations are driven from one
test with Hypothesis directly, because Schemathesis' pytest plugin does not load under this pytest.
"""

from __future__ import annotations

import pytest
import schemathesis
from api_world import Api
from hypothesis import HealthCheck, given, settings

FUZZ = settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.mark.slow
def test_no_request_gets_a_server_error(api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    headers = api.token("national")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )

        call()
    assert not failures, "\n".join(failures[:10])
