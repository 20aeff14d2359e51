"""Settings that protect people in production."""

import importlib


def test_production_hashes_passwords_with_argon2():
    settings_module = importlib.import_module("aanwezig.settings")
    assert settings_module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_dutch_is_the_default_language_and_the_parent_languages_are_available():
    """Staff pages offer Dutch and English; the portal also the parent languages."""
    settings_module = importlib.import_module("aanwezig.settings")
    assert settings_module.LANGUAGE_CODE == "nl"
    assert [code for code, _ in settings_module.LANGUAGES] == ["nl", "en", "tr", "ar", "pl", "uk"]
