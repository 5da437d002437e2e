"""The contract documents: their template context and their A4 PDF (WeasyPrint). Pure: nothing is stored here."""

import base64
import functools
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from ccportal.units import money

LANGUAGES = ("en", "st")
SESOTHO_MONTHS = (
    "Pherekhong",
    "Hlakola",
    "Hlakubele",
    "Mmesa",
    "Motšeanong",
    "Phupjane",
    "Phupu",
    "Phato",
    "Loetse",
    "Mphalane",
    "Pulungoana",
    "Tšitoe",
)
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


SESOTHO_CUSTOMER_TYPES = {
    "HH": "Lelapa",
    "SME": "Khoebo e nyane",
    "CHU": "Kereke",
    "SCP": "Morero oa sechaba",
    "SCH": "Sekolo",
    "GOV": "Mmuso",
    "COM": "Khoebo",
    "IND": "Indasteri",
}
PHASE_TEXT = {
    ("en", "Single"): "single-phase",
    ("en", "Three"): "three-phase",
    ("st", "Single"): "phase e le 'ngoe (single-phase)",
    ("st", "Three"): "li-phase tse tharo (three-phase)",
}


class ContractRenderError(Exception):
    """The contract could not be made; the message says why and is shown to the user."""


@dataclass(frozen=True)
class ContractTerms:
    """What the customer agrees to on the day: the details confirmed at commissioning."""

    connection_date: date
    customer_type: str
    national_id: str
    phone: str
    service_phase: str = "Single"
    ampacity: str = "Standard"
    gps_lat: Decimal | None = None
    gps_lng: Decimal | None = None


def long_date(value, language):
    months = SESOTHO_MONTHS if language == "st" else ENGLISH_MONTHS
    return f"{value.day} {months[value.month - 1]} {value.year}"


def _money_text(value):
    return f"M {money(value):,.2f}"


def _rate_text(value):
    """M 5.00, or M 4.8523 when the rate has more than two places."""
    value = Decimal(value)
    return f"M {value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"M {value.normalize():,f}"


def _phone_display(phone):
    """+26657755403 -> +266 5775 5403 (other forms are shown as stored)."""
    if len(phone) == 12 and phone.startswith("+266"):
        return f"{phone[:4]} {phone[4:8]} {phone[8:]}"
    return phone


NO_SIGNATORY = (
    "No one signs contracts for the company yet: a superadmin must set the provider's signatory "
    "(name, capacity and signature) on the Contract signatory page before any contract can be issued."
)


def provider_signatory_facts():
    """The provider's signatory as the contracts show it; ContractRenderError while none is set or its
    signature file is missing or altered."""
    from contracts.models import ProviderSignatory
    from contracts.selectors import provider_signature_read

    signatory = ProviderSignatory.objects.first()
    if signatory is None:
        raise ContractRenderError(NO_SIGNATORY)
    png = provider_signature_read(signatory)
    if png is None or hashlib.sha256(png).hexdigest() != signatory.signature_sha256:
        raise ContractRenderError(
            "The provider's signature image is missing or altered: a superadmin must set the signatory again."
        )
    return {
        "name": signatory.name,
        "title": {"en": signatory.title, "st": signatory.title_st},
        "signature_url": f"data:image/png;base64,{base64.b64encode(png).decode()}",
    }


