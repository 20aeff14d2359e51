"""A school's message settings: a pydantic model stored as JSON in ``NotificationSettings``.

Missing keys take the defaults, so a school without a settings row works out of the box.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction

from aanwezig.audit.services import record_change
from aanwezig.notifications.models import NotificationSettings
from aanwezig.schools.models import School

logger = logging.getLogger(__name__)


class Settings(pydantic.BaseModel):
    """How and when a school's automatic messages go out."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    #: Minutes after the start of the first missed lesson before parents hear of an
    #: unexplained absence (time for a late sick report or a late arrival).
    grace_minutes: int = pydantic.Field(default=30, ge=0, le=480)
    #: No text messages from ``quiet_start`` until ``quiet_end`` (school time); they wait.
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(7, 30)
    #: Non-urgent messages per family per week; more are not written at all.
    weekly_cap: int = pydantic.Field(default=3, ge=0, le=50)
    #: An unexplained absence also puts a call task on the attendance desk (phoning works best).
    absence_call_task: bool = True

    def in_quiet_hours(self, local_time: dt.time) -> bool:
        """Whether ``local_time`` falls in the quiet hours (which may run past midnight)."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= local_time < end
        return local_time >= start or local_time < end


def settings_for(school: School) -> Settings:
    """Return the school's settings; defaults for what is missing (or stored invalid)."""
    data = (
        NotificationSettings.objects.filter(school=school).values_list("data", flat=True).first()
    )
    try:
        return Settings.model_validate(data or {})
    except pydantic.ValidationError:
        # Stored data is written through save_settings, so this only happens after a change of
        # the model; messages must keep flowing, so fall back to the defaults and say so.
        logger.warning("Invalid message settings for school %s; using the defaults", school.pk)
        return Settings()


def _django_error(exc: pydantic.ValidationError) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        errors.setdefault(field, []).append(error["msg"])
    return ValidationError(errors)


@transaction.atomic
def save_settings(school: School, data: dict[str, Any], *, actor: Any) -> Settings:
    """Validate ``data`` (a partial dict is merged over the current settings) and store it.

    Raises ``ValidationError`` keyed by field name when a value is refused.
    """
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(school=school)
    before = dict(row.data or {})
    try:
        current = Settings.model_validate(before).model_dump()
    except pydantic.ValidationError:
        current = Settings().model_dump()
    try:
        new = Settings.model_validate({**current, **data})
    except pydantic.ValidationError as exc:
        raise _django_error(exc) from exc
    row.data = new.model_dump(mode="json")
    row.save(update_fields=["data"])
    changes = {
        key: [before.get(key), value]
        for key, value in row.data.items()
        if before.get(key) != value
    }
    record_change(actor=actor, action="update", obj=row, changes=changes)
    return new
