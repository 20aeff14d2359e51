"""Rate limits: at most 5 link requests per e-mail address and 20 per IP address, and at most
10 failed password logins per user name and 50 per IP address, each per 15 minutes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from aanwezig.notifications.models import Message
from aanwezig.portal import signin
from aanwezig.portal.models import LoginAttempt
from aanwezig.testing.factories import PASSWORD
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
TEN = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=AMS)
CALM = "You have tried several times in a short while. Please wait a quarter of an hour"


@pytest.fixture(autouse=True)
def _ten_o_clock():
    with time_machine.travel(TEN, tick=False):
        yield


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def ask_link(client, email, ip="192.0.2.1"):
    return client.post(reverse("portal_signin"), {"email": email}, REMOTE_ADDR=ip)


def log_in(client, username, password, ip="192.0.2.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_the_limits_are_the_documented_numbers():
    assert signin.LIMITS == {"link-em": 5, "link-ip": 20, "pw-user": 10, "pw-ip": 50}
    assert signin.WINDOW.total_seconds() == 15 * 60


def test_at_most_5_links_per_address_in_15_minutes(world, client):
    address = world.parent.email
    for n in range(5):
        assert ask_link(client, address, ip=f"192.0.2.{n}").status_code == 302
    assert Message.objects.count() == 5

    refused = ask_link(client, address.upper(), ip="192.0.2.99")
    assert refused.status_code == 429
    assert CALM in refused.content.decode()
    assert Message.objects.count() == 5  # nothing sent

    with time_machine.travel(TEN + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert ask_link(client, address).status_code == 302
    assert Message.objects.count() == 6


def test_an_unknown_address_is_limited_the_same_way(world, client):
    for _ in range(5):
        ask_link(client, "niemand@example.test")
    assert ask_link(client, "niemand@example.test").status_code == 429


def test_at_most_20_link_requests_per_ip_address_in_15_minutes(world, client):
    for n in range(20):
        assert ask_link(client, f"onbekend{n}@example.test").status_code == 302
    refused = ask_link(client, world.parent.email)
    assert refused.status_code == 429 and CALM in refused.content.decode()
    assert not Message.objects.exists()
    assert ask_link(client, world.parent.email, ip="198.51.100.7").status_code == 302
    assert Message.objects.count() == 1


def test_at_most_10_failed_passwords_per_user_name_in_15_minutes(world, client):
    username = world.parent_user.username
    for n in range(10):
        response = log_in(client, username, "fout-wachtwoord", ip=f"192.0.2.{n}")
        assert response.status_code == 200 and CALM not in response.content.decode()

    # Over the limit even the right password is not checked: guessing stops here.
    refused = log_in(client, username.upper(), PASSWORD, ip="198.51.100.7")
    assert refused.status_code == 200 and CALM in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user is not held back.
    assert log_in(client, world.teacher_a.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))

    with time_machine.travel(TEN + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert log_in(client, username, PASSWORD).status_code == 302


def test_at_most_50_failed_passwords_per_ip_address_in_15_minutes(world, client):
    for n in range(50):
        log_in(client, f"gok{n}@example.test", "fout", ip="203.0.113.5")
    refused = log_in(client, world.parent_user.username, PASSWORD, ip="203.0.113.5")
    assert CALM in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert log_in(client, world.parent_user.username, PASSWORD, ip="203.0.113.6").status_code == 302


def test_successful_logins_do_not_count_towards_the_password_limit(world, client):
    for _ in range(12):
        assert log_in(client, world.teacher_a.username, PASSWORD).status_code == 302
        client.post(reverse("logout"))
    assert LoginAttempt.objects.filter(kind=signin.PASSWORD_BY_USER, success=True).count() == 12


def test_old_attempts_are_removed_after_a_day(world, client):
    ask_link(client, "niemand@example.test")
    with time_machine.travel(TEN + dt.timedelta(days=1, minutes=1), tick=False):
        ask_link(client, "iemand@example.test")
    assert set(LoginAttempt.objects.values_list("key", flat=True)) == {
        "iemand@example.test", "192.0.2.1"}


def test_the_admin_login_has_the_same_password_limit(world, client):
    url = reverse("admin:login")
    username = world.admin_a.username
    for n in range(10):
        client.post(url, {"username": username, "password": "fout"}, REMOTE_ADDR=f"192.0.2.{n}")
    refused = client.post(url, {"username": username, "password": PASSWORD},
                          REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 200 and CALM in refused.content.decode()
    assert "_auth_user_id" not in client.session
