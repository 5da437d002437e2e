"""The production storage minifies the portal's own script and stylesheet, and leaves vendored files alone."""

from ccportal.staticfiles import minified

SCRIPT = """(function () {
  // a comment
  var pattern = /a\\/b/g;  // a regex literal with a slash
  var text = "keep   these  spaces";
  return pattern.test(text);
})();
"""


def test_it_minifies_our_own_script_and_keeps_its_strings_and_regexes():
    out = minified("js/app.js", SCRIPT)
    assert len(out) < len(SCRIPT) and "comment" not in out
    assert '"keep   these  spaces"' in out and "/a\\/b/g" in out


def test_it_minifies_our_own_stylesheet():
    out = minified("css/app.css", "/* why */\n.a {\n  color: red;\n}\n")
    assert out == ".a{color:red}"


def test_it_leaves_vendored_and_other_files_alone():
    for name in ("admin/js/core.js", "django_htmx/htmx-2.min.js", "js/vendor.min.js", "favicon.svg"):
        assert minified(name, SCRIPT) == SCRIPT


# The one script: htmx and app.js in one file (issue 19: one stylesheet and one script per first visit).


def test_pages_load_one_script_and_one_stylesheet(client, django_user_model):
    import re

    response = client.get("/login/")
    body = response.content.decode()
    assert re.findall(r'<script[^>]*src="([^"]+)"', body) == ["/static/js/portal.js"]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', body) == ["/static/css/app.css"]


def test_the_bundle_is_htmx_then_our_script_and_follows_a_change(tmp_path, settings):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    from ccportal.staticfiles import BUNDLES, bundle_build

    settings.CC_BUNDLE_ROOT = tmp_path
    htmx, app = (Path(finders.find(part)).read_text() for part in BUNDLES["js/portal.js"])
    text = bundle_build("js/portal.js", minify=False).read_text()
    assert text.index(htmx.strip()) < text.index(app.strip())
    assert text.endswith("\n;\n")
    built = bundle_build("js/portal.js", minify=True).read_text()
    assert htmx.strip() in built and "The portal's one script" not in built and len(built) < len(text)
    # A second build with nothing changed leaves the file alone.
    before = (tmp_path / "js/portal.js").stat().st_mtime_ns
    bundle_build("js/portal.js", minify=True)
    assert (tmp_path / "js/portal.js").stat().st_mtime_ns == before


def test_the_finder_serves_and_lists_the_bundle(tmp_path, settings):
    from django.contrib.staticfiles import finders

    settings.CC_BUNDLE_ROOT = tmp_path
    path = finders.find("js/portal.js")
    assert path == str(tmp_path / "js/portal.js")
    finder = finders.get_finder("ccportal.staticfiles.BundleFinder")
    assert [name for name, _storage in finder.list([])] == ["js/portal.js"]
    assert finder.find("js/app.js") == [] and finder.find("js/app.js", find_all=True) == []
    assert finders.find("no/such/file.js") is None  # a miss of ours is no match for the other finders' callers


def test_collectstatic_writes_the_bundle_minified_and_hashed(tmp_path, settings):
    from django.core.management import call_command

    settings.CC_BUNDLE_ROOT = tmp_path / "bundles"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "ccportal.staticfiles.MinifiedStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = sorted((tmp_path / "static/js").glob("portal.*.js"))
    assert len(hashed) == 1
    text = hashed[0].read_text()
    assert text.startswith("var htmx=") or "htmx" in text[:200]
    assert "The portal's one script" not in text  # our part minified
    assert (tmp_path / "static/js" / (hashed[0].name + ".br")).exists()
    # The file served is the file its hash names: the same bytes as the unhashed copy (minified once).
    assert hashed[0].read_bytes() == (tmp_path / "static/js/portal.js").read_bytes()
    app = sorted((tmp_path / "static/js").glob("app.*.js"))[0].read_text()
    assert "The portal's one script" not in app


def test_hashed_copies_are_minified_like_their_files_and_the_bundle_only_once():
    from ccportal.staticfiles import minified

    assert minified("js/app.0123456789ab.js", SCRIPT) == minified("js/app.js", SCRIPT) != SCRIPT
    assert minified("js/portal.0123456789ab.js", SCRIPT) == SCRIPT  # the bundle: minified as it is built
    assert minified("django_htmx/htmx-2.min.0123456789ab.js", SCRIPT) == SCRIPT


def test_the_bundle_is_readable_by_anyone_and_leaves_no_partial_file(tmp_path, settings):
    from ccportal.staticfiles import bundle_build

    settings.CC_BUNDLE_ROOT = tmp_path
    path = bundle_build("js/portal.js", minify=True)
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["portal.js"]
