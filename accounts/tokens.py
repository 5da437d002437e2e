"""The claims of the API's tokens (SPEC §2) and the refresh token class whose single use its family decides."""

from rest_framework_simplejwt.tokens import RefreshToken

from accounts.authentication import FAMILY_CLAIM, USER_TYPE

__all__ = ["FAMILY_CLAIM", "USER_TYPE", "FamilyRefreshToken", "refresh_token_for"]


def refresh_token_for(employee, *, family_id):
    """A new refresh token of ``employee`` in a family, with the old server's claims (sub, user_type, role, name,
    email, iat, exp) plus jti, token_type and the family; aud only when CC_JWT_AUDIENCE is set. Its access token
    (``.access_token``) copies them."""
    refresh = RefreshToken.for_user(employee)  # sub, token_type, iat, exp, jti; records it as outstanding
    refresh["user_type"] = USER_TYPE
    refresh["role"] = employee.role
    refresh["name"] = employee.get_full_name()
    refresh["email"] = employee.email
    refresh[FAMILY_CLAIM] = str(family_id)
    return refresh


class FamilyRefreshToken(RefreshToken):
    """A refresh token presented for exchange. It is verified like any other (signature, expiry, type) except for
    the blacklist: an already-rotated token must reach its family's check (accounts.services.token_family_rotate),
    which refuses it and revokes the family, instead of merely being refused."""

    def check_blacklist(self):
        return None
