"""Phone numbers: parsed as Dutch by default and stored as E.164."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "NL"


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return ``raw`` as an E.164 number, or raise ValidationError in the user's language."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number. Use for example 06 12345678 or +31 6 12345678."),
            code="invalid_phone",
            params={"value": text},
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number. Use for example 06 12345678 or +31 6 12345678."),
            code="invalid_phone",
            params={"value": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """Model-field validator: accept only numbers that parse and are valid."""
    to_e164(value)


def display(e164: str) -> str:
    """Format a stored E.164 number for people: national for Dutch numbers, else international."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 31
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
