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
