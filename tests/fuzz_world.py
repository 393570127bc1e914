"""The fuzz test's world: one forge with every kind of node, five roles, and
every registered view mapped to the nodes it answers on.

* ``pub`` (public) with a subproject ``sub`` and ``priv`` (private), each with
  every tool installed: ``wiki`` (a page with an attachment and a comment, a
  renamed page that left a ``MovedPage`` behind, a deleted page), ``tickets``
  (a ticket with a comment), ``forum`` (a thread in the general forum) and
  ``notes`` (a note);
* ``outsider`` (signed in, no role), ``member``, ``developer`` and ``admin``
  (Admin of both projects and site admin), and anonymous visitors, each with a session
  cookie and its CSRF token.

The views come from Pyramid's introspector, so a view added later is fuzzed
without touching the test; ``targets`` fails for a view that no node of the
world answers (the world then needs that kind of node).
"""
import http.cookiejar
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import webtest
from pyramid.interfaces import IExceptionResponse
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource
from zope.interface.interface import InterfaceClass

from forge import main
from forge.actions.projects import create_project, install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.site_admin import set_project_deleted
from forge.actions.users import create_user
from forge.model import Neighborhood, session
from forge.resources import SiteRoot
from forge.testing import PASSWORD, ForgeBrowser, deliver_to_reactors, reset_database
from .fuzz_inputs import multipart_body

ROLES = ("anonymous", "outsider", "member", "developer", "admin")
# every installed tool is mounted in both projects; these under their usual names
MOUNTS = {"wiki": "wiki", "tracker": "tickets", "discussion": "forum", "notes": "notes"}


def tools_to_install(registry):
    """(tool, mount) of every registered tool: the built-in ones, the code tool,
    a third-party tool installed through its entry point."""
    return [(name, MOUNTS.get(name, name.replace("_", "-")))
            for name in sorted(registry.forge_tools)]
SITE = "http://localhost"


@dataclass(frozen=True)
class ViewSpec:
    """One registered view: where it hangs and how it is called."""
    context: object           # an interface or class; None for a route's view
    name: str
    methods: tuple
    request_param: str = ""
    route_pattern: str = ""

    @property
    def label(self):
        where = self.route_pattern or getattr(self.context, "__name__", str(self.context))
        method = "/".join(self.methods)
        param = " [%s]" % self.request_param if self.request_param else ""
        return "%s @@%s %s%s" % (where, self.name, method, param)

    def answers_on(self, resource):
        if isinstance(self.context, InterfaceClass):
            return self.context.providedBy(resource)
        return isinstance(resource, self.context)

    def base(self, node_url):
        """The view's address on a node (or its route's fixed prefix)."""
        if self.route_pattern:
            return "/" + self.route_pattern.split("*")[0].rstrip("/")
        return node_url + ("@@" + self.name if self.name else "")


def is_error_view(context):
    """Exception views answer errors raised by other views; no URL reaches them."""
    if isinstance(context, type):
        return issubclass(context, BaseException)
    return isinstance(context, InterfaceClass) and context.isOrExtends(IExceptionResponse)


def registered_views(registry):
    """Every view of the registry but the error views, as ``ViewSpec``s."""
    routes = {r["introspectable"]["name"]: r["introspectable"]["pattern"]
              for r in registry.introspector.get_category("routes") or ()}
    specs = set()
    for entry in registry.introspector.get_category("views"):
        view = entry["introspectable"]
        if view["route_name"] is None and is_error_view(view["context"]):
            continue
        methods = view["request_methods"] or ("GET", "POST")
        methods = (methods,) if isinstance(methods, str) else tuple(methods)
        param = view["request_param"] or ""
        param = param if isinstance(param, str) else " ".join(param)
        specs.add(ViewSpec(view["context"], view["name"] or "", methods, param,
                           routes.get(view["route_name"], "")))
    return sorted(specs, key=lambda s: s.label)


