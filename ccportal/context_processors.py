"""Template context for every page: the menu and the user's capabilities (decided by accounts.roles)."""

from accounts.roles import capabilities_for
from ccportal.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"nav_items": navigation_for(user, request.path), "can": capabilities_for(user)}
