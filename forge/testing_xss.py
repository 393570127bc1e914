"""The XSS corpus and the check that a page stays inert (``forge.testing``
exports them for tool authors' tests)."""
import re
from html.parser import HTMLParser

#: Markup that must never become active on a page: put each where users type
#: (Markdown, titles, labels, fields) and check the pages with ``assert_inert``.
#: A tool adds the payloads of its own syntax (the wiki its ``[[links]]``).
XSS_CORPUS = (
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "[click](javascript:alert('x3'))",
    "<a href=\"JaVaScRiPt:alert('x4')\">x4</a>",
    "<svg onload=alert('x5')></svg>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<style>body { display: none }</style>",
    "<p style=\"background:url(javascript:alert('x6'))\">styled</p>",
    "<a href=\"&#106;avascript:alert('x7')\">x7</a>",
    "<details open ontoggle=alert('x8')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('x9')>",
    "\"><script>alert('x10')</script>",
    "' onmouseover='alert(11)",
    "<a class=\"missing\" href=\"javascript:alert('x12')\">m</a>",
)

# the forge's and the tools' static files are served at @@static-<name>/ (forge.static_assets)
OWN_SCRIPT = re.compile(r"http://localhost/@@static-[\w.-]+/")
ACTIVE_TAGS = ("iframe", "svg", "style", "object", "embed", "math", "base")
URL_ATTRIBUTES = ("href", "src", "action", "formaction")
SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")


class ActiveContent(HTMLParser):
    """Collects every way the HTML could run code or restyle the page: active
    tags, event-handler and style attributes, script URLs, inline scripts and
    scripts not served by the test forge's own static views."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append("<%s>" % tag)
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not OWN_SCRIPT.match(src):
                self.found.append("script %r" % src)
            self._in_script = True
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append("%s=%r" % (name, value))
            if name in URL_ATTRIBUTES and value and re.sub(
                    r"\s", "", value).lower().startswith(SCRIPT_SCHEMES):
                self.found.append("%s=%r" % (name, value))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline script")


def active_content(html):
    """What in ``html`` could run code or restyle the page (``[]`` when inert)."""
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_inert(html, where="the page"):
    """Fail, naming what was found, when ``html`` has active content::

        for payload in XSS_CORPUS:
            ...store the payload where users type...
        assert_inert(forge_browser.get("/p/demo/notes/n1/").text, "n1")
    """
    found = active_content(html)
    if found:
        raise AssertionError("active content in %s: %s" % (where, ", ".join(found)))
