"""Template context for every page: what the signed-in user may do (`can`, decided by accounts.roles)."""

from accounts.roles import capabilities_for


def capabilities(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"can": capabilities_for(user)}
