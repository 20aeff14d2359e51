import datetime as dt

import pytest
import time_machine

from conftest import TODAY


@pytest.fixture(autouse=True)
def _today():
    """The web tests run on the personas' school day, at ten in the morning."""
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


@pytest.fixture
def as_user(client):
    """Log the test client in as ``user`` and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login
