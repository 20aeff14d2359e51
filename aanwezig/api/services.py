"""Making and revoking API tokens (administrators only; audited)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aanwezig.api.models import ApiToken, Scope
from aanwezig.schools.models import School
from aanwezig.schools.services import audit_create, audit_update, check_administer, reload

TOKEN_PREFIX = "azw_"


def hash_token(raw: str) -> str:
    """SHA-256 of the token: tokens are long random strings, so a fast hash is enough."""
    return hashlib.sha256(raw.encode()).hexdigest()


def parse_scopes(text: str | list[str]) -> list[str]:
    """``"read,write"`` → ``["read", "write"]``; unknown scopes are refused."""
    items = text.split(",") if isinstance(text, str) else list(text)
    scopes = sorted({item.strip() for item in items if item.strip()})
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown or not scopes:
        raise ValidationError(
            _("Scopes must be read, write or both (got “%(scopes)s”)."),
            code="bad_scopes", params={"scopes": ",".join(unknown) or "—"})
    return scopes


@transaction.atomic
def create_token(school: School, *, name: str, scopes: str | list[str],
                 actor: Any) -> tuple[ApiToken, str]:
    """Make a token for ``school``; return it and the token text (shown once, never stored)."""
    check_administer(actor, school)
    wanted = parse_scopes(scopes)
    if not name.strip():
        raise ValidationError(_("Give the token a name."), code="name_required")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user_model = get_user_model()
    api_user = user_model(username=f"api-{school.brin}-{secrets.token_hex(4)}",
                          first_name="API", last_name=name.strip()[:150], is_active=False)
    api_user.set_unusable_password()
    api_user.save()
    token = ApiToken.objects.create(
        school=school, name=name.strip(), prefix=raw[:12], token_hash=hash_token(raw),
        scopes=wanted, actor=api_user,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_create(actor, token)
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Any) -> ApiToken:
    check_administer(actor, token.school)
    before = reload(token)
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_update(actor, before, token)
    return token
