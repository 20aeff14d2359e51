"""A call task is on the desk's call list once the row is marked sent; nothing leaves the building."""

from __future__ import annotations

from aanwezig.notifications.channels.base import Transport
from aanwezig.notifications.models import Message


class CallTransport(Transport):
    channel = "phone"

    def send(self, message: Message) -> None:
        return None
