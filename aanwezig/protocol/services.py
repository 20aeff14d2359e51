"""Write services for the protocol itself: settings and versions of the steps.

Every change of the steps saves a new ``ProtocolVersion`` (never an update), so
the version in force on any moment can be shown. Steps are validated against the
vocabulary first; nothing is saved when one step is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.protocol.defaults import default_steps
from aanwezig.protocol.models import Protocol, ProtocolVersion
from aanwezig.protocol.vocabulary import StepError, StepSpec, parse_steps
from aanwezig.schools.models import School
from aanwezig.schools.services import audit_create, audit_update, deny


def _check_edit(actor: Any, school: School) -> None:
    """Administrators and school leaders edit the protocol; ``actor=None`` is the system."""
    if actor is not None and not access.may_edit_protocol(actor, school):
        raise deny()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def ensure_protocol(school: School, *, now: dt.datetime | None = None) -> Protocol:
    """Return the school's protocol, creating it with its sector's default steps (version 1).

    A protocol row without any version (made elsewhere for its settings) gets version 1 too.
    """
    protocol = Protocol.objects.filter(school=school).first()
    if protocol is not None and ProtocolVersion.objects.filter(protocol=protocol).exists():
        return protocol
    try:
        with transaction.atomic():
            if protocol is None:
                protocol = Protocol.objects.create(school=school)
                audit_create(None, protocol)
            version = ProtocolVersion.objects.create(
                school=school, protocol=protocol, number=1, steps=default_steps(school.sector),
                note=_("Default protocol for %(sector)s") % {"sector": school.get_sector_display()},
                created_at=now or timezone.now(),
            )
            audit_create(None, version)
    except IntegrityError:
        protocol = Protocol.objects.get(school=school)
    return protocol


def version_in_force(school: School, moment: dt.datetime | None = None) -> ProtocolVersion:
    """Return the version of the school's steps in force at ``moment`` (default: now).

    Before the first version (a moment before the protocol existed) the first version.
    One query when the school has a protocol; it is made with its defaults otherwise.
    """
    at = moment or timezone.now()
    version = (ProtocolVersion.objects.filter(school=school, created_at__lte=at)
               .order_by("-number").first())
    if version is None:
        ensure_protocol(school)
        version = ProtocolVersion.objects.filter(school=school).order_by("number").first()
    assert version is not None
    return version


def steps_of(version: ProtocolVersion) -> list[StepSpec]:
    """Parse a stored version (validated when saved)."""
    return parse_steps(version.steps)


@transaction.atomic
def save_protocol_version(school: School, steps: Sequence[Mapping[str, Any]], *, actor: Any,
                          note: str = "", now: dt.datetime | None = None) -> ProtocolVersion:
    """Validate ``steps`` and save them as the school's next version, in force from now.

    Refuses (``ValidationError``, in the user's language) steps that do not fit the
    vocabulary, duplicate keys, and a note of over 300 characters; saves nothing then.
    """
    protocol = ensure_protocol(school)
    _check_edit(actor, school)
    try:
        parsed = parse_steps(steps)
    except StepError as error:
        raise ValidationError(error.messages) from None
    if len(note) > 300:
        raise ValidationError(_("Keep the note to 300 characters."))
    if not note.strip():
        raise ValidationError(_("Say in a few words what changed."))
    last = ProtocolVersion.objects.select_for_update().filter(protocol=protocol) \
        .order_by("-number").first()
    version = ProtocolVersion.objects.create(
        school=school, protocol=protocol, number=(last.number if last else 0) + 1,
        steps=[step.model_dump(mode="json") for step in parsed], note=note.strip(),
        created_at=now or timezone.now(), created_by=_user(actor),
    )
    audit_create(actor, version)
    return version


PROTOCOL_SETTINGS = ("report_adults", "contact_name", "contact_role", "contact_phone",
                     "contact_email")


@transaction.atomic
def update_protocol_settings(school: School, *, actor: Any, **values: Any) -> Protocol:
    """Change the protocol's settings (DUO for 18+, the DUO contact person)."""
    protocol = ensure_protocol(school)
    _check_edit(actor, school)
    unknown = set(values) - set(PROTOCOL_SETTINGS)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    before = Protocol.objects.get(pk=protocol.pk)
    for name, value in values.items():
        setattr(protocol, name, value)
    protocol.full_clean()
    protocol.save()
    audit_update(actor, before, protocol)
    return protocol
