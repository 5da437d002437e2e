"""The employee-login JWT API of SPEC §2 (the O&M portal's contract): login, me, verify, refresh, logout."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, ParseError, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services
from accounts.authentication import INVALID_TOKEN, USER_TYPE, EmployeeJWTAuthentication
from accounts.lockout import lockout_response, login_succeeded
from accounts.roles import permissions_for
from accounts.tokens import FamilyRefreshToken

INVALID_CREDENTIALS = "Invalid credentials"


class EmployeeJWTScheme(SimpleJWTScheme):
    """OpenAPI: describe EmployeeJWTAuthentication as simplejwt's Bearer scheme."""

    target_class = EmployeeJWTAuthentication


def token_pair_for(employee):
    """A new login's token pair (a new token family), as the login answer gives it."""
    return _token_pair(services.token_family_start(employee=employee))


def _token_pair(refresh):
    """The answer's token fields for a refresh token and its access token (claims of SPEC §2: accounts.tokens)."""
    return {
        "access_token": str(refresh.access_token),
        "refresh_token": str(refresh),
        "token_type": "bearer",
        "expires_in": int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),
    }


def _json_body(request):
    """request.data, or None when the body is not a JSON document (malformed, or another content type)."""
    try:
        return request.data
    except (ParseError, UnsupportedMediaType):
        return None


def _not_json_response(*fields):
    example = ", ".join(f'"{field}": "..."' for field in fields)
    message = f"Send a JSON object ({{{example}}}) with Content-Type: application/json."
    return Response({"non_field_errors": [message]}, status=status.HTTP_400_BAD_REQUEST)


def _refresh_token_from(value, token_class=RefreshToken):
    """The refresh token in ``value`` if valid, unexpired, not blacklisted (unless ``token_class`` leaves that to
    the token's family) and of our audience when one is set; else None."""
    try:
        token = token_class(value)
    except TokenError:
        return None
    return token if token.get("user_type") == USER_TYPE else None


class PermissionsSerializer(serializers.Serializer):
    write_customers = serializers.BooleanField()
    write_transactions = serializers.BooleanField()
    manage_roles = serializers.BooleanField()


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField(help_text="HS256 JWT for `Authorization: Bearer …`.")
    refresh_token = serializers.CharField(help_text="Exchange at /api/auth/refresh; single use.")
    token_type = serializers.ChoiceField(choices=["bearer"])
    expires_in = serializers.IntegerField(
        help_text="Lifetime of the access token in seconds: 28800 (8 hours) unless CC_JWT_ACCESS_MINUTES or "
        "CC_JWT_EXPIRY_HOURS says otherwise."
    )


class LoginUserSerializer(serializers.Serializer):
    user_type = serializers.ChoiceField(choices=[USER_TYPE])
    employee_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    cc_role = serializers.CharField()
    permissions = PermissionsSerializer()


class LoginResponseSerializer(TokenPairSerializer):
    user = LoginUserSerializer()


class MeSerializer(serializers.Serializer):
    user_type = serializers.ChoiceField(choices=[USER_TYPE])
    user_id = serializers.CharField(help_text="The employee number.")
    role = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    permissions = PermissionsSerializer()


class RefreshTokenInputSerializer(serializers.Serializer):
    refresh_token = serializers.CharField()


DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


def field_errors(name, *fields):
    """OpenAPI: a 400 body, {field: [messages]} for the fields named (non_field_errors for a body that is not a
    JSON object), plus "detail" saying it all in one sentence (ccportal.api_errors adds it to every API error)."""
    messages = {
        field: serializers.ListField(child=serializers.CharField(), required=False) for field in (*fields, "non_field_errors")
    }
    detail = serializers.CharField(help_text="The messages in one sentence, e.g. 'password: This field is required.'")
    return inline_serializer(name, {**messages, "detail": detail})


LOGIN_FIELD_ERRORS = field_errors("LoginFieldErrors", "employee_id", "password")
REFRESH_FIELD_ERRORS = field_errors("RefreshFieldErrors", "refresh_token")
EXAMPLE_PERMISSIONS = {"write_customers": True, "write_transactions": True, "manage_roles": False}
EXAMPLE_TOKENS = {
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.signature",
    "refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.signature",
    "token_type": "bearer",
    "expires_in": 28800,
}
UNAUTHORIZED = OpenApiResponse(
    DETAIL, description="Missing, invalid, expired or revoked token, or a deactivated employee.",
    examples=[OpenApiExample("Refused", value={"detail": INVALID_TOKEN}, response_only=True)],
)  # fmt: skip