class PageHarvest(HTMLParser):
    """The links and forms of a page: what a browser could send from it."""

    def __init__(self):
        super().__init__()
        self.links = []           # absolute URLs
        self.forms = []           # (action URL, [(name, value)])
        self._fields = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("href", "src", "action"):
            if attrs.get(key):
                self.links.append(attrs[key])
        if tag == "form":
            self._fields = []
            self.forms.append((attrs.get("action") or "", self._fields))
        elif self._fields is not None and attrs.get("name"):
            name = attrs["name"]
            if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._fields.append((name, attrs.get("value") or "on"))
            elif tag in ("input", "button"):
                self._fields.append((name, attrs.get("value") or ""))
            elif tag == "textarea":
                self._textarea = [name, ""]
            elif tag == "select":
                self._fields.append((name, ""))
        if tag == "option" and self._fields and "selected" in attrs:
            self._fields[-1] = (self._fields[-1][0], attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self._fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def split_view_url(url):
    """``/p/x/@@view/sub/path?q=1`` -> (``/p/x/@@view``, ``sub/path``, [(q, 1)])."""
    parts = urlsplit(url)
    path = parts.path
    base, subpath = path, ""
    if "@@" in path:
        head, tail = path.split("@@", 1)
        name, _, subpath = tail.partition("/")
        base = head + "@@" + name
    elif path.startswith("/__") and "/" in path[1:]:
        base, _, subpath = path[1:].partition("/")
        base = "/" + base
    return base, subpath, parse_qsl(parts.query, keep_blank_values=True)


@dataclass
class Harvest:
    """What the admin's pages link to and post, by view base address."""
    subpaths: dict = field(default_factory=dict)   # base -> set of subpaths
    queries: dict = field(default_factory=dict)    # base -> list of query pairs
    forms: dict = field(default_factory=dict)      # base -> list of field lists

    def add_page(self, page_url, html):
        parser = PageHarvest()
        parser.feed(html)
        page_url = SITE + page_url
        for url in parser.links:
            url = urljoin(page_url, url)
            if not url.startswith(SITE + "/"):
                continue
            url = url[len(SITE):]
            base, subpath, query = split_view_url(url)
            if subpath:
                self.subpaths.setdefault(base, set()).add(subpath)
            if query and query not in self.queries.setdefault(base, []):
                self.queries[base].append(query)
        for action, fields in parser.forms:
            action = urljoin(page_url, action)
            if not action.startswith(SITE + "/"):
                continue
            base = split_view_url(action[len(SITE):])[0]
            fields = [(k, v) for k, v in fields if k != "csrf_token"]
            if fields not in self.forms.setdefault(base, []):
                self.forms[base].append(fields)


def no_cookies_app(app):
    """A TestApp that keeps no cookie: each request carries its role's cookie
    as sent, so a response (a sign-up, a sign-in, a flash) never changes a role."""
    jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return webtest.TestApp(app, cookiejar=jar)


class FuzzWorld:
    def __init__(self, settings):
        self.settings = settings
        self.build()

    def build(self):
        reset_database(self.settings)
        self.app = main({}, **self.settings)
        self.registry = self.app.registry
        # a stream that ends at once after one poll keeps @@events requests short
        self.registry.settings["forge.events.stream_seconds"] = 0.01
        self.client = no_cookies_app(self.app)
        self.nodes = self._make_content()
        self.cookies, self.tokens = {}, {}
        for role in ROLES:
            self.sign_in(role)
        self.access = self.check_access()
        self.views = registered_views(self.registry)
        self.resources = {url: self.resource(url) for url in self.nodes}
        self.harvest = self._harvest()

    def _make_content(self):
        reg = self.registry
        # the admin is a site admin too, so that site-wide views (@@bus) are reached
        users = {name: create_user(reg, name, "%s@example.test" % name, PASSWORD,
                                   site_admin=(name == "admin"))
                 for name in ROLES[1:]}
        admin = users["admin"]
        nb = Neighborhood.query.get(name="p")
        projects = {"pub": create_project(reg, nb, "pub", "Pub", admin),
                    "priv": create_project(reg, nb, "priv", "Priv", admin, private=True)}
        create_project(reg, nb, "sub", "Sub", admin, parent=projects["pub"])
        # a deleted project: its page (site admins only) undeletes or purges it
        set_project_deleted(reg, create_project(reg, nb, "gone", "Gone", admin), True, admin)
        for project in projects.values():
            for name, role in (("member", "Member"), ("developer", "Developer")):
                add_member(reg, project, role_named(project, role), users[name], admin)
            for tool, mount in tools_to_install(reg):
                install_tool(reg, project, tool, mount, admin)
        session.close()
        deliver_to_reactors(reg)          # the discussion tool's general forum
        nodes = ["/", "/p/", "/u/", "/u/admin/", "/p/pub/sub/", "/p/gone/"]
        browser = ForgeBrowser(self.app)
        browser.login("admin")
        for name in projects:
            nodes += self._fill_project(browser, "/p/%s/" % name)
        session.close()
        return nodes

    def _fill_project(self, browser, p):
        def post(url, fields, **kw):
            if fields is None:
                response = browser.app.request(p + url, method="POST", status=302, **kw)
            else:
                response = browser.post_form(p + url, fields, status=302, **kw)
            return response.headers["Location"][len(SITE):].split("#")[0]

        page = post("wiki/@@new", {"name": "FuzzPage", "title": "Fuzz page",
                                   "text": "Text with [[OtherPage]] and `code`."})
        # a boundary of the RFC 2046 characters (WebTest's own has a '$')
        post("wiki/FuzzPage/@@attach", None,
             headers={"Content-Type": "multipart/form-data; boundary=fzb"},
             body=multipart_body("fzb", [("csrf_token", browser.csrf())],
                                   [("attachment", "notes.txt", "text/plain", b"words")]))
        post("wiki/FuzzPage/@@post", {"text": "A comment"})
        post("wiki/@@new", {"name": "OldName", "title": "Old name", "text": "old"})
        post("wiki/OldName/@@rename", {"name": "NewName"})
        post("wiki/@@new", {"name": "GonePage", "title": "Gone page", "text": "gone"})
        post("wiki/GonePage/@@delete", {})
        ticket = post("tickets/@@new", {"title": "A ticket", "description": "Ticket text"})
        post(ticket[len(p):] + "@@post", {"text": "A ticket comment"})
        thread = post("forum/general/@@new", {"subject": "A thread", "text": "First post"})
        note = post("notes/@@new", {"title": "A note", "name": "fuzznote", "text": "Note",
                                    "labels": ""})
        nodes = [p, p + "wiki/", page, p + "wiki/OldName/", p + "tickets/", ticket,
                 p + "forum/", p + "forum/general/", thread, p + "notes/", note]
        # the other installed tools: their home, and an entry where it is known how
        nodes += [p + mount + "/" for tool, mount in tools_to_install(self.registry)
                  if tool not in MOUNTS]
        if "links" in self.registry.forge_tools:
            nodes.append(post("links/@@new", {"title": "A link", "name": "fuzzlink",
                                              "url": "https://example.test/a", "text": ""}))
        return nodes

    def sign_in(self, role):
        """Give ``role`` a fresh session cookie and its CSRF token."""
        browser = ForgeBrowser(self.app)
        if role != "anonymous":
            browser.login(role)
        self.tokens[role] = browser.csrf()
        self.cookies[role] = "; ".join("%s=%s" % (c.name, c.value)
                                       for c in browser.app.cookiejar)

    def get(self, url, role="admin"):
        return self.client.get(url, headers={"Cookie": self.cookies[role]},
                               expect_errors=True)

    def check_access(self):
        """Each role's answer on the private project: a lost session or role shows here."""
        return {role: self.get("/p/priv/", role).status_int for role in ROLES}

    def intact(self, urls):
        """Whether the roles, their sessions and the nodes ``urls`` are as built."""
        if self.check_access() != self.access:
            return False
        return all(self.get(url).status_int in (200, 302) for url in urls)

    def resource(self, url):
        session.close()
        request = DummyRequest()
        request.registry = self.registry
        request.is_site_admin = True        # a deleted project is a node for site admins
        try:
            return find_resource(SiteRoot(request), url)
        finally:
            session.close()

    def targets(self, view):
        """The node addresses ``view`` answers on."""
        if view.route_pattern:
            return ["/"]
        return [url for url, resource in self.resources.items() if view.answers_on(resource)]

    def _harvest(self):
        """Crawl every node and each of its GET views as the admin."""
        harvest = Harvest()
        seen = set()
        for view in self.views:
            if "GET" not in view.methods or view.name == "events" or view.route_pattern:
                continue
            for node in self.targets(view):
                url = view.base(node)
                if url in seen:
                    continue
                seen.add(url)
                response = self.get(url)
                if "html" in response.content_type and response.status_int == 200:
                    harvest.add_page(url, response.text)
        return harvest


SOURCE_PARAM = re.compile(r"""(?:params|GET|POST)(?:\.get|\.getall|\.getone)?[(\[]\s*["']([\w\-]+)["']""")


def source_param_names(*packages):
    """The request parameter names the forge's and the tools' code reads."""
    import pathlib
    names = set()
    for package in packages:
        for path in pathlib.Path(package.__file__).parent.rglob("*.py"):
            names.update(SOURCE_PARAM.findall(path.read_text()))
    return sorted(names)
