"""Portal messages are stored, not sent: the portal inbox lists ``Message`` rows of channel portal."""

from __future__ import annotations

from aanwezig.notifications.channels.base import Transport
from aanwezig.notifications.models import Message


class PortalTransport(Transport):
    channel = "portal"

    def send(self, message: Message) -> None:
        # Delivered means visible in the inbox, which marking the row sent does.
        return None
