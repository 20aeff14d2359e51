"""URLs of the protocol pages: cases and tasks, DUO reports, the protocol itself."""

from django.urls import include, path

urlpatterns = [
    path("", include("aanwezig.protocol.urls_cases")),
    path("", include("aanwezig.protocol.urls_duo")),
    path("", include("aanwezig.protocol.urls_pages")),
]
