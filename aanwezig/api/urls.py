"""The API's URLs: django-ninja's, each wrapped so that Django's own 404 and 405 answers
come in the API's error format too, plus a catch-all 404 for unknown paths."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path

from aanwezig.api.api import api

CODES = {404: "not_found", 405: "method_not_allowed"}


def error_json(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": CODES.get(status, "error"), "message": message,
                                   "details": None}}, status=status)


def in_error_format(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_json(404, "Not found.")
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
                "application/json"):
            fixed = error_json(response.status_code, response.reason_phrase)
            if "Allow" in response:
                fixed["Allow"] = response["Allow"]
            return fixed
        return response

    if getattr(view, "csrf_exempt", False):
        wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


def _wrap(patterns: list[Any]) -> list[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = in_error_format(pattern.callback)
        elif isinstance(pattern, URLResolver):
            _wrap(pattern.url_patterns)
    return patterns


def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_json(404, "Not found.")


ninja_patterns, _app_name, _namespace = api.urls
app_name = "api"
urlpatterns = [*_wrap(list(ninja_patterns)), re_path(r"^(?P<rest>.*)$", unknown)]
