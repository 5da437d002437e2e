"""A URLconf standing in for the contracts app, to show Customer Detail links to it once it exists."""

from django.http import HttpResponse
from django.urls import include, path

contracts_patterns = (
    [path("customers/<int:pk>/commission/", lambda request, pk: HttpResponse(), name="commission")],
    "contracts",
)

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("customers.urls")),
    path("", include(contracts_patterns)),
    path("", include("reports.urls")),
]
