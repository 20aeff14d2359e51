"""The public home page, logging in and out, the language switch and the base layout."""

from django.urls import reverse

from aanwezig.testing.factories import PASSWORD


def test_home_says_what_aanwezig_is_and_offers_a_login(client, db):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nl")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Samen zorgen dat elk kind er is" in body
    assert f'href="{reverse("login")}"' in body


def test_logged_in_user_is_sent_from_home_to_the_start_page(as_user, world):
    response = as_user(world.teacher_a).get(reverse("home"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("start")


def test_login_with_username_and_password_lands_on_the_start_page(client, world):
    response = client.post(
        reverse("login"), {"username": "docent.a@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("start")
    assert client.get(reverse("start")).status_code == 200


def test_wrong_password_shows_the_form_again_with_an_error(client, world):
    response = client.post(reverse("login"), {"username": "docent.a@example.test", "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(as_user, world):
    client = as_user(world.teacher_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("home")
    assert client.get(reverse("start")).status_code == 302


def test_pages_have_a_skip_link_landmarks_and_the_vendored_assets(as_user, world):
    body = as_user(world.teacher_a).get(reverse("start")).content.decode()
    assert 'href="#main"' in body and 'id="main"' in body
    assert "<header" in body and "<main" in body and "<footer" in body
    assert "vendor/pico/pico.min.css" in body
    assert "vendor/htmx/htmx.min.js" in body
    assert 'action="/logout/"' in body


def test_dutch_is_the_default_language(client, db):
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="nl"' in body
    assert "Inloggen" in body


def test_the_language_switch_turns_the_pages_english(client, db):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("home")}
    )
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en"' in body
    assert "Together we make sure every child is there" in body
