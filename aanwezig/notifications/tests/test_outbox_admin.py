"""The outbox in the set-up admin: read-only and limited to the administrator's schools."""

from __future__ import annotations

from aanwezig.notifications.services import Recipient, queue_message


def _queue(school, guardian, address):
    recipient = Recipient(kind="guardian", guardian=guardian, student=None, staff=None,
                          language="nl", channel="email", address=address)
    return queue_message(school=school, event="compliment", recipient=recipient, subject="s",
                         body_text="t", dedupe_key=address, urgent=True)


def test_an_administrator_sees_their_schools_messages_only_and_cannot_change_them(world, client):
    mine = _queue(world.school_a, world.parent, "mine@example.test")
    _queue(world.school_b, world.parent, "theirs@example.test")
    client.force_login(world.admin_a)

    page = client.get("/admin/notifications/message/")
    assert page.status_code == 200
    assert b"mine@example.test" in page.content
    assert b"theirs@example.test" not in page.content
    assert client.get("/admin/notifications/message/add/").status_code == 403
    detail = client.get(f"/admin/notifications/message/{mine.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    for model in ("invalidcontact", "reply", "notificationsettings", "schooltemplate"):
        assert client.get(f"/admin/notifications/{model}/").status_code == 200
