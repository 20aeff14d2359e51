"""Portal URLs: the home and the child's pages (``/portaal/``, ``/portaal/kind/<id>/…``)."""

from django.urls import path

from aanwezig.portal import views_child

urlpatterns = [
    path("portaal/", views_child.home, name="portal_home"),
    path("portaal/kind/<int:pk>/", views_child.child, name="portal_child"),
    path("portaal/kind/<int:pk>/waar-staan-we/", views_child.standing, name="portal_standing"),
    path("portaal/kind/<int:pk>/protocol/", views_child.protocol, name="portal_protocol"),
    path("portaal/kind/<int:pk>/contact/", views_child.contacts, name="portal_contacts"),
]
