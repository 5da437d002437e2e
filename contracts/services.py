"""Every state change of the contracts app: commissioning a customer and issuing contract versions."""

import hashlib
import io
import logging
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from billing.selectors import tariff_rate_for
from ccportal.history import history_save
from ccportal.normalize import NormalisationError, phone_normalise
from contracts.models import Commissioning, ContractVersion, Language, ProviderSignatory, private_storage
from contracts.rendering import (
    LANGUAGES,
    ContractRenderError,
    ContractTerms,
    contract_context,
    contract_html,
    contract_pdf,
)
from contracts.selectors import accounts_for_commissioning
from contracts.signals import commissioned
from customers.models import AccountNumber, Customer

logger = logging.getLogger("contracts")

SIGNATURE_MAX_BYTES = 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class CommissioningError(Exception):
    """Commissioning refused before anything was written; the message is shown to the user."""


def signature_png_check(data):
    """Raise CommissioningError unless ``data`` is a PNG with at least one visible stroke."""
    if not data:
        raise CommissioningError("The customer's signature is missing.")
    if len(data) > SIGNATURE_MAX_BYTES or not data.startswith(PNG_MAGIC):
        raise CommissioningError("The signature is not a PNG image of at most 1 MB.")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            # The size from the header, before any pixel is unpacked: 1 MB of PNG can claim gigabytes of pixels.
            if not (50 <= image.width <= 4000 and 20 <= image.height <= 2000):
                raise CommissioningError("The signature image has an unexpected size.")
            image.load()
            alpha = image.convert("RGBA").getchannel("A")
            gray = image.convert("L")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise CommissioningError("The signature image could not be read.") from exc
    # Visible ink: an opaque pixel that is not white.
    ink = Image.eval(gray, lambda v: 255 if v < 200 else 0)
    from PIL import ImageChops

    if ImageChops.multiply(ink, alpha).getbbox() is None:
        raise CommissioningError("The signature is empty: ask the customer to sign.")


SIGNATORY_UPLOAD_MAX_BYTES = 2 * 1024 * 1024


def provider_signature_png(data):
    """The provider's signature as a clean PNG (re-encoded, so nothing but pixels is kept), from the PNG the
    signature pad sends or an uploaded PNG or JPEG scan. Raises CommissioningError saying what is wrong."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise CommissioningError("Draw the signature or upload an image of it.")
    if len(data) > SIGNATORY_UPLOAD_MAX_BYTES:
        raise CommissioningError("The signature image is larger than 2 MB: crop or scale it down.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise CommissioningError("The signature must be a PNG or JPEG image.")
            if not (50 <= image.width <= 4000 and 20 <= image.height <= 2000):  # checked before the pixels are read
                raise CommissioningError("The signature image has an unexpected size (50-4000 by 20-2000 pixels).")
            image.load()
            buffer = io.BytesIO()
            image.convert("RGBA").save(buffer, "PNG")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CommissioningError("The signature image could not be read.") from exc
    png = buffer.getvalue()
    signature_png_check(png)
    return png


@transaction.atomic
def provider_signatory_set(*, name, title, title_st, signature_png, by, reason):
    """Set who signs every contract for the company from now on (contracts already issued keep theirs)."""
    png = provider_signature_png(signature_png)
    signatory = ProviderSignatory.objects.select_for_update().first() or ProviderSignatory()
    signatory.name, signatory.title, signatory.title_st = name.strip(), title.strip(), title_st.strip()
    signatory.signature.save("provider.png", ContentFile(png), save=False)
    signatory.signature_sha256 = hashlib.sha256(png).hexdigest()
    signatory.updated_by, signatory.updated_at = by, timezone.now()
    # The previous image file stays: its history record names it, so a revert brings it back.
    return history_save(signatory, by=by, reason=reason)


def _next_version(account, language):
    latest = (
        ContractVersion.objects.filter(account=account, language=language)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (latest or 0) + 1


def _terms_from_customer(customer):
    """The terms as the customer's record stands now (for previews)."""
    from decimal import Decimal

    return ContractTerms(
        connection_date=customer.date_service_connected or timezone.localdate(),
        customer_type=customer.customer_type or "HH",
        national_id=customer.national_id,
        phone=customer.phone or customer.cell_phone_1,
        gps_lat=Decimal(f"{customer.gps_y:.6f}") if customer.gps_y is not None else None,
        gps_lng=Decimal(f"{customer.gps_x:.6f}") if customer.gps_x is not None else None,
    )


def contract_preview_pdf(*, customer, language, account=None, signature_png=None):
    """The contract ``customer`` would get now, as PDF bytes. Stores nothing (render_contract, benchmarks)."""
    if language not in LANGUAGES:
        raise ContractRenderError(f"There is no contract in the language {language!r}: use en or st.")
    if account is None:
        account = accounts_for_commissioning(customer).first()
    tariff = tariff_rate_for(customer=customer)
    context = contract_context(
        customer=customer,
        account=account,
        terms=_terms_from_customer(customer),
        language=language,
        tariff=tariff,
        signature_png=signature_png,
    )
    return contract_pdf(context)


def contract_preview_texts(*, customer, account):
    """Both contracts as the customer reads them before signing, {"en": html, "st": html} (rendering.contract_html,
    the text the PDFs are made from); ContractRenderError while no provider signatory is set."""
    terms = _terms_from_customer(customer)
    tariff = tariff_rate_for(customer=customer)
    return {
        language: contract_html(
            contract_context(customer=customer, account=account, terms=terms, language=language, tariff=tariff),
            preview=True,
        )
        for language in LANGUAGES
    }


