"""Billing API: the payment lookup for the O&M portal and other tools (authentication from settings), and the payment
intake the SMS gateway forwards confirmations to (authenticated by an HMAC signature, nothing else)."""

import hashlib
import hmac
import json
import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts import roles
from billing import payment_sms, selectors, services


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
    source = serializers.CharField(help_text="statement or intake (a forwarded SMS)")
    import_id = serializers.IntegerField(source="payment_import_id", allow_null=True, help_text="the statement's import")
    sms_text = serializers.SerializerMethodField(help_text="the SMS as received, for intake payments")
    decided_by = serializers.SerializerMethodField()
    note = serializers.CharField(help_text="why dismissed or ignored, or the assigner's note")
    duplicate_of_status = serializers.SerializerMethodField()

    def get_sms_text(self, payment) -> str:
        return payment.incoming_sms.text if payment.incoming_sms_id else ""

    def get_decided_by(self, payment) -> str:
        who = payment.resolved_by or (payment.payment_import.confirmed_by if payment.payment_import_id else None)
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


# --- Payment intake --------------------------------------------------------------------------------------


class IntakeThrottle(SimpleRateThrottle):
    """Requests per gateway address (CC_PAYMENT_INTAKE_RATE), counted before the signature is checked."""

    scope = "payment_intake"

    def get_rate(self):
        return settings.CC_PAYMENT_INTAKE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class IncomingSmsIn(serializers.Serializer):
    sender = serializers.CharField(max_length=40, trim_whitespace=True, help_text='"M-PESA", "199", …')
    text = serializers.CharField(trim_whitespace=False, help_text="the SMS exactly as received")
    received_at = serializers.DateTimeField(help_text="ISO 8601 with its offset, e.g. 2026-04-16T09:53:12+02:00")
    gateway_id = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", max_length=100, help_text="the gateway's own id for this SMS"
    )

    def validate(self, attrs):
        wrong = [name for name in self.fields if not isinstance(self.initial_data.get(name), str)]
        if wrong:
            raise serializers.ValidationError({name: ["Must be a string."] for name in wrong})
        return attrs

    def validate_sender(self, value):
        if problem := payment_sms.text_problem(value):
            raise serializers.ValidationError(f"The sender {problem}.")
        return value

    def validate_text(self, value):
        if problem := payment_sms.text_problem(value):
            raise serializers.ValidationError(f"The text {problem}.")
        if not value.strip():
            raise serializers.ValidationError("The text is empty.")
        return value

    def validate_received_at(self, value):
        if not _has_offset(self.initial_data.get("received_at")):
            raise serializers.ValidationError("Give the time with its offset, e.g. 2026-04-16T09:53:12+02:00.")
        return value


def _has_offset(text):
    return isinstance(text, str) and bool(re.search(r"(?:Z|[+-]\d{2}:?\d{2})$", text.strip()))


class IncomingOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=["posted", "waiting", "duplicate", "ignored", "unreadable"])
    note = serializers.CharField(help_text="why, in words")
    sms_id = serializers.IntegerField()
    payment = PaymentOut(allow_null=True, help_text="as in the payment lookup; null when the SMS is not a payment")


def _signed(body, header):
    """True when ``header`` is "sha256=<hex HMAC-SHA256 of body with CC_PAYMENT_INTAKE_SECRET>"."""
    scheme, _, given = (header or "").partition("=")
    if scheme.strip().lower() != "sha256" or not given:
        return False
    expected = hmac.new(settings.CC_PAYMENT_INTAKE_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


class IncomingPaymentView(APIView):
    """One forwarded SMS. The signature is the only authentication: no session, no JWT (so no CSRF either)."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [IntakeThrottle]

    @extend_schema(
        summary="Forward a mobile-money confirmation SMS (the company's SMS gateway)",
        description="Header X-CC-Signature: sha256=<hex HMAC-SHA256 of the raw body with CC_PAYMENT_INTAKE_SECRET>. "
        "401: missing or wrong signature (or the intake is not configured); 409: a gateway_id already taken, or a "
        "received_at more than CC_PAYMENT_INTAKE_FUTURE_MINUTES ahead or CC_PAYMENT_INTAKE_MAX_AGE_HOURS old; "
        "413: a body larger than CC_PAYMENT_INTAKE_MAX_BYTES; 400: fields at fault. See the README, Payment intake.",
        request=IncomingSmsIn,
        responses={201: IncomingOut},
        auth=[],
    )
    def post(self, request):
        limit = settings.CC_PAYMENT_INTAKE_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return Response({"detail": f"The body is larger than {limit} bytes."}, status=413)
        body = request.body
        if len(body) > limit:
            return Response({"detail": f"The body is larger than {limit} bytes."}, status=413)
        if not settings.CC_PAYMENT_INTAKE_SECRET:
            return Response({"detail": "The payment intake is off: CC_PAYMENT_INTAKE_SECRET is not set."}, status=401)
        if not _signed(body, request.headers.get("X-CC-Signature")):
            return Response({"detail": "Missing or wrong X-CC-Signature."}, status=401)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Response({"detail": "The body is not JSON (UTF-8)."}, status=400)
        if not isinstance(data, dict):
            return Response({"detail": "The body must be a JSON object."}, status=400)
        incoming = IncomingSmsIn(data=data)
        if not incoming.is_valid():
            return Response(incoming.errors, status=400)
        fields = incoming.validated_data
        now = timezone.now()
        if fields["received_at"] > now + timedelta(minutes=settings.CC_PAYMENT_INTAKE_FUTURE_MINUTES):
            return Response({"detail": "received_at is ahead of the portal's clock: refused as a replay."}, status=409)
        if fields["received_at"] < now - timedelta(hours=settings.CC_PAYMENT_INTAKE_MAX_AGE_HOURS):
            return Response({"detail": "received_at is too old: refused as a replay (import the statement instead)."}, status=409)
        try:
            sms, payment = services.incoming_sms_receive(**fields)
        except services.IncomingSmsReplay:
            return Response({"detail": "This gateway_id was already received: refused as a replay."}, status=409)
        if payment is not None:
            payment = selectors.imported_payment_for_lookup(payment.pk)
        return Response(
            IncomingOut({"status": sms.status, "note": sms.note, "sms_id": sms.pk, "payment": payment}).data, status=201
        )
