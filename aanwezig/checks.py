"""System checks for misconfiguration, with stable ids.

Production is recognised by DEBUG being off while DATABASE_URL is set (the
embedded SQLite default is for development and trials).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

INSECURE_KEY_PREFIX = "insecure-"
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def in_production() -> bool:
    return not settings.DEBUG and bool(getattr(settings, "DATABASE_URL", ""))


@register(Tags.security)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """aanwezig.E001: production needs its own SECRET_KEY."""
    key = getattr(settings, "SECRET_KEY", "")
    if in_production() and (not key or key.startswith(INSECURE_KEY_PREFIX)):
        return [Error(
            "SECRET_KEY is not set.",
            hint="Set the SECRET_KEY environment variable to a long random value.",
            id="aanwezig.E001",
        )]
    return []


@register(Tags.compatibility)
def check_email_host(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """aanwezig.W001: in production, mail to parents should not go to a local mail server."""
    if in_production() and settings.EMAIL_HOST.strip().lower() in LOCAL_HOSTS:
        return [Warning(
            "EMAIL_HOST is localhost, so e-mail to parents depends on a mail server on "
            "this machine.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, "
                 "EMAIL_USE_TLS) to your mail provider.",
            id="aanwezig.W001",
        )]
    return []
