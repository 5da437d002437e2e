"""DRF authentication for every API view (REST_FRAMEWORK DEFAULT_AUTHENTICATION_CLASSES): employee Bearer JWTs.

Kept apart from accounts.api because DRF imports it while rest_framework.views is still loading."""

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

USER_TYPE = "employee"
INVALID_TOKEN = "Invalid or expired token."


class EmployeeJWTAuthentication(JWTAuthentication):
    """Bearer access tokens issued by employee-login. The employee is read from the database on every request,
    so a deactivation, a role change or a password reset applies at once; any refusal is a 401."""

    def get_validated_token(self, raw_token):
        try:
            token = super().get_validated_token(raw_token)
        except AuthenticationFailed as exc:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid") from exc
        if token.get("user_type") != USER_TYPE:
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid")
        return token

    def get_user(self, validated_token):
        try:
            return super().get_user(validated_token)
        except AuthenticationFailed as exc:
            # Inactive, unknown or password changed: one answer that reveals nothing about the account.
            raise AuthenticationFailed(INVALID_TOKEN, code="token_not_valid") from exc
