"""Schemathesis against the OpenAPI document, in-process (WSGI) with a read+write token:
whatever it sends, the API never answers with a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from aanwezig.wsgi import application

from .conftest import bearer

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.mark.usefixtures("today")
@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, tokens):
    response = case.call(headers=bearer(tokens["write"]))
    case.validate_response(response, checks=[not_a_server_error])
