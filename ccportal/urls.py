"""Root URLs: one include per app, the API under /api/, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path

from ccportal import views

admin.site.site_header = "1PWR CC portal administration"
admin.site.site_title = "CC portal admin"

urlpatterns = [
    path("health", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("ccportal.api")),
    path("", include("accounts.urls")),
    path("", include("customers.urls")),
    path("", include("contracts.urls")),
    path("", include("billing.urls")),
    path("", include("reports.urls")),
    path("", include("jobs.urls")),
    path("", include("datatools.urls")),
]

handler403 = "ccportal.errors.permission_denied"
handler404 = "ccportal.errors.page_not_found"
