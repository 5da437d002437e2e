"""The messages pages: the outbox list (filters, paging, fixed queries), a message and its resend, the templates
with their preview, the low-balance settings, a customer's messages, and the printable receipt and statement."""

import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging import services
from messaging.models import CustomerPreference, Kind, LowBalanceRule, Message, MessageTemplate
from tests.factories import AccountNumberFactory, LedgerRowFactory, aware
from tests.messaging.test_sending import queue

pytestmark = pytest.mark.django_db


def pdf_text(content):
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def pdf_page_size_mm(content):
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    line = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(x) for x in line.split(":")[1].split("pts")[0].split(" x "))
    return round(width / 72 * 25.4), round(height / 72 * 25.4)


def test_the_list_filters_and_pages_in_a_fixed_number_of_queries(account, generic_client, django_assert_max_num_queries):
    for i in range(60):
        queue(account.customer, key=f"t:{i}", text=f"message {i}")
    other = AccountNumberFactory(accountnumber="0007KET", customer__site_code="KET", customer__phone="+26662000007")
    failed = queue(other.customer, key="ket:1")
    Message.objects.filter(pk=failed.pk).update(status=Message.Status.FAILED, status_reason="gateway down", site_code="KET")
    url = reverse("messaging:list")
    with django_assert_max_num_queries(7):
        response = generic_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and "Page 1 of 2 · 61 messages" in html
    assert "development SMS backend: nothing is sent" in html
    with django_assert_max_num_queries(7):
        page2 = generic_client.get(url, {"page": 2}, HTTP_HX_REQUEST="true")
    assert "<html" not in page2.content.decode() and page2["Vary"].find("HX-Request") >= 0
    only_failed = generic_client.get(url, {"status": "failed", "site": "ket"}).content.decode()
    assert "1 messages" in only_failed and "gateway down" in only_failed
    assert "1 messages" in generic_client.get(url, {"number": "62000007"}).content.decode()
    assert (
        "61 messages"
        in generic_client.get(url, {"kind": "manual", "date_from": timezone.localdate().isoformat()}).content.decode()
    )
    bad = generic_client.get(url, {"date_from": "2026-03-05", "date_to": "2026-03-01", "site": "12"})
    assert bad.status_code == 400 and "The end date is before the start date." in bad.content.decode()


def test_a_failed_message_is_resent_with_a_reason_by_those_who_may(account, fake_at, finance_client, generic_client):
    fake_at.invalid.add("+26657755403")
    message = services.message_deliver(message_id=queue(account.customer).pk)
    assert message.status == Message.Status.FAILED
    detail = generic_client.get(reverse("messaging:detail", args=[message.pk])).content.decode()
    assert "InvalidPhoneNumber" in detail and "Send again" not in detail  # generic may not resend
    assert generic_client.post(reverse("messaging:resend", args=[message.pk]), {"reason": "x"}).status_code == 403
    page = finance_client.get(reverse("messaging:detail", args=[message.pk])).content.decode()
    assert "Send again" in page
    no_reason = finance_client.post(reverse("messaging:resend", args=[message.pk]), {"reason": ""})
    assert no_reason.status_code == 400
    fake_at.invalid.clear()
    with_reason = finance_client.post(reverse("messaging:resend", args=[message.pk]), {"reason": "number fixed at the gateway"})
    assert with_reason.status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.history.first().history_change_reason == "Resent: number fixed at the gateway"
    assert services.message_deliver(message_id=message.pk).status == Message.Status.SENT
    # A sent message is not sent again.
    assert finance_client.post(reverse("messaging:resend", args=[message.pk]), {"reason": "again"}).status_code == 400


