"""Portal URLs: signing in by e-mail link, preferences, and the staff's invitation button."""

from django.urls import URLPattern, path

from aanwezig.portal import views_signin as views

urlpatterns: list[URLPattern] = [
    path("portaal/inloggen/", views.signin_request, name="portal_signin"),
    path("portaal/inloggen/verstuurd/", views.signin_sent, name="portal_signin_sent"),
    path("portaal/link/<str:token>/", views.link, name="portal_link"),
    path("portaal/instellingen/", views.preferences, name="portal_preferences"),
    path("portaal/instellingen/wachtwoord/", views.password, name="portal_password"),
    path("s/<int:school_id>/leerlingen/<int:pk>/portaal-uitnodigen/", views.invite_family,
         name="portal_invite_family"),
]
