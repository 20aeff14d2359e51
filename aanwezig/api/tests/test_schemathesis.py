"""Schemathesis against the OpenAPI document, in-process (WSGI) with a read+write token:
whatever it sends, the API never answers with a server error."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from aanwezig.wsgi import application

from .conftest import bearer

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def _keep_the_test_connection():
    """Call the WSGI application as Django's test client does: without closing the database
    connection after each request (on PostgreSQL that would close the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("today", "_keep_the_test_connection")
@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, tokens):
    response = case.call(headers=bearer(tokens["write"]))
    case.validate_response(response, checks=[not_a_server_error])
