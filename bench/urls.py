"""The bench urlconf: the project's URLs plus the floor page (mounted only when the harness runs)."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("__bench__/floor/", views.floor, name="bench_floor"),
    path("", include("ccportal.urls")),
]

handler403 = "ccportal.errors.permission_denied"
handler404 = "ccportal.errors.page_not_found"
