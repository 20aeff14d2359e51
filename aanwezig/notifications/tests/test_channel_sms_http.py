"""The SMS channel against a local HTTP server that plays the provider."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from aanwezig.notifications import delivery
from aanwezig.notifications.channels import DeliveryError, get_transport, reset_transports
from aanwezig.notifications.channels.sms import transport as sms_transport
from aanwezig.notifications.models import InvalidContact, Message
from aanwezig.notifications.services import queue_message, recipients_for
from conftest import TODAY


class Provider(BaseHTTPRequestHandler):
    status = 200
    delay = 0.0
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        type(self).requests.append({"body": body, "auth": self.headers["Authorization"],
                                    "type": self.headers["Content-Type"], "path": self.path})
        time.sleep(type(self).delay)
        try:
            self.send_response(type(self).status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "abc"}')
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def provider(settings):
    Provider.status, Provider.delay, Provider.requests = 200, 0.0, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_API_URL = f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
    settings.SMS_API_KEY = "sleutel-123"
    settings.SMS_SENDER = "Testcollege"
    reset_transports()
    yield Provider
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _ten_o_clock():
    with time_machine.travel("2026-11-18 10:00 +01:00", tick=False):
        yield


def _queue(world) -> Message:
    world.parent.preferred_channel = "sms"
    world.parent.save()
    (recipient,) = recipients_for(world.child_a, TODAY)
    message = queue_message(school=world.school_a, event="unexplained_absence",
                            recipient=recipient, subject="", body_text="Sam is er niet. – Mira",
                            dedupe_key="sms", urgent=True)
    assert message is not None and message.channel == "sms"
    return message


def test_a_2xx_answer_means_sent_and_the_request_is_as_the_provider_wants(world, provider):
    provider.status = 202
    message = _queue(world)
    assert delivery.deliver(message.pk) == "sent"
    (request,) = provider.requests
    assert request["path"] == "/v1/messages"
    assert request["auth"] == "Bearer sleutel-123"
    assert request["type"] == "application/json"
    assert request["body"] == {"to": "+31612345678", "text": "Sam is er niet. – Mira",
                               "sender": "Testcollege"}


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_refused_number_is_permanent_and_recorded(world, provider, status):
    provider.status = status
    message = _queue(world)
    assert delivery.deliver(message.pk) == "failed"
    assert InvalidContact.objects.get().channel == "sms"
    assert Message.objects.get(fallback_of=message).channel == "email"  # the next channel


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_rate_limits_and_server_errors_are_temporary(world, provider, status):
    provider.status = status
    message = _queue(world)
    assert delivery.deliver(message.pk) == "retry"
    assert not InvalidContact.objects.exists()
    assert Message.objects.get(pk=message.pk).status == "queued"


def test_a_time_out_is_temporary(world, provider, monkeypatch):
    monkeypatch.setattr(sms_transport, "TIMEOUT_SECONDS", 0.2)
    provider.delay = 1.0
    with pytest.raises(DeliveryError) as exc:
        get_transport("sms").send(_queue(world))
    assert not exc.value.permanent


def test_no_provider_listening_is_temporary(world, settings):
    settings.SMS_API_URL = "http://127.0.0.1:9/v1/messages"  # the discard port; nobody listens
    with pytest.raises(DeliveryError) as exc:
        get_transport("sms").send(_queue(world))
    assert not exc.value.permanent


def test_without_a_provider_the_demo_writes_each_text_to_a_file(world, settings, tmp_path):
    settings.SMS_API_URL = ""
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    settings.SMS_SENDER = "Testcollege"
    reset_transports()
    message = _queue(world)
    assert delivery.deliver(message.pk) == "sent"
    written = (tmp_path / "sms" / f"sms-{message.pk}.txt").read_text(encoding="utf-8")
    assert written == "To: +31612345678\nFrom: Testcollege\n\nSam is er niet. – Mira\n"


def test_without_a_provider_or_a_folder_a_text_waits(world, settings):
    settings.SMS_API_URL = ""
    settings.SMS_FILE_PATH = ""
    reset_transports()
    message = _queue(world)
    assert delivery.deliver(message.pk) != "sent"
    assert Message.objects.get(pk=message.pk).status != "sent"