def test_templates_are_edited_by_superadmins_with_a_preview(admin_client, onm_client, superadmin):
    listing = onm_client.get(reverse("messaging:templates")).content.decode()
    assert "Patala ea M{amount}" in listing and "Edit" not in listing
    url = reverse("messaging:template_edit", args=["receipt", "en"])
    assert onm_client.get(url).status_code == 403
    assert "1 SMS part" in admin_client.get(url).content.decode()
    preview = admin_client.get(
        reverse("messaging:template_preview", args=["receipt", "en"]), {"text": "Paid M{amount} → {balance_kwh}"}
    )
    html = preview.content.decode()
    assert "Paid M50.00 → 12.500" in html and "UCS-2" in html
    long = admin_client.get(reverse("messaging:template_preview", args=["receipt", "en"]), {"text": "x" * 150 + " {receipt}"})
    assert "2 SMS parts" in long.content.decode() and "GSM-7" in long.content.decode()
    bad = admin_client.post(url, {"text": "Paid {amount.__class__}", "reason": "try"})
    assert bad.status_code == 400 and "is not a placeholder" in bad.content.decode()
    saved = admin_client.post(url, {"text": "Paid M{amount}, balance {balance_kwh} kWh, receipt {receipt}.", "reason": "shorter"})
    assert saved.status_code == 302
    template = MessageTemplate.objects.get(kind="receipt", language="en")
    assert template.history.first().history_user == superadmin
    assert admin_client.get(reverse("messaging:template_edit", args=["manual", "en"])).status_code == 404


def test_the_low_balance_settings_are_changed_by_superadmins(admin_client, onm_client):
    from customers.models import Site

    Site.objects.get_or_create(code="MAK", defaults={"name": "Ha Makebe"})
    page = onm_client.get(reverse("messaging:settings")).content.decode()
    assert "below <strong>5" in page and "Change a rule" not in page
    assert (
        onm_client.post(reverse("messaging:settings"), {"threshold_kwh": "3", "clear_kwh": "8", "reason": "x"}).status_code == 403
    )
    response = admin_client.post(
        reverse("messaging:settings"),
        {
            "threshold_kwh": "3",
            "clear_kwh": "8",
            "max_per_day": "1",
            "quiet_start": "22:00",
            "quiet_end": "06:30",
            "reason": "new policy",
        },
    )
    assert response.status_code == 302
    rule = LowBalanceRule.objects.get(site_code="")
    assert rule.threshold_kwh == Decimal("3.000") and rule.max_per_day == 1 and rule.quiet_end.hour == 6
    bad = admin_client.post(reverse("messaging:settings"), {"threshold_kwh": "3", "clear_kwh": "2", "reason": "x"})
    assert bad.status_code == 400 and "above the alert level" in bad.content.decode()
    admin_client.post(
        reverse("messaging:settings"), {"site_code": "MAK", "threshold_kwh": "1", "clear_kwh": "4", "reason": "small"}
    )
    site_rule = LowBalanceRule.objects.get(site_code="MAK")
    admin_client.post(reverse("messaging:rule_delete", args=[site_rule.pk]), {"reason": "back to global"})
    assert not LowBalanceRule.objects.filter(site_code="MAK").exists()


