"""Misconfiguration in production shows up as system checks with stable ids."""

import pytest
from django.test import override_settings

from aanwezig.checks import check_email_host, check_secret_key

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

PRODUCTION = {"DEBUG": False, "DATABASE_URL": "postgres://db/aanwezig"}
INSECURE = "insecure-development-key-set-SECRET_KEY-in-production"


def ids(messages):
    return [m.id for m in messages]


def test_missing_secret_key_in_production_is_an_error():
    with override_settings(SECRET_KEY=INSECURE, **PRODUCTION):
        assert ids(check_secret_key()) == ["aanwezig.E001"]
    with override_settings(SECRET_KEY="a-real-and-long-random-secret-value", **PRODUCTION):
        assert check_secret_key() == []


def test_development_is_left_alone():
    with override_settings(SECRET_KEY=INSECURE, DEBUG=True, DATABASE_URL="postgres://db/x",
                           EMAIL_HOST="localhost"):
        assert check_secret_key() == [] and check_email_host() == []
    with override_settings(SECRET_KEY=INSECURE, DEBUG=False, DATABASE_URL="",
                           EMAIL_HOST="localhost"):
        assert check_secret_key() == [] and check_email_host() == []


def test_local_mail_server_in_production_is_a_warning():
    with override_settings(EMAIL_HOST="localhost", **PRODUCTION):
        assert ids(check_email_host()) == ["aanwezig.W001"]
    with override_settings(EMAIL_HOST="smtp.example.nl", **PRODUCTION):
        assert check_email_host() == []


def test_the_checks_are_registered():
    from django.core.checks import registry

    names = {getattr(check, "__name__", "") for check in registry.registry.get_checks()}
    assert {"check_secret_key", "check_email_host"} <= names
