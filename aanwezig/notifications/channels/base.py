"""The contract every channel implements."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aanwezig.notifications.models import Message


class DeliveryError(Exception):
    """A send that did not succeed.

    ``permanent`` means retrying cannot help: the address or number is wrong. The
    worker then records the contact detail as invalid and tries the next channel.
    A temporary error (server down, rate limit, time-out) is retried with back-off.
    """

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport:
    """Delivers one message through one channel.

    ``send`` returns when the message has been handed over (the provider accepted it,
    or for in-product channels, there is nothing more to do) and raises
    ``DeliveryError`` otherwise. It must not change the ``Message`` row: the worker
    records the outcome. A transport is created once per process and may keep a
    connection open between messages.
    """

    channel: str = ""
    #: A batched channel (letters) is not delivered one message at a time by the worker:
    #: its messages stay ``queued`` until a batch run hands them over together and marks
    #: them sent. The worker never claims them and never calls ``send`` for them.
    batched: bool = False

    def send(self, message: Message) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release any connection held between messages."""
