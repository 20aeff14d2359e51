"""Every persona logs in through the real login form and lands on their start page."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import login

PERSONAS = ["teacher_a", "mentor_a", "officer_a", "parent_user", "adult_user"]


@pytest.mark.browser
@pytest.mark.parametrize("persona", PERSONAS)
def test_login_reaches_start_page(live_server, world, page, persona):
    user = getattr(world, persona)

    login(page, live_server, user.username)

    assert urlparse(page.url).path == reverse("start")
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("body")).to_contain_text(user.display_name())
