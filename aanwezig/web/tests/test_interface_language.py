"""The interface is Dutch by default, whatever the browser asks; English when chosen."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_an_english_browser_still_gets_dutch(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "nl"
    assert "Wachtwoord" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_chooses_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "en"
    assert "Password" in response.content.decode()


def test_a_user_who_set_english_gets_english(client, world):
    world.teacher_a.language = "en"
    world.teacher_a.save()
    client.force_login(world.teacher_a)
    response = client.get(reverse("start"))
    assert response.headers["Content-Language"] == "en"