def test_customer_pages_show_the_customers_messages_and_preferences(account, onm_client, generic_client):
    queue(account.customer, text="Lumela")
    payment = LedgerRowFactory(accountnumber=account.pk)
    detail = onm_client.get(reverse("customers:detail", args=[account.customer.pk])).content.decode()
    partial_url = reverse("messaging:customer_messages", args=[account.customer.pk])
    assert f'hx-get="{partial_url}"' in detail
    data = onm_client.get(reverse("billing:account_data", args=[account.pk])).content.decode()
    assert f'hx-get="{partial_url}"' in data and reverse("messaging:statement_pdf", args=[account.pk]) in data
    assert reverse("messaging:receipt_pdf", args=[payment.pk]) in data
    partial = onm_client.get(partial_url, HTTP_HX_REQUEST="true").content.decode()
    assert "Lumela" in partial and "Sesotho" in partial and "Language and opt-out" in partial
    assert "Language and opt-out" not in generic_client.get(partial_url, HTTP_HX_REQUEST="true").content.decode()
    no_reason = onm_client.post(
        reverse("messaging:customer_preference", args=[account.customer.pk]),
        {"language": "en", "opted_out": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert no_reason.status_code == 400 and not CustomerPreference.objects.filter(opted_out=True).exists()
    saved = onm_client.post(
        reverse("messaging:customer_preference", args=[account.customer.pk]),
        {"language": "en", "opted_out": "on", "reason": "asked at the office"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "Opted out" in saved.content.decode()
    assert generic_client.post(reverse("messaging:customer_send", args=[account.customer.pk]), {"text": "hi"}).status_code == 403


def test_staff_may_type_a_message(account, finance_client):
    response = finance_client.post(
        reverse("messaging:customer_send", args=[account.customer.pk]), {"text": "Your meter is fixed.", "reason": "call"}
    )
    assert response.status_code == 302
    message = Message.objects.get(kind=Kind.MANUAL)
    assert (
        message.text == "Your meter is fixed."
        and message.status == Message.Status.NOT_SENT_DEVELOPMENT
        or message.status == Message.Status.QUEUED
    )


def test_the_receipt_prints_in_english_and_sesotho_on_a4_and_80mm(account, generic_client):
    entry = LedgerRowFactory(
        accountnumber=account.pk,
        transaction_date=aware(2026, 3, 1, 14, 5),
        transaction_amount=Decimal("50.00"),
        kwh_value=Decimal("10.000"),
        current_balance=Decimal("10.000"),
    )
    url = reverse("messaging:receipt_pdf", args=[entry.pk])
    english = generic_client.get(url)
    assert english.status_code == 200 and english["Content-Type"] == "application/pdf"
    text = pdf_text(english.content)
    assert (
        "Payment receipt" in text
        and "LSL 50.00" in text
        and "10.000 kWh" in text
        and "0045MAK" in text
        and f"L{entry.pk}" in text
    )
    assert pdf_page_size_mm(english.content) == (210, 297)
    sesotho = generic_client.get(url, {"lang": "st", "size": "80mm"})
    text = pdf_text(sesotho.content)
    assert "Rasiti ea patala" in text and "Chelete e lefiloeng" in text
    assert pdf_page_size_mm(sesotho.content)[0] == 80
    assert generic_client.get(url, {"lang": "fr"}).status_code == 400
    consumption = LedgerRowFactory(accountnumber=account.pk, payment=False)
    assert generic_client.get(reverse("messaging:receipt_pdf", args=[consumption.pk])).status_code == 404


def test_the_statement_prints_a_date_range(account, generic_client):
    LedgerRowFactory(accountnumber=account.pk, transaction_date=aware(2026, 2, 20), current_balance=Decimal("10.000"))
    LedgerRowFactory(accountnumber=account.pk, transaction_date=aware(2026, 3, 1), current_balance=Decimal("20.000"))
    LedgerRowFactory(
        accountnumber=account.pk,
        transaction_date=aware(2026, 3, 2),
        payment=False,
        kwh_value=Decimal("-4"),
        transaction_amount=Decimal("-20"),
        current_balance=Decimal("16.000"),
    )
    url = reverse("messaging:statement_pdf", args=[account.pk])
    response = generic_client.get(url, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    text = pdf_text(response.content)
    assert "Account statement" in text and "2026-03-01 – 2026-03-31" in text
    assert "Opening balance 10.000 kWh" in text and "Closing balance 16.000 kWh" in text
    assert "Total paid LSL 50.00" in text and "kWh used 4.000" in text
    sesotho = pdf_text(
        generic_client.get(url, {"date_from": "2026-03-01", "date_to": "2026-03-31", "lang": "st", "size": "80mm"}).content
    )
    assert "Tlaleho ea ak'haonte" in sesotho and "Tšebeliso" in sesotho
    assert generic_client.get(url, {"date_from": "2026-03-05", "date_to": "2026-03-01"}).status_code == 400
    assert generic_client.get(reverse("messaging:statement_pdf", args=["9999XYZ"])).status_code == 404
