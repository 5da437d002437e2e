"""DRF authentication for every API view (REST_FRAMEWORK DEFAULT_AUTHENTICATION_CLASSES): employee Bearer JWTs.

Kept apart from accounts.api because DRF imports it while rest_framework.views is still loading."""

import uuid

from django.db.models import Exists, OuterRef
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

USER_TYPE = "employee"
# Carried by every refresh and access token of one login (accounts.models.TokenFamily).
FAMILY_CLAIM = "family"
INVALID_TOKEN = "Invalid or expired token."


class EmployeeJWTAuthentication(JWTAuthentication):
    """Bearer access tokens issued by employee-login. The employee is read from the database on every request,
    so a deactivation, a role change or a password reset applies at once, and so does the revocation of the
    token's family (logout, or a replayed refresh token); any refusal is a 401."""

    def get_raw_token(self, header):
        # RFC 7235: the scheme is case-insensitive ("bearer", as the login answer's token_type says, or "BEARER").
        parts = header.split()
        if len(parts) == 2 and parts[0].lower() == b"bearer":
            return parts[1]
        return super().get_raw_token(header)

    def get_validated_token(self, raw_token):
        try:
            token = super().get_validated_token(raw_token)
        except AuthenticationFailed as exc:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid") from exc
        if token.get("user_type") != USER_TYPE:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
        return token

    def get_user(self, validated_token):
        """The employee of the token, in one query with whether its family is still live; simplejwt's own checks
        (active, password unchanged) follow. Any refusal is the same 401, revealing nothing about the account."""
        from accounts.models import TokenFamily  # models are not loaded when DRF imports this module

        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
            family = uuid.UUID(str(validated_token.get(FAMILY_CLAIM)))
        except (KeyError, ValueError) as exc:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid") from exc
        live = TokenFamily.objects.filter(pk=family, employee=OuterRef("pk"), revoked_at=None)
        employee = (
            self.user_model.objects.filter(**{api_settings.USER_ID_FIELD: user_id}).annotate(live_family=Exists(live)).first()
        )
        if employee is None or not employee.live_family:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
        if api_settings.CHECK_USER_IS_ACTIVE and not employee.is_active:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
            employee.password
        ):
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
        return employee
