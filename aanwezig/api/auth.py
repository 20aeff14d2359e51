"""Token authentication, the API actor and the rate limit.

A token acts through its own inactive user (``ApiToken.actor``). :func:`api_actor` hands
that user to the gatekeeper (``aanwezig.access``) with its roles fixed to one school-wide
role at the token's school and none anywhere else, so every ``access`` function treats the
token as the school's attendance desk there and as a stranger everywhere else: another
school's data is the same 404 as for a person. Scopes (read, write) are checked on top.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, F, Value, When
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from aanwezig.api.models import ApiToken
from aanwezig.api.services import hash_token
from aanwezig.schools.models import Role

#: Requests per token per minute.
RATE_LIMIT = 600

#: The one role the gatekeeper sees for a token at its own school.
API_ROLE = Role.ATTENDANCE_OFFICER


class RateLimited(Exception):
    """More than ``RATE_LIMIT`` requests in this minute."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


class ScopeMissing(Exception):
    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


def api_actor(token: ApiToken) -> Any:
    """The token's user, seen by the gatekeeper as school-wide staff of the token's school
    only (``access.roles_at`` reads the per-request role cache set here)."""
    user = token.actor
    user._roles_cache = {token.school_id: frozenset({API_ROLE})}  # type: ignore[attr-defined]
    user._taught_cache = {}  # type: ignore[attr-defined]
    return user


def count_request(token: ApiToken, now: dt.datetime | None = None) -> None:
    """Count one request in the token's current minute; raise :class:`RateLimited` over the
    limit. Kept in the database, so the limit holds across worker processes."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    ApiToken.objects.filter(pk=token.pk).update(
        window_count=Case(When(window_start=minute, then=F("window_count") + 1), default=Value(1)),
        window_start=minute, last_used_at=now,
    )
    count = ApiToken.objects.values_list("window_count", flat=True).get(pk=token.pk)
    if count > RATE_LIMIT:
        raise RateLimited(retry_after=60 - now.second)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a revoked or unknown token is refused (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = (ApiToken.objects.select_related("school", "actor")
                 .filter(token_hash=hash_token(token.strip()), revoked=False).first())
        if found is None:
            return None
        count_request(found)
        request.api_token = found  # type: ignore[attr-defined]
        request.api_actor = api_actor(found)  # type: ignore[attr-defined]
        return found


def require_scope(request: HttpRequest, scope: str) -> tuple[ApiToken, Any]:
    """Return (token, actor) or raise :class:`ScopeMissing` (403)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if not token.has_scope(scope):
        raise ScopeMissing(scope)
    return token, request.api_actor  # type: ignore[attr-defined]
