"""Forms of the messages pages: the outbox filter, resend, templates, customer preferences, low-balance rules,
and the receipt/statement print options."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from ccportal.fields import DateField
from messaging.models import Kind, Language, Message

EARLIEST = timezone.datetime(2000, 1, 1).date()


def _plausible(day, field):
    if day is None:
        return day
    if day < EARLIEST or day > timezone.localdate() + timedelta(days=366):
        raise forms.ValidationError(f"Give a {field} between 2000 and next year.")
    return day


class _DateRangeForm(forms.Form):
    """From and to, each plausible, the end not before the start (the outbox filter and the statement print)."""

    date_from = DateField(required=False, label="From")
    date_to = DateField(required=False, label="To")

    def clean_date_from(self):
        return _plausible(self.cleaned_data["date_from"], "start date")

    def clean_date_to(self):
        return _plausible(self.cleaned_data["date_to"], "end date")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class MessageFilterForm(_DateRangeForm):
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Message.Status.choices])
    site = forms.CharField(required=False, max_length=3, label="Site")
    number = forms.CharField(required=False, max_length=30, label="Number or account")
    customer = forms.IntegerField(required=False, min_value=1, max_value=2_147_483_647, widget=forms.HiddenInput)
    field_order = ["kind", "status", "site", "number", "customer", "date_from", "date_to"]

    def clean_site(self):
        site = self.cleaned_data["site"].strip().upper()
        if site and not (len(site) == 3 and site.isalpha()):
            raise forms.ValidationError("A site code is three letters, e.g. MAK.")
        return site


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, label="Why (kept in the message's history)")


class TemplateForm(forms.Form):
    text = forms.CharField(max_length=918, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(max_length=100, required=False, label="Why (kept in the history)")


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
    opted_out = forms.BooleanField(required=False, label="Opted out of messages")
    reason = forms.CharField(max_length=200, required=False, label="Why")


class ManualMessageForm(forms.Form):
    text = forms.CharField(max_length=918, widget=forms.Textarea(attrs={"rows": 3}), label="Message")
    reason = forms.CharField(max_length=100, required=False, label="Why")


class LowBalanceRuleForm(forms.Form):
    site_code = forms.CharField(required=False, max_length=3, label="Site (empty: every site)")
    threshold_kwh = forms.DecimalField(min_value=0, max_value=10_000, decimal_places=3, label="Alert below (kWh)")
    clear_kwh = forms.DecimalField(min_value=0, max_value=10_000, decimal_places=3, label="Clear above (kWh)")
    max_per_day = forms.IntegerField(required=False, min_value=1, max_value=20, label="At most per day (every site)")
    quiet_start = forms.TimeField(required=False, label="Quiet from", widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(required=False, label="Quiet until", widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(max_length=100, label="Why")

    def clean(self):
        data = super().clean()
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            self.add_error("quiet_end", "Give both ends of the quiet hours, or neither.")
        return data


class PrintForm(_DateRangeForm):
    size = forms.ChoiceField(choices=[("a4", "A4"), ("80mm", "80 mm receipt printer")], required=False)
    lang = forms.ChoiceField(choices=[("en", "English"), ("st", "Sesotho")], required=False)
    field_order = ["size", "lang", "date_from", "date_to"]

    def clean(self):
        data = super().clean()
        data["size"] = data.get("size") or "a4"
        data["lang"] = data.get("lang") or "en"
        return data
