"""Template filters of the web pages."""

from __future__ import annotations

from django import template

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
