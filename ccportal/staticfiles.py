"""The production static files storage: whitenoise's hashed, precompressed files, with the portal's own script and
stylesheet minified first (comments and white space out: about a quarter fewer bytes on a cold visit)."""

import rcssmin
import rjsmin
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Our own files (STATICFILES_DIRS: static/js, static/css); vendored ones (admin, htmx, Swagger UI) come minified.
MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}
OWN_PREFIXES = ("js/", "css/")


def minified(name, text):
    """``text`` minified when ``name`` is one of the portal's own scripts or stylesheets, else unchanged."""
    suffix = name[name.rfind(".") :]
    if not name.startswith(OWN_PREFIXES) or suffix not in MINIFIERS or ".min." in name:
        return text
    return MINIFIERS[suffix](text)


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def _save(self, name, content):
        if name.startswith(OWN_PREFIXES) and name.endswith(tuple(MINIFIERS)):
            content.seek(0)
            content = ContentFile(minified(name, content.read().decode("utf-8")).encode("utf-8"))
        return super()._save(name, content)
