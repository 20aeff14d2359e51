"""Text messages: POST JSON to the provider's endpoint with a bearer key.

Without a provider (``SMS_API_URL`` empty) and with ``SMS_FILE_PATH`` set, each text is
written to a file there instead, as the demo does (like Django's file-based e-mail).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from aanwezig.notifications.channels.base import DeliveryError, Transport
from aanwezig.notifications.models import Message

TIMEOUT_SECONDS = 10
#: The provider refuses the number itself: retrying cannot help.
PERMANENT_STATUSES = {400, 404, 422}


class SmsTransport(Transport):
    channel = "sms"

    def send(self, message: Message) -> None:
        url = settings.SMS_API_URL
        if not url and settings.SMS_FILE_PATH:
            self._write(message)
            return
        if not url:
            raise DeliveryError("SMS_API_URL is not set", permanent=False)
        payload = {"to": message.address, "text": message.body_text, "sender": settings.SMS_SENDER}
        request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.SMS_API_KEY}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            raise DeliveryError(
                f"SMS provider answered {exc.code}: {detail}",
                permanent=exc.code in PERMANENT_STATUSES,
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"SMS provider unreachable: {exc}", permanent=False) from exc

    def _write(self, message: Message) -> None:
        """Write the text as the provider would get it: one file per message."""
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sms-{message.pk}.txt"
        path.write_text(f"To: {message.address}\nFrom: {settings.SMS_SENDER}\n\n"
                        f"{message.body_text}\n", encoding="utf-8")
