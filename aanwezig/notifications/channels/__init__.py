"""Channels as plugins: one folder per kind with its transport; imported only when used."""

from __future__ import annotations

import threading

from django.utils.module_loading import import_string

from aanwezig.notifications.channels.base import DeliveryError, Transport

__all__ = ["BATCHED_CHANNELS", "IMMEDIATE_CHANNELS", "TRANSPORTS", "DeliveryError", "Transport", "get_transport", "reset_transports"]

#: Channel (``roster.Channel``) → transport class.
TRANSPORTS = {
    "email": "aanwezig.notifications.channels.email.transport.EmailTransport",
    "sms": "aanwezig.notifications.channels.sms.transport.SmsTransport",
    "portal": "aanwezig.notifications.channels.portal.transport.PortalTransport",
    "phone": "aanwezig.notifications.channels.call.transport.CallTransport",
    "letter": "aanwezig.notifications.channels.letter.transport.LetterTransport",
}

#: Channels whose messages wait for a batch run instead of the worker (see ``Transport.batched``).
BATCHED_CHANNELS = frozenset({"letter"})

#: Channels the worker delivers one message at a time.
IMMEDIATE_CHANNELS = frozenset(TRANSPORTS) - BATCHED_CHANNELS

# One transport per channel per thread: the e-mail transport keeps its SMTP connection open
# between messages, and an SMTP connection must not be shared between threads.
_local = threading.local()


def get_transport(channel: str) -> Transport:
    """Return this thread's transport for ``channel``; ``LookupError`` when there is none."""
    cache: dict[str, Transport] = _local.__dict__.setdefault("transports", {})
    if channel not in cache:
        try:
            path = TRANSPORTS[channel]
        except KeyError:
            raise LookupError(f"No transport for channel {channel!r}") from None
        cache[channel] = import_string(path)()
    return cache[channel]


def reset_transports() -> None:
    """Close and forget this thread's transports (after a settings change, at shutdown)."""
    cache: dict[str, Transport] = _local.__dict__.setdefault("transports", {})
    for transport in cache.values():
        transport.close()
    cache.clear()
