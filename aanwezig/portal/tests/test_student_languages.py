"""The portal's six languages: the switch, right to left for Arabic, and the order in which
the language is chosen (the switch's cookie, then the user's own setting, then Dutch)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

PORTAL_LANGUAGES = ["nl", "en", "tr", "ar", "pl", "uk"]


def html_tag(response) -> str:
    found = re.search(r"<html[^>]*>", response.content.decode())
    assert found is not None
    return found.group(0)


def test_the_project_offers_the_six_parent_languages():
    assert [code for code, _name in django_settings.LANGUAGES] == PORTAL_LANGUAGES
    assert django_settings.LANGUAGE_CODE == "nl"


def test_the_portal_switch_offers_all_six_languages_each_in_its_own_words(world, client):
    client.force_login(world.adult_user)
    page = client.get(reverse("portal_student")).content.decode()
    switch = page[page.index('class="portal-language"'):page.index("</form>",
                                                                  page.index("portal-language"))]
    for code in PORTAL_LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in switch
    assert "العربيّة" in switch and "Українська" in switch and "Türkçe" in switch
    assert '<label for="portal-language">' in switch


def test_the_staff_switch_keeps_offering_dutch_and_english_only(world, client):
    client.force_login(world.teacher_a)
    page = client.get(reverse("start")).content.decode()
    assert 'name="language" value="en"' in page
    for code in ("tr", "ar", "pl", "uk"):
        assert f'value="{code}"' not in page


@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("nl", "ltr"), ("uk", "ltr")])
def test_the_page_names_its_language_and_arabic_runs_right_to_left(world, client, settings,
                                                                   code, direction):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    client.force_login(world.adult_user)
    response = client.get(reverse("portal_student"))
    assert f'lang="{code}"' in html_tag(response)
    assert f'dir="{direction}"' in html_tag(response)
    assert response.headers["Content-Language"] == code


def test_the_cookie_comes_first_then_the_users_own_language_then_dutch(world, client,
                                                                       settings):
    user = world.adult_user
    client.force_login(user)
    url = reverse("portal_inbox")
    assert 'lang="nl"' in html_tag(client.get(url, headers={"Accept-Language": "ar"}))

    user.language = "pl"
    user.save()
    assert 'lang="pl"' in html_tag(client.get(url))

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    assert 'lang="tr"' in html_tag(client.get(url))

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert 'lang="pl"' in html_tag(client.get(url))


def test_the_switch_stores_a_portal_language_in_the_cookie(world, client, settings):
    client.force_login(world.adult_user)
    next_url = reverse("portal_student")
    response = client.post(reverse("set_language"), {"language": "uk", "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "uk"
    assert 'lang="uk"' in html_tag(client.get(next_url))
