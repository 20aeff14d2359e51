"""Choose the interface language: Dutch unless the person chose another one.

Django's LocaleMiddleware follows the browser's Accept-Language header, so a
teacher whose laptop is set to English would get an English interface. Here the
order is: the language switch (cookie), then the user's own ``language``
setting, then ``settings.LANGUAGE_CODE`` (Dutch). The browser is not asked.

Every language of ``settings.LANGUAGES`` (the six parent languages) is accepted; the staff
pages' switch offers Dutch and English, the portal's switch all six (``templates/base.html``,
``templates/portal/base.html``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def choose_language(request: HttpRequest) -> str:
    """Return the language for ``request``: cookie, then the user's setting, then Dutch."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in SUPPORTED:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", "") in SUPPORTED:
        return str(user.language)
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = choose_language(request)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # For this request only: the thread's language is put back afterwards, so that
        # work done outside a request (tasks, commands, tests) is not left in it.
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
