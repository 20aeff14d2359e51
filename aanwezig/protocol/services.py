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

from aanwezig.protocol.defaults import default_steps
from aanwezig.protocol.models import Protocol, ProtocolVersion
from aanwezig.protocol.vocabulary import StepError, StepSpec, parse_steps
from aanwezig.schools.models import School
from aanwezig.schools.services import audit_create, audit_update, check_administer


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def ensure_protocol(school: School, *, now: dt.datetime | None = None) -> Protocol:
    """Return the school's protocol, creating it with its sector's default steps (version 1)."""
    protocol = Protocol.objects.filter(school=school).first()
    if protocol is not None:
        return protocol
    try:
        with transaction.atomic():
            protocol = Protocol.objects.create(school=school)
            version = ProtocolVersion.objects.create(
                school=school, protocol=protocol, number=1, steps=default_steps(school.sector),
                note=_("Default protocol for %(sector)s") % {"sector": school.get_sector_display()},
                created_at=now or timezone.now(),
            )
            audit_create(None, protocol)
            audit_create(None, version)
    except IntegrityError:
        protocol = Protocol.objects.get(school=school)
    return protocol


def version_in_force(school: School, moment: dt.datetime | None = None) -> ProtocolVersion:
    """Return the version of the school's steps in force at ``moment`` (default: now).

    Before the first version (a moment before the protocol existed) the first version.
    """
    protocol = ensure_protocol(school)
    versions = ProtocolVersion.objects.filter(protocol=protocol)
    at = moment or timezone.now()
    version = versions.filter(created_at__lte=at).order_by("-number").first()
    return version or versions.order_by("number").first()  # type: ignore[return-value]


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
    check_administer(actor, school)
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
    check_administer(actor, school)
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