def contract_pair_render(customer, *, account=None, signature_png=None):
    """Both contracts (English and Sesotho) for ``customer`` as {"en": bytes, "st": bytes}; stores nothing.
    The benchmark calls this: the pair should take well under a second."""
    return {
        language: contract_preview_pdf(customer=customer, language=language, account=account, signature_png=signature_png)
        for language in LANGUAGES
    }


@transaction.atomic
def customer_commission(
    *,
    customer,
    account,
    connection_date,
    customer_type,
    national_id,
    phone,
    signature_png,
    by,
    service_phase=Commissioning.Phase.SINGLE,
    ampacity="Standard",
    gps_lat=None,
    gps_lng=None,
    submission_key=None,
    link_base_url="",
):
    """Commission ``account`` of ``customer`` in one transaction: update `tblcustomer` and the meter, record the
    commissioning and its signature, and issue the English and Sesotho contracts as new versions.

    The contracts are rendered before anything is written: if rendering fails (ContractRenderError) nothing is
    saved. After the commit, contracts.signals.commissioned announces it (messaging queues the SMS with the
    contract link in its outbox)."""
    if submission_key:
        earlier = Commissioning.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    account = AccountNumber.objects.select_related("meter").get(pk=getattr(account, "pk", account))
    if account.customer_id != customer.pk:
        raise CommissioningError(f"Account {account} belongs to another customer.")
    if account.meter is not None and account.meter.accountnumber not in ("", account.accountnumber):
        raise CommissioningError(
            f"Meter {account.meter.pk} was assigned to account {account.meter.accountnumber} meanwhile: "
            f"account {account.accountnumber} cannot be commissioned on it."
        )
    try:
        phone = phone_normalise(phone)
    except NormalisationError as exc:
        raise CommissioningError(str(exc)) from exc
    national_id = (national_id or "").strip()
    if not phone or not national_id:
        raise CommissioningError("The phone number and the national ID are required.")
    signature_png_check(signature_png)

    now = timezone.now()
    tariff = tariff_rate_for(customer=customer, on=now)
    terms = ContractTerms(
        connection_date=connection_date,
        customer_type=customer_type,
        national_id=national_id,
        phone=phone,
        service_phase=service_phase,
        ampacity=ampacity or "Standard",
        gps_lat=gps_lat,
        gps_lng=gps_lng,
    )
    customer.date_service_connected = connection_date
    customer.customer_type = customer_type
    customer.national_id = national_id
    customer.phone = phone
    if gps_lat is not None and gps_lng is not None:
        customer.gps_y, customer.gps_x = float(gps_lat), float(gps_lng)

    versions = {language: _next_version(account, language) for language in LANGUAGES}
    pdfs = {
        language: contract_pdf(
            contract_context(
                customer=customer,
                account=account,
                terms=terms,
                language=language,
                tariff=tariff,
                version=versions[language],
                signature_png=signature_png,
                issued_at=now,
            )
        )
        for language in LANGUAGES
    }

    reason = f"Commissioned account {account.accountnumber}"
    written = []
    try:
        history_save(customer, by=by, reason=reason)
        meter = account.meter
        if meter is not None:
            meter.customer = customer
            meter.accountnumber = meter.accountnumber or account.accountnumber
            meter.customer_connect_date = connection_date
            meter.customer_type = customer_type
            meter.current_status = "active"
            if gps_lat is not None and gps_lng is not None:
                meter.latitude, meter.longitude = float(gps_lat), float(gps_lng)
            history_save(meter, by=by, reason=reason)

        commissioning = Commissioning(
            customer=customer,
            account=account,
            meter=meter,
            commissioned_by=by,
            commissioned_at=now,
            connection_date=connection_date,
            customer_type=customer_type,
            national_id=national_id,
            phone=phone,
            gps_lat=gps_lat,
            gps_lng=gps_lng,
            service_phase=service_phase,
            ampacity=terms.ampacity,
            tariff_rate_lsl=tariff.rate_lsl,
            tariff_source=tariff.source,
            signature_sha256=hashlib.sha256(signature_png).hexdigest(),
            submission_key=submission_key,
        )
        commissioning.signature.save("signature.png", ContentFile(signature_png), save=False)
        written.append(commissioning.signature.name)
        history_save(commissioning, by=by, reason=reason)

        for language in LANGUAGES:
            version = ContractVersion(
                customer=customer,
                account=account,
                commissioning=commissioning,
                language=language,
                version=versions[language],
                sha256=hashlib.sha256(pdfs[language]).hexdigest(),
                size_bytes=len(pdfs[language]),
                tariff_rate_lsl=tariff.rate_lsl,
                created_by=by,
                created_at=now,
            )
            version.file.save(f"{language}.pdf", ContentFile(pdfs[language]), save=False)
            written.append(version.file.name)
            history_save(version, by=by, reason=f"{reason}: {Language(language).label} contract v{version.version}")
    except BaseException:
        # The database rolls back by itself; files on disk do not.
        for name in written:
            private_storage().delete(name)
        raise

    transaction.on_commit(
        partial(
            commissioned.send_robust,
            sender=Commissioning,
            commissioning_id=commissioning.pk,
            by=by,
            link_base_url=link_base_url,
        )
    )
    return commissioning