def contract_context(*, customer, account, terms, language, tariff, version=None, signature_png=None, issued_at=None):
    """Everything a contract template shows, from the customer, the account, the day's terms and the tariff."""
    facts = settings.CC_CONTRACT
    organisation = settings.CC_ORGANISATION
    issued_at = timezone.localtime(issued_at or timezone.now())
    signatory = provider_signatory_facts()
    from customers.models import CustomerType

    return {
        "language": language,
        "customer": customer,
        "full_name": customer.full_name,
        "account_number": account.accountnumber if account else "",
        "meter_serial": (account.meter_id or "") if account else "",
        "site_code": customer.site_code,
        "terms": terms,
        "phone_display": _phone_display(terms.phone),
        "customer_type_label": (SESOTHO_CUSTOMER_TYPES if language == "st" else dict(CustomerType.choices)).get(
            terms.customer_type, terms.customer_type
        ),
        "supply_phase_text": PHASE_TEXT.get((language, terms.service_phase), terms.service_phase),
        "ampacity_text": facts["supply_ampacity"]
        if (terms.ampacity or "Standard").strip().lower() == "standard"
        else terms.ampacity,
        "connection_date_text": long_date(terms.connection_date, language),
        "issued_date_text": long_date(issued_at.date(), language),
        "issued_at": issued_at,
        "reference": f"{account.accountnumber if account else 'PREVIEW'}-{language.upper()}"
        + (f"-v{version}" if version else ""),
        "version": version,
        "tariff_rate_text": _rate_text(tariff.rate_lsl),
        "tariff": tariff,
        "provider": organisation["provider"],
        "administrator": organisation["administrator"],
        "service_phones": organisation["customer_service_phones"],
        "supply_voltage": facts["supply_voltage"],
        "supply_ampacity": facts["supply_ampacity"],
        "connection_fee_text": _money_text(facts["connection_fee_lsl"]),
        "minimum_restore_credit_text": _money_text(facts["minimum_restore_credit_lsl"]),
        "liability_cap_text": _money_text(facts["liability_cap_lsl"]),
        "tariff_notice_days": facts["tariff_notice_days"],
        "cpi_publisher": facts["cpi_publisher"],
        "payment_channels": facts["payment_channels"],
        "signatory_name": signatory["name"],
        "signatory_title": signatory["title"].get(language, signatory["title"]["en"]),
        "signatory_signature_url": signatory["signature_url"],
        "customer_signature_url": f"data:image/png;base64,{base64.b64encode(signature_png).decode()}" if signature_png else "",
    }


def _url_fetcher():
    """Images are embedded as data: URLs; any other address (file, http) is refused and fails the render."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


@functools.cache
def _stylesheet():
    """The print stylesheet, parsed and its selectors compiled once per process (a third of a render otherwise)."""
    from weasyprint import CSS

    return CSS(string=get_template("contracts/contract.css").template.source, url_fetcher=_url_fetcher())


def contract_html(context, *, preview=False):
    """The text of one contract as an HTML fragment (what its PDF shows, without the print page's running
    header and footer). ``preview`` marks the details still to be confirmed (contracts' term tag) and leaves out
    the reference and time of issue, which only an issued contract has."""
    return render_to_string(f"contracts/_contract_{context['language']}.html", {**context, "preview": preview})


def contract_preview_facts(accounts):
    """What the preview's script needs to show the details as they are typed, in the words the contracts use."""
    from customers.models import CustomerType

    return {
        "accounts": {str(a.pk): {"account_number": a.accountnumber, "meter_serial": a.meter_id or "—"} for a in accounts},
        "customer_types": {
            code: {"en": label, "st": SESOTHO_CUSTOMER_TYPES.get(code, code)} for code, label in CustomerType.choices
        },
        "phases": {phase: {language: PHASE_TEXT[(language, phase)] for language in LANGUAGES} for phase in ("Single", "Three")},
        "months": {"en": ENGLISH_MONTHS, "st": SESOTHO_MONTHS},
        "standard_ampacity": settings.CC_CONTRACT["supply_ampacity"],
    }


def contract_pdf(context):
    """The A4 PDF bytes of one contract, from contract_context(...)."""
    language = context["language"]
    if language not in LANGUAGES:
        raise ContractRenderError(f"There is no contract in the language {language!r}: use en or st.")
    try:
        from weasyprint import HTML

        html = render_to_string(f"contracts/contract_{language}.html", context)
        return HTML(string=html, url_fetcher=_url_fetcher()).write_pdf(stylesheets=[_stylesheet()])
    except ContractRenderError:
        raise
    except Exception as exc:  # WeasyPrint, fonts or the template: any failure means no contract
        raise ContractRenderError(f"The {language} contract could not be rendered: {exc}") from exc
