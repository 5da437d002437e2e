"""Billing API: the payment lookup for the O&M portal and other tools (authentication from settings)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from billing import selectors


class IsEmployee(BasePermission):
    def has_permission(self, request, view):
        return roles.is_employee(request.user)


class LedgerRowOut(serializers.Serializer):
    id = serializers.IntegerField()
    transaction_date = serializers.DateTimeField()
    transaction_amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    rate_used = serializers.DecimalField(max_digits=10, decimal_places=4, coerce_to_string=False, allow_null=True)
    kwh_value = serializers.DecimalField(max_digits=14, decimal_places=3, coerce_to_string=False)
    current_balance = serializers.DecimalField(max_digits=14, decimal_places=3, coerce_to_string=False, allow_null=True)


class PaymentOut(serializers.Serializer):
    provider = serializers.CharField()
    receipt = serializers.CharField()
    paid_at = serializers.DateTimeField()
    payer_phone = serializers.CharField()
    payer_name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    status = serializers.CharField(help_text="posted, unmatched, dismissed, duplicate or ignored")
    match_method = serializers.CharField(help_text="account, phone, manual or empty")
    accountnumber = serializers.CharField()
    ledger_row = LedgerRowOut(allow_null=True)
    import_id = serializers.IntegerField(source="payment_import_id")
    decided_by = serializers.SerializerMethodField()
    note = serializers.CharField(help_text="why dismissed or ignored, or the assigner's note")
    duplicate_of_status = serializers.SerializerMethodField()

    def get_decided_by(self, payment) -> str:
        who = payment.resolved_by or payment.payment_import.confirmed_by
        return who.employee_id if who else ""

    def get_duplicate_of_status(self, payment) -> str:
        return payment.duplicate_of.status if payment.duplicate_of_id else ""


class AccountOut(serializers.Serializer):
    accountnumber = serializers.CharField()
    customer_id = serializers.SerializerMethodField()
    balance_kwh = serializers.DecimalField(max_digits=14, decimal_places=3, coerce_to_string=False)
    recent_payments = LedgerRowOut(many=True)

    def get_customer_id(self, account) -> int | None:
        return account["customer"].pk if account.get("customer") else None


class LookupOut(serializers.Serializer):
    query = serializers.CharField()
    kind = serializers.CharField(help_text="receipt, account, phone, amount and date, or empty when not understood")
    searched = serializers.CharField()
    hint = serializers.CharField(help_text="what to try next when nothing is found")
    payments = PaymentOut(many=True)
    account = serializers.SerializerMethodField()
    phone_accounts = serializers.SerializerMethodField()

    @extend_schema_field(AccountOut(allow_null=True))
    def get_account(self, result):
        if result.account and result.account.get("accountnumber"):
            return AccountOut(result.account).data
        return None

    def get_phone_accounts(self, result) -> list[str]:
        return list((result.account or {}).get("accounts_of_phone", []))


class PaymentLookupView(APIView):
    permission_classes = [IsEmployee]

    @extend_schema(
        summary="Find a payment and its fate",
        description="q: a receipt or approval code (or its start), an account number in any accepted form, a payer "
        "phone, or an amount with a date ('50 2025-03-01'). Returns the matching imported payments (newest first, at "
        "most 25) with what became of each, and for an account its balance and recent ledger payments.",
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={200: LookupOut},
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()
        if len(query) < 3:
            return Response(
                {"q": ["Give at least 3 characters: a receipt, account number, phone, or amount and date."]}, status=400
            )
        return Response(LookupOut(selectors.payment_lookup(query)).data)
