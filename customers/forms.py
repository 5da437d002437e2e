"""Forms for customers: the wizard steps, inline edit, meter assignment, terminate and delete."""

from django import forms
from django.forms import modelform_factory

from ccportal.fields import PlausibleDateField
from ccportal.normalize import NormalisationError, account_number_normalise, phone_normalise
from customers.models import Customer, CustomerType
from customers.selectors import site_choices
from customers.services import CUSTOMER_EDITABLE_FIELDS
from customers.sites import district_choices

GENDERS = [("", "—"), ("Female", "Female"), ("Male", "Male")]
PHONE_FIELDS = ("phone", "cell_phone_1", "cell_phone_2")


def _type_choices():
    return [("", "Choose a type")] + list(CustomerType.choices)


class CustomerForm(forms.ModelForm):
    """Every customer field with the portal's validation; the wizard steps and inline edit take subsets."""

    class Meta:
        model = Customer
        fields = CUSTOMER_EDITABLE_FIELDS
        field_classes = {"date_service_connected": PlausibleDateField, "date_service_terminated": PlausibleDateField}
        labels = {"gps_y": "GPS latitude", "gps_x": "GPS longitude", "city": "Village"}
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "+266 5775 5403"}),
            "cell_phone_1": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "cell_phone_2": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "gps_y": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "-29.123456"}),
            "gps_x": forms.NumberInput(attrs={"step": "0.000001", "placeholder": "27.654321"}),
        }

    required_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "site_code" in self.fields:
            self.fields["site_code"] = forms.ChoiceField(label="Site", choices=[("", "Choose a site")] + site_choices())
        if "district" in self.fields:
            recorded = self.instance.district if self.instance.pk else ""
            self.fields["district"] = forms.ChoiceField(
                label="District",
                choices=district_choices(recorded),
                required=False,
                error_messages={"invalid_choice": "Choose one of Lesotho's ten districts from the list."},
            )
        if "gender" in self.fields:
            self.fields["gender"] = forms.ChoiceField(choices=GENDERS, required=False)
        if "customer_type" in self.fields:
            self.fields["customer_type"] = forms.ChoiceField(label="Customer type", choices=_type_choices())
        for name in self.required_fields:
            if name in self.fields:
                self.fields[name].required = True

    def _clean_phone(self, name):
        try:
            return phone_normalise(self.cleaned_data.get(name))
        except NormalisationError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_phone(self):
        return self._clean_phone("phone")

    def clean_cell_phone_1(self):
        return self._clean_phone("cell_phone_1")

    def clean_cell_phone_2(self):
        return self._clean_phone("cell_phone_2")

    def clean_national_id(self):
        return (self.cleaned_data.get("national_id") or "").strip()

    def clean_gps_y(self):
        value = self.cleaned_data.get("gps_y")
        if value is not None and not -90 <= value <= 90:
            raise forms.ValidationError("A latitude lies between -90 and 90 (Lesotho is near -29.5).")
        return None if value is None else round(value, 6)

    def clean_gps_x(self):
        value = self.cleaned_data.get("gps_x")
        if value is not None and not -180 <= value <= 180:
            raise forms.ValidationError("A longitude lies between -180 and 180 (Lesotho is near 28.2).")
        return None if value is None else round(value, 6)

    def clean(self):
        cleaned = super().clean()
        connected, terminated = cleaned.get("date_service_connected"), cleaned.get("date_service_terminated")
        if connected and terminated and terminated < connected:
            self.add_error("date_service_terminated", "The service cannot end before it was connected.")
        return cleaned


class PersonalForm(CustomerForm):
    required_fields = ("first_name", "last_name")

    class Meta(CustomerForm.Meta):
        fields = ["first_name", "middle_name", "last_name", "gender", "national_id", "phone", "cell_phone_1"]


class LocationForm(CustomerForm):
    class Meta(CustomerForm.Meta):
        fields = ["site_code", "district", "city", "plot_number", "street_address", "gps_y", "gps_x"]


class ServiceForm(CustomerForm):
    class Meta(CustomerForm.Meta):
        fields = ["customer_type", "date_service_connected"]


WIZARD_STEPS = [
    ("personal", "Personal", PersonalForm),
    ("location", "Location", LocationForm),
    ("service", "Service", ServiceForm),
]


def customer_field_form(field_name):
    """A form editing one customer field, with the reason asked for every change."""
    base = modelform_factory(Customer, form=CustomerForm, fields=[field_name])

    class FieldForm(base):
        reason = forms.CharField(max_length=200, help_text="Why this change (kept in the history).")
        version = forms.CharField(widget=forms.HiddenInput, required=False)

    return FieldForm


class AssignMeterForm(forms.Form):
    meterid = forms.CharField(label="Meter serial", max_length=50)
    site_code = forms.ChoiceField(label="Site")
    customer_type = forms.ChoiceField(label="Customer type")
    village = forms.CharField(max_length=100, required=False)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.NumberInput(attrs={"step": "0.000001"}))
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.NumberInput(attrs={"step": "0.000001"})
    )
    connect_date = PlausibleDateField(label="Connection date", required=False)
    accountnumber = forms.CharField(
        label="Account number",
        required=False,
        max_length=20,
        help_text="Leave empty: the server gives the next free number. Type one (e.g. MAK0045) only to reuse a legacy number.",
    )

    def __init__(self, *args, second_account=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_code"].choices = [("", "Choose a site")] + site_choices()
        self.fields["customer_type"].choices = _type_choices()
        if second_account:  # the customer has an account already: another one only with a reason
            self.fields["reason"] = forms.CharField(
                label="Why another account",
                max_length=200,
                help_text="Kept in the history, e.g. a second meter for the customer's shop.",
                error_messages={"required": "Say why this customer needs another account."},
            )
            self.order_fields(["reason"])  # asked first, right under the accounts the customer has

    def clean_meterid(self):
        meterid = " ".join(self.cleaned_data["meterid"].split()).upper()
        if not meterid:
            raise forms.ValidationError("Type the meter serial.")
        return meterid

    def clean_accountnumber(self):
        value = self.cleaned_data.get("accountnumber")
        if not value:
            return ""
        try:
            return account_number_normalise(value)
        except NormalisationError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        number, site = cleaned.get("accountnumber"), cleaned.get("site_code")
        if number and site and number[-3:] != site:
            self.add_error("accountnumber", f"Account {number} belongs to site {number[-3:]}, not {site}.")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200)


class TerminateForm(forms.Form):
    on = PlausibleDateField(label="Service ended on")
    reason = forms.CharField(max_length=200)
