"""Template filters of the web pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from aanwezig.lib import phone as phone_lib

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """Show a stored E.164 phone number the way people write it."""
    return phone_lib.display(value or "")


@register.filter
def tel(value: str) -> str:
    """A ``tel:`` link target for a stored phone number."""
    return f"tel:{value}" if value else ""


_STATES = {
    "absent": _("absent"),
    "late": _("late"),
    "removed": _("removed from class"),
}


@register.filter
def mark_state(value: Any, labels: dict[str, str] | None = None) -> str:
    """Describe one side of a register change (a stored mark as JSON, or empty for present);
    ``labels`` maps reason codes to the school's labels."""
    if not value:
        return str(_("present"))
    if not isinstance(value, dict):
        return str(value)
    text = str(_STATES.get(value.get("status", ""), value.get("status", "")))
    reason = value.get("reason")
    if reason:
        text += f" · {(labels or {}).get(reason, reason)}"
    if value.get("minutes_late"):
        text += " · " + str(_("%(n)s min") % {"n": value["minutes_late"]})
    return text


@register.filter
def percent(value: Any) -> str:
    """Show a percentage without decimals (``96%``), or a dash when there is nothing to count."""
    if value is None:
        return "–"
    return f"{round(float(value))}%"
