"""manage.py render_contract CUSTOMER_ID --lang en|st --output PATH: preview a customer's contract (stores nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contracts.rendering import LANGUAGES, ContractRenderError
from contracts.services import contract_preview_pdf
from customers.models import Customer


class Command(BaseCommand):
    help = "Render the contract a customer would get now, as a PDF file. A preview: nothing is stored."

    def add_arguments(self, parser):
        parser.add_argument("customer_id", help="the customer's ID (tblcustomer CUSTOMER ID)")
        parser.add_argument("--lang", default="en", help="en (English) or st (Sesotho); default en")
        parser.add_argument("--output", required=True, help="where to write the PDF")

    def handle(self, *args, customer_id, lang, output, **options):
        language = str(lang).strip().lower()
        if language not in LANGUAGES:
            raise CommandError(f"Unknown language {lang!r}: use en or st.")
        if not str(customer_id).strip().isdigit():
            raise CommandError(f"{customer_id!r} is not a customer ID: give the number, e.g. 45.")
        customer = Customer.objects.filter(pk=int(customer_id)).first()
        if customer is None:
            raise CommandError(f"There is no customer {customer_id}.")
        try:
            pdf = contract_preview_pdf(customer=customer, language=language)
        except ContractRenderError as exc:
            raise CommandError(str(exc)) from None
        path = Path(output)
        try:
            path.write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
        self.stdout.write(f"Wrote the {language} contract of customer {customer.pk} to {path} ({len(pdf):,} bytes).")
