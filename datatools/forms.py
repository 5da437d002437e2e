"""Forms of the audit and data tools: the Mutations filters, a revert's reason, and the Sync start form."""

from django import forms
from django.conf import settings

from accounts.models import Employee
from ccportal.fields import PlausibleDateField
from datatools.audit import ACTION_CHOICES, table_choices

ACDB_SUFFIXES = (".accdb", ".mdb")
# Access files start with a Jet or ACE signature at byte 4.
ACDB_SIGNATURES = (b"Standard Jet DB", b"Standard ACE DB")


class MutationFilterForm(forms.Form):
    table = forms.ChoiceField(required=False)
    employee = forms.ModelChoiceField(queryset=Employee.objects.order_by("employee_id"), required=False, empty_label="Anyone")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *ACTION_CHOICES])
    date_from = PlausibleDateField(required=False, label="From")
    date_to = PlausibleDateField(required=False, label="To")
    record = forms.CharField(required=False, max_length=50, label="Record key")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [("", "All tables"), *table_choices()]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class RevertForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, label="Why (kept in the audit trail)")


class SyncForm(forms.Form):
    SOURCE_UPLOAD = "upload"
    SOURCE_CONFIGURED = "configured"

    source = forms.ChoiceField(
        choices=[(SOURCE_UPLOAD, "Upload an ACDB file"), (SOURCE_CONFIGURED, "Use the configured source")],
        widget=forms.RadioSelect,
        initial=SOURCE_UPLOAD,
    )
    file = forms.FileField(required=False, label="ACDB file (.accdb or .mdb)")
    dry_run = forms.BooleanField(required=False, label="Dry run: report what would change, save nothing")

    def __init__(self, *args, configured_source="", **kwargs):
        super().__init__(*args, **kwargs)
        self.configured_source = configured_source
        if not configured_source:
            self.fields["source"].choices = self.fields["source"].choices[:1]

    def clean(self):
        data = super().clean()
        if data.get("source") == self.SOURCE_CONFIGURED:
            if not self.configured_source:
                self.add_error("source", "No source is configured (setting CC_ACDB_SOURCE).")
            return data
        upload = data.get("file")
        if upload is None:
            self.add_error("file", "Choose an .accdb or .mdb file.")
            return data
        if not upload.name.lower().endswith(ACDB_SUFFIXES):
            self.add_error("file", "Only Access files (.accdb or .mdb) can be imported.")
            return data
        limit = settings.CC_ACDB_UPLOAD_MAX_MB * 1024 * 1024
        if upload.size > limit:
            self.add_error("file", f"The file is larger than {settings.CC_ACDB_UPLOAD_MAX_MB:,} MB.")
            return data
        head = upload.read(32)
        upload.seek(0)
        if not any(head[4:].startswith(signature) for signature in ACDB_SIGNATURES):
            self.add_error("file", "This file is not an Access database.")
        return data
