"""The commissioning form: the fields of the Identify, Details, Contract and Sign steps, validated on the server."""

import base64
import binascii
import re
import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone

from ccportal import bounds
from ccportal.fields import DateField
from ccportal.normalize import NormalisationError, phone_normalise
from contracts.models import Commissioning
from contracts.selectors import accounts_for_commissioning
from contracts.services import SIGNATORY_UPLOAD_MAX_BYTES, CommissioningError, provider_signature_png, signature_png_check
from customers.models import CustomerType

STEP_OF_FIELD = {
    "account": 1,
    "connection_date": 2,
    "customer_type": 2,
    "national_id": 2,
    "phone": 2,
    "service_phase": 2,
    "ampacity": 2,
    "gps_lat": 2,
    "gps_lng": 2,
    "contract_read": 3,
    "signature": 4,
}
_NATIONAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /-]{3,48}[A-Za-z0-9]$")
_DATA_URL = "data:image/png;base64,"


def png_from_data_url(value):
    """The PNG bytes of the signature pad's data URL; ValidationError when it did not come through."""
    value = (value or "").strip()
    if not value.startswith(_DATA_URL):
        raise forms.ValidationError("The signature did not come through: clear it and sign again.")
    try:
        return base64.b64decode(value[len(_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise forms.ValidationError("The signature did not come through: clear it and sign again.") from exc


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, account):
        meter = f" · meter {account.meter_id}" if account.meter_id else " · no meter"
        return f"{account.accountnumber}{meter}"


class CommissionForm(forms.Form):
    account = AccountChoiceField(queryset=None, empty_label=None)
    connection_date = DateField()  # past days from 2000 on: clean_connection_date
    customer_type = forms.ChoiceField(choices=[("", "Choose…"), *CustomerType.choices])
    national_id = forms.CharField(label="National ID or passport", max_length=50)
    phone = forms.CharField(label="Phone", max_length=30, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    service_phase = forms.ChoiceField(choices=Commissioning.Phase.choices, initial=Commissioning.Phase.SINGLE)
    ampacity = forms.CharField(max_length=30, initial="Standard", help_text="“Standard” is the 60 A service.")
    gps_lat = forms.DecimalField(label="Latitude", required=False, min_value=-90, max_value=90)
    gps_lng = forms.DecimalField(label="Longitude", required=False, min_value=-180, max_value=180)
    contract_read = forms.BooleanField(
        label="I have read the contract with the customer",
        error_messages={"required": "Read the contract with the customer before they sign."},
    )
    signature = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": "The customer must sign before you continue."}
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["account"].queryset = accounts_for_commissioning(customer)

    def clean_connection_date(self):
        value = self.cleaned_data["connection_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("The connection date cannot be in the future.")
        if value < bounds.EARLIEST_DATE:
            raise forms.ValidationError("Check the year of the connection date.")
        return value

    def clean_national_id(self):
        value = " ".join(self.cleaned_data["national_id"].split())
        if not _NATIONAL_ID.match(value):
            raise forms.ValidationError("Use the letters and digits of the ID or passport, e.g. 012345678901.")
        return value

    def clean_phone(self):
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except NormalisationError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_ampacity(self):
        return self.cleaned_data["ampacity"].strip() or "Standard"

    def clean_signature(self):
        value = self.cleaned_data["signature"].strip()
        data = png_from_data_url(value)
        try:
            signature_png_check(data)
        except CommissioningError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.signature_png = data
        return value

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("gps_lat"), cleaned.get("gps_lng")
        if (lat is None) != (lng is None) and not (self.has_error("gps_lat") or self.has_error("gps_lng")):
            self.add_error("gps_lng" if lng is None else "gps_lat", "Give both latitude and longitude, or neither.")
        for name in ("gps_lat", "gps_lng"):
            if cleaned.get(name) is not None:
                cleaned[name] = cleaned[name].quantize(Decimal("0.000001"))
        return cleaned

    def first_error_step(self):
        steps = [STEP_OF_FIELD.get(name, 1) for name in self.errors]
        return min(steps) if steps else 1

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "account": data["account"],
            "connection_date": data["connection_date"],
            "customer_type": data["customer_type"],
            "national_id": data["national_id"],
            "phone": data["phone"],
            "service_phase": data["service_phase"],
            "ampacity": data["ampacity"],
            "gps_lat": data.get("gps_lat"),
            "gps_lng": data.get("gps_lng"),
            "signature_png": self.signature_png,
            "submission_key": data["submission_key"],
        }


def commission_initial(customer, accounts):
    """The form pre-filled from the customer's record (Identify step)."""
    initial = {
        "account": accounts[0].pk if accounts else None,
        "connection_date": customer.date_service_connected or timezone.localdate(),
        "customer_type": customer.customer_type,
        "national_id": customer.national_id,
        "phone": customer.phone or customer.cell_phone_1,
        "gps_lat": customer.gps_y,
        "gps_lng": customer.gps_x,
    }
    return {key: value for key, value in initial.items() if value not in (None, "")}


class ProviderSignatoryForm(forms.Form):
    """Who signs for the company: a signature drawn on the pad, or an uploaded scan (PNG or JPEG)."""

    name = forms.CharField(max_length=120, help_text="As it appears under the signature, e.g. Thato Mokoena.")
    title = forms.CharField(label="Capacity (English)", max_length=120, initial="Authorised signatory")
    title_st = forms.CharField(label="Capacity (Sesotho)", max_length=120, initial="Ea lumelletsoeng ho saena")
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    signature_file = forms.FileField(
        label="Or upload a scan", required=False, help_text="PNG or JPEG, at most 2 MB, dark ink on white or transparent."
    )
    reason = forms.CharField(max_length=255, help_text="Why it changes, e.g. new managing director.")

    def clean(self):
        cleaned = super().clean()
        upload, drawn = cleaned.get("signature_file"), cleaned.get("signature")
        try:
            if upload:
                data = upload.read(SIGNATORY_UPLOAD_MAX_BYTES + 1)
            elif drawn:
                data = png_from_data_url(drawn)
            else:
                raise forms.ValidationError("Draw the signature on the pad or upload an image of it.")
            self.signature_png = provider_signature_png(data)
        except CommissioningError as exc:
            self.add_error("signature_file" if upload else "signature", str(exc))
        except forms.ValidationError as exc:
            self.add_error("signature", exc)
        return cleaned
