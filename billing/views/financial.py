"""The Financial page: sales, active customers and ARPU per site and quarter, and its XLSX download."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import roles
from billing.financial import financial_summary, financial_xlsx
from ccportal import charts
from customers.models import Site

# --- Financial -------------------------------------------------------------------------------------------


def _financial_site(request):
    code = (request.GET.get("site") or "").strip().upper()
    return code if Site.objects.filter(code=code).exists() else ""


@require_GET
@roles.require(roles.is_employee)
def financial(request):
    site = _financial_site(request)
    summary = financial_summary(site_code=site or None)
    labels = summary["labels"]
    figures = {}
    if labels:
        figures["arpu"] = charts.line_chart(
            labels, {"ARPU": [q["arpu"] or 0 for q in summary["quarters"]]}, title="ARPU per quarter", unit="LSL"
        )
        figures["revenue"] = charts.bar_chart(
            labels, [q["sales"] for q in summary["quarters"]], title="Revenue per quarter", unit="LSL"
        )
        figures["by_site"] = charts.stacked_bar_chart(
            labels, {row["site"]: row["sales"] for row in summary["table"]}, title="Revenue by site per quarter", unit="LSL"
        )
    context = {"summary": summary, "figures": figures, "site": site, "sites": Site.objects.order_by("code")}
    return render(request, "billing/financial.html", context)


@require_GET
@roles.require(roles.is_employee)
def financial_download(request):
    site = _financial_site(request)
    content = financial_xlsx(site_code=site or None)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="financial{"-" + site if site else ""}.xlsx"'
    return response
