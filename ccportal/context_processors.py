"""Template context for every page: the menu, gathered from the apps by ccportal.navigation."""

from ccportal.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"nav_items": navigation_for(user, request.path)}
