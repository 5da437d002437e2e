"""Login and logout (global names `login`, `logout`) and the `accounts:` pages."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

account_patterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/set-password/", views.password_set, name="password_set"),
    path("roles/", views.roles_list, name="roles"),
    path("roles/new/", views.employee_new, name="employee_new"),
    path("roles/<int:pk>/role/", views.employee_role, name="employee_role"),
    path("roles/<int:pk>/deactivate/", views.employee_activation, {"active": False}, name="employee_deactivate"),
    path("roles/<int:pk>/reactivate/", views.employee_activation, {"active": True}, name="employee_reactivate"),
    path("roles/<int:pk>/reset-password/", views.employee_password_reset, name="employee_password_reset"),
    path("roles/<int:pk>/unlock/", views.employee_unlock, name="employee_unlock"),
]

urlpatterns = [
    path("login/", views.EmployeeLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((account_patterns, "accounts"))),
]
