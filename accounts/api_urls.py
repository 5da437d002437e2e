"""/api/auth/: the employee-login JWT endpoints of SPEC §2 (mounted by ccportal.api)."""

from django.urls import path

from accounts import api

urlpatterns = [
    path("employee-login", api.EmployeeLoginView.as_view(), name="api-employee-login"),
    path("me", api.MeView.as_view(), name="api-me"),
    path("verify", api.VerifyView.as_view(), name="api-verify"),
    path("refresh", api.RefreshView.as_view(), name="api-refresh"),
    path("logout", api.LogoutView.as_view(), name="api-logout"),
]
