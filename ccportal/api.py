"""The DRF surface: employee-login JWT (accounts.api) and the O&M report (reports.api), plus the schema.

The schema and its docs are for logged-in employees (SPECTACULAR_SETTINGS SERVE_AUTHENTICATION/PERMISSIONS)."""

from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI. A browser without a session is sent to the login page (and back); a caller that sent an
    Authorization header, or another method than GET, gets the API's 401 like anywhere else."""

    def handle_exception(self, exc):
        browsing = self.request.method in ("GET", "HEAD") and "HTTP_AUTHORIZATION" not in self.request.META
        if isinstance(exc, NotAuthenticated) and browsing:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]


def app_api(module, prefix):
    """Mount an app's api urlpatterns when the app provides them."""
    from importlib import import_module

    try:
        import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return []
    return [path(prefix, include(module))]


urlpatterns += app_api("accounts.api_urls", "auth/")
urlpatterns += app_api("reports.api_urls", "om-report/")
urlpatterns += app_api("billing.api_urls", "payments/")