REFRESH_TOKEN_REFUSALS = {
    400: OpenApiResponse(REFRESH_FIELD_ERRORS, description="No refresh_token, or a body that is not JSON."),
    401: UNAUTHORIZED,
}


def _user_payload(employee):
    return {
        "user_type": USER_TYPE,
        "employee_id": employee.employee_id,
        "name": employee.get_full_name(),
        "email": employee.email,
        "cc_role": employee.role,
        "permissions": permissions_for(employee),
    }


class _PublicView(APIView):
    """An endpoint that takes credentials or a refresh token in its body instead of a Bearer token."""

    authentication_classes = []
    permission_classes = [AllowAny]


class EmployeeLoginInputSerializer(serializers.Serializer):
    employee_id = serializers.CharField(max_length=32)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class EmployeeLoginView(_PublicView):
    @extend_schema(
        operation_id="employee_login",
        summary="Log in with employee number and password",
        description=(
            "Checks the employee's own password (Django's hashers). A wrong password and an unknown employee get the "
            "same 401. After `CC_LOCKOUT_FAILURES` failures (default 5) for one employee from one address, that pair "
            "is locked for `CC_LOCKOUT_HOURS` (default 0.25 h): 429. After `CC_LOCKOUT_EMPLOYEE_FAILURES` failures (default "
            "10) for one employee from any addresses, each attempt waits a growing cool-down (at most "
            "`CC_LOCKOUT_EMPLOYEE_COOLDOWN_MAX_SECONDS`): 429 with Retry-After. An employee who still holds a one-time password "
            "must set their own on the portal first: 403."
        ),
        request=EmployeeLoginInputSerializer,
        responses={
            200: LoginResponseSerializer,
            400: OpenApiResponse(LOGIN_FIELD_ERRORS, description="A missing or empty field, or a body that is not JSON."),
            401: OpenApiResponse(DETAIL, description="Wrong password, unknown or deactivated employee."),
            403: OpenApiResponse(DETAIL, description="A one-time password must be changed on the portal first."),
            429: OpenApiResponse(DETAIL, description="Locked out after repeated failures."),
        },
        examples=[
            OpenApiExample("Request", value={"employee_id": "1001", "password": "my-own-password"}, request_only=True),
            OpenApiExample(
                "Logged in",
                status_codes=["200"],
                response_only=True,
                value={
                    **EXAMPLE_TOKENS,
                    "user": {
                        "user_type": "employee",
                        "employee_id": "1001",
                        "name": "Thabo Mokoena",
                        "email": "thabo@example.org",
                        "cc_role": "onm_team",
                        "permissions": EXAMPLE_PERMISSIONS,
                    },
                },
            ),
            OpenApiExample(
                "Missing field",
                status_codes=["400"],
                response_only=True,
                value={"password": ["This field is required."], "detail": "password: This field is required."},
            ),
            OpenApiExample("Refused", status_codes=["401"], response_only=True, value={"detail": INVALID_CREDENTIALS}),
        ],
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        data = _json_body(request)
        if data is None:
            return _not_json_response("employee_id", "password")
        form = EmployeeLoginInputSerializer(data=data)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        # Django's ModelBackend hashes the password for an unknown employee too, so both refusals take as long.
        http_request = request._request  # django-axes reads and marks the Django request
        employee = authenticate(
            http_request, username=form.validated_data["employee_id"], password=form.validated_data["password"]
        )
        if getattr(http_request, "axes_locked_out", False):
            return lockout_response(http_request, None, None)
        if employee is None:
            return Response({"detail": INVALID_CREDENTIALS}, status=status.HTTP_401_UNAUTHORIZED)
        if employee.must_change_password:
            detail = "This is a one-time password: log in to the CC portal and choose your own password first."
            return Response({"detail": detail}, status=status.HTTP_403_FORBIDDEN)
        axes_reset(ip=http_request.axes_ip_address, username=employee.employee_id)
        login_succeeded(http_request, employee.employee_id)
        services.employee_last_login_record(employee=employee)
        return Response({**token_pair_for(employee), "user": _user_payload(employee)})


class MeView(APIView):
    @extend_schema(
        operation_id="auth_me",
        summary="The employee behind the token",
        description="Role and permissions are read from the database on every request, not from the token.",
        responses={200: MeSerializer, 401: UNAUTHORIZED},
        examples=[
            OpenApiExample(
                "Me",
                response_only=True,
                value={
                    "user_type": "employee",
                    "user_id": "1001",
                    "role": "onm_team",
                    "name": "Thabo Mokoena",
                    "email": "thabo@example.org",
                    "permissions": EXAMPLE_PERMISSIONS,
                },
            )
        ],
        tags=["auth"],
    )
    def get(self, request):
        employee = request.user
        return Response(
            {
                "user_type": USER_TYPE,
                "user_id": employee.employee_id,
                "role": employee.role,
                "name": employee.get_full_name(),
                "email": employee.email,
                "permissions": permissions_for(employee),
            }
        )


class VerifyView(APIView):
    @extend_schema(
        operation_id="auth_verify",
        summary="Check a Bearer token (for a proxy's auth sub-request)",
        responses={204: OpenApiResponse(description="The token is valid and its employee active."), 401: UNAUTHORIZED},
        tags=["auth"],
    )
    def get(self, request):
        return Response(status=status.HTTP_204_NO_CONTENT)


class RefreshView(_PublicView):
    @extend_schema(
        operation_id="auth_refresh",
        summary="Exchange a refresh token for a new pair",
        description="The refresh token is single-use, also under concurrent requests: exactly one exchange of a token "
        "succeeds, and a new refresh token is returned with the new access token (claims rebuilt from the database). "
        "Presenting a refresh token that was already exchanged (a replay) is refused and revokes every token of that "
        "login, refresh and access alike: the employee logs in again.",
        request=RefreshTokenInputSerializer,
        responses={200: TokenPairSerializer, **REFRESH_TOKEN_REFUSALS},
        examples=[
            OpenApiExample("Request", value={"refresh_token": EXAMPLE_TOKENS["refresh_token"]}, request_only=True),
            OpenApiExample("New pair", value=EXAMPLE_TOKENS, response_only=True, status_codes=["200"]),
        ],
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        token = _valid_refresh_token(request, FamilyRefreshToken)
        if isinstance(token, Response):
            return token
        employee = _token_employee(token)
        fresh = employee and services.token_family_rotate(employee=employee, refresh=token)
        if not fresh:
            return Response({"detail": INVALID_TOKEN}, status=status.HTTP_401_UNAUTHORIZED)
        return Response(_token_pair(fresh))


class LogoutView(_PublicView):
    @extend_schema(
        operation_id="auth_logout",
        summary="Log out: end the refresh token and every token of its login",
        request=RefreshTokenInputSerializer,
        responses={
            204: OpenApiResponse(description="The refresh token and the access tokens of its login no longer work."),
            **REFRESH_TOKEN_REFUSALS,
        },
        examples=[OpenApiExample("Request", value={"refresh_token": EXAMPLE_TOKENS["refresh_token"]}, request_only=True)],
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        token = _valid_refresh_token(request)
        if isinstance(token, Response):
            return token
        employee = _token_employee(token)
        if employee is None:
            return Response({"detail": INVALID_TOKEN}, status=status.HTTP_401_UNAUTHORIZED)
        services.token_family_logout(employee=employee, refresh=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _token_employee(token):
    """The employee of a refresh token after the checks an access token gets (known, active, password unchanged
    since the login, family not revoked), or None."""
    try:
        return EmployeeJWTAuthentication().get_user(token)
    except AuthenticationFailed:
        return None


def _valid_refresh_token(request, token_class=RefreshToken):
    """The request's refresh token, or the 400/401 response that refuses it."""
    data = _json_body(request)
    if data is None:
        return _not_json_response("refresh_token")
    form = RefreshTokenInputSerializer(data=data)
    if not form.is_valid():
        return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
    token = _refresh_token_from(form.validated_data["refresh_token"], token_class)
    if token is None:
        return Response({"detail": INVALID_TOKEN}, status=status.HTTP_401_UNAUTHORIZED)
    return token
