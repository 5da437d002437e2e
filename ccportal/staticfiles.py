"""Static files: the portal's one script (htmx and ours, bundled) and the production storage, whitenoise's hashed,
precompressed files with the portal's own script and stylesheet minified first (comments and white space out: about
a quarter fewer bytes on a cold visit).

The bundle is one file so that a first visit asks for one stylesheet and one script (issue 19): on a 400 ms link
each further file is one more response to wait for. ``BundleFinder`` builds it from its parts, found by the other
finders, into ``CC_BUNDLE_ROOT`` whenever a part changed, so ``runserver``, the tests and ``collectstatic`` all see
the same file and nobody runs a build step."""

import os
import re
import tempfile
from pathlib import Path

import rcssmin
import rjsmin
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Our own files (STATICFILES_DIRS: static/js, static/css); vendored ones (admin, htmx, Swagger UI) come minified.
MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}
OWN_PREFIXES = ("js/", "css/")

# name → its parts, in order (htmx first: app.js listens to its events). Pages load only the bundle.
BUNDLES = {"js/portal.js": ("django_htmx/htmx-2.min.js", "js/app.js")}


_HASH = re.compile(r"\.[0-9a-f]{12}(?=\.[a-z]+$)")


def _own(name):
    """Whether ``name`` (or its hashed copy, app.0123456789ab.js) is one of our own files to minify: not vendored,
    not already minified, not a bundle (its parts are minified as it is built)."""
    name = _HASH.sub("", name)
    suffix = name[name.rfind(".") :]
    return name.startswith(OWN_PREFIXES) and suffix in MINIFIERS and ".min." not in name and name not in BUNDLES


def minified(name, text):
    """``text`` minified when ``name`` is one of the portal's own scripts or stylesheets, else unchanged."""
    if not _own(name):
        return text
    return MINIFIERS[name[name.rfind(".") :]](text)


def bundle_text(name, minify):
    """The bundle's text: its parts joined in order, each minified first when ``minify`` (vendored parts never)."""
    texts = []
    for part in BUNDLES[name]:
        path = finders.find(part)
        if path is None:
            raise FileNotFoundError(f"{name}: its part {part} is not among the static files")
        text = Path(path).read_text(encoding="utf-8")
        texts.append(minified(part, text) if minify else text)
    # A part may end without a semicolon or newline: keep each a statement of its own.
    return "".join(f"{text.rstrip()}\n;\n" for text in texts)


def bundle_build(name, root=None, minify=None):
    """Writes the bundle ``name`` under ``root`` when its text changed (atomically: several processes may build it)
    and returns its path."""
    root = Path(root or settings.CC_BUNDLE_ROOT)
    text = bundle_text(name, minify=not settings.DEBUG if minify is None else minify).encode("utf-8")
    path = root / name
    try:
        if path.read_bytes() == text:
            return path
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".bundle-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # readable as any collected file (mkstemp makes it 0600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


class BundleFinder(finders.BaseFinder):
    """Finds the bundles (STATICFILES_FINDERS), built from their parts on demand."""

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path not in BUNDLES:
            return []  # as Django's own finders: finders.find() reads a None as a match
        built = str(bundle_build(path))
        return [built] if find_all else built

    def list(self, ignore_patterns):
        for name in BUNDLES:
            bundle_build(name)
            yield name, FileSystemStorage(location=settings.CC_BUNDLE_ROOT)


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def _save(self, name, content):
        # Called for each file and for its hashed copy, which post-processing reads from the source again: both
        # are minified. The bundle comes minified from its finder and is left as it is.
        if _own(name):
            content.seek(0)
            content = ContentFile(minified(name, content.read().decode("utf-8")).encode("utf-8"))
        return super()._save(name, content)
