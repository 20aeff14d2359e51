from django.urls import include, path

from aanwezig.admin_site import site as admin_site

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
    path("api/", include("aanwezig.api.urls")),
    path("", include("aanwezig.web.urls")),
    path("", include("aanwezig.notifications.urls")),
    path("", include("aanwezig.protocol.urls")),
    path("", include("aanwezig.portal.urls")),
    path("", include("aanwezig.exports.urls")),
]
