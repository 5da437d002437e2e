"""Report pages: the dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reports import selectors


@login_required
def dashboard(request):
    return render(request, "reports/dashboard.html", {"counts": selectors.dashboard_counts()})
