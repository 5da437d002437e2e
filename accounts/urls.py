"""Login and logout (global names `login`, `logout`) and the `accounts:` pages."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

account_patterns = []

urlpatterns = [
    path("login/", views.EmployeeLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((account_patterns, "accounts"))),
]
