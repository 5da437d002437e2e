"""The DRF surface: employee-login JWT (accounts.api) and the O&M report (reports.api), plus the schema."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
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
urlpatterns += app_api("messaging.api_urls", "messages/")
