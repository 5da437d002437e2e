"""The Financial page: sales, active customers and ARPU per site and quarter, and its XLSX download."""

import io

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import roles
from billing.financial import financial_summary
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
    from openpyxl import Workbook

    site = _financial_site(request)
    summary = financial_summary(site_code=site or None)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Revenue by site"
    sheet.append(["Site", *summary["labels"], "Total"])
    for row in summary["table"]:
        sheet.append([row["site"], *row["sales"], row["total"]])
    sheet.append(["Total", *summary["totals"], summary["grand_total"]])
    quarters = workbook.create_sheet("ARPU by quarter")
    quarters.append(["Quarter", "Revenue (LSL)", "Energy sold (kWh)", "Active customers", "ARPU (LSL)"])
    for q in summary["quarters"]:
        quarters.append([q["quarter"], q["sales"], q["energy"], q["active_customers"], q["arpu"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="financial{"-" + site if site else ""}.xlsx"'
    return response
