"""Gateway callbacks: delivery reports and forwarded replies (STOP opts out). They are called by the SMS gateway,
not by employees, and authenticated by the shared secret CC_SMS_CALLBACK_SECRET that the gateway is configured
with (query parameter ``token`` or header ``X-CC-Callback-Token``)."""

import hmac

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import EmployeeJWTAuthentication
from messaging import services

GATEWAY = "sms-gateway"


class CallbackSecretAuthentication(BaseAuthentication):
    """The gateway's shared secret; without one, the next authenticator (an employee's token) may answer, but only
    the gateway passes GatewayOnly."""

    def authenticate(self, request):
        secret = settings.CC_SMS_CALLBACK_SECRET
        given = request.query_params.get("token") or request.headers.get("X-CC-Callback-Token") or ""
        if secret and given and hmac.compare_digest(given.encode(), secret.encode()):
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser(), GATEWAY
        return None

    def authenticate_header(self, request):
        return 'Token realm="sms-gateway"'


class CallbackSecretScheme(OpenApiAuthenticationExtension):
    target_class = "messaging.api.CallbackSecretAuthentication"
    name = "callbackSecret"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-CC-Callback-Token",
            "description": "or ?token= (CC_SMS_CALLBACK_SECRET)",
        }


class GatewayOnly(BasePermission):
    message = "Only the SMS gateway calls this (with the callback secret)."

    def has_permission(self, request, view):
        return request.auth == GATEWAY


class DeliveryReportIn(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="the provider's message id")
    status = serializers.CharField(max_length=40, help_text="Success, Failed, Rejected, Sent, Buffered, …")
    phoneNumber = serializers.CharField(max_length=40, required=False, allow_blank=True)  # noqa: N815 - the gateway's name
    failureReason = serializers.CharField(max_length=200, required=False, allow_blank=True)  # noqa: N815
    networkCode = serializers.CharField(max_length=20, required=False, allow_blank=True)  # noqa: N815
    retryCount = serializers.CharField(max_length=10, required=False, allow_blank=True)  # noqa: N815


class InboundIn(serializers.Serializer):
    # Africa's Talking posts `from`, a Python keyword: read it from the data by hand.
    text = serializers.CharField(max_length=1600, allow_blank=True)
    to = serializers.CharField(max_length=40, required=False, allow_blank=True)
    id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date = serializers.CharField(max_length=40, required=False, allow_blank=True)
    linkId = serializers.CharField(max_length=100, required=False, allow_blank=True)  # noqa: N815


class CallbackOut(serializers.Serializer):
    result = serializers.CharField()


TOKEN = OpenApiParameter("token", str, OpenApiParameter.QUERY, required=False, description="the callback secret")


class _CallbackView(APIView):
    authentication_classes = [CallbackSecretAuthentication, EmployeeJWTAuthentication]
    permission_classes = [GatewayOnly]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    def _data(self, request, serializer_class):
        serializer = serializer_class(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        return serializer.validated_data


class DeliveryReportView(_CallbackView):
    @extend_schema(
        request=DeliveryReportIn, responses=CallbackOut, parameters=[TOKEN], summary="Delivery report from the SMS gateway"
    )
    def post(self, request):
        data = self._data(request, DeliveryReportIn)
        result = services.delivery_report_apply(
            provider_message_id=data["id"], status=data["status"], failure_reason=data.get("failureReason", "")
        )
        return Response({"result": result})


class InboundView(_CallbackView):
    @extend_schema(request=InboundIn, responses=CallbackOut, parameters=[TOKEN], summary="A reply forwarded by the SMS gateway")
    def post(self, request):
        data = self._data(request, InboundIn)
        sender = request.data.get("from", "")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > 40:
            raise ValidationError({"from": ["The sender's number is required (at most 40 characters)."]})
        opted = services.inbound_message_receive(number=sender, text=data["text"])
        return Response({"result": f"opted out {len(opted)} customer(s)" if opted else "ignored"})
