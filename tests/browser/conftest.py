"""Real-browser tests: a live forge served by waitress, driven by Debian's Chromium.

One forge server and one Chromium run for the whole session; every test gets a
browser context as new (no cookies, storage or routes carried over: contexts
are reused, cleared between tests, see ``pages.py``) through the ``page`` fixture.
A test fails when its pages log a console error or make any request to another
origin (the forge must work offline and must not leak visits to third parties).

Data is seeded through ``forge.actions`` in the test thread; each test makes
its own users and projects with unique names (``seed``), so tests do not depend
on each other's order.
"""
import itertools
import os
import pathlib
import re

import pytest

from forge.testing import CSRF, PASSWORD, served_in_thread

from .pages import PagePool
from .reactors import deliver_after, outbox_mark

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
KEEP_SCREENSHOTS = os.environ.get("FORGE_TEST_SCREENSHOTS") == "1"
CHROMIUM = os.environ.get("FORGE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Playwright's default of 30 s turns a broken page into a long wait; the forge
# answers in milliseconds, but under make test's parallel workers (two on two
# cores, each with its Chromium and server) a page may wait its turn for a CPU.
TIMEOUT_MS = 15000


def pytest_collection_modifyitems(items):
    for item in items:
        if pathlib.Path(str(item.fspath)).parent == pathlib.Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------- live server

@pytest.fixture(scope="session")
def forge_server():
    """A forge on 127.0.0.1:<free port> in a daemon thread; yields (base_url, app)."""
    import forge
    from forge.model import session
    from forge.testing import forge_test_settings, reset_database

    settings = forge_test_settings()
    reset_database(settings)
    app = forge.main(**settings)
    session.close()
    # one worker thread: mim:// is an in-process store shared with the test
    # thread, and a single server thread keeps request handling strictly serial
    with served_in_thread(app, threads=1, name="forge-live-server",
                          ident="pyforge-browser-tests") as server:
        yield "http://127.0.0.1:%s" % server.effective_port, app


@pytest.fixture(scope="session")
def base_url(forge_server):
    return forge_server[0]


def own_forge(name, **settings):
    """The module fixtures of a test module that serves a forge of its own
    (the session's settings and ``settings``: another tool, mail in on...),
    on the same in-memory database, and points ``base_url`` and
    ``live_registry`` at it::

        forge_server, base_url, live_registry = own_forge("forge-x-server", **{...})
    """
    @pytest.fixture(scope="module", name="forge_server")
    def own_server():
        import forge
        from forge.model import session
        from forge.testing import forge_test_settings
        # no reset: the session's forge may be serving the same database
        app = forge.main(**forge_test_settings(**settings))
        session.close()
        with served_in_thread(app, threads=1, name=name, ident="pyforge-" + name) as server:
            yield "http://127.0.0.1:%s" % server.effective_port, app

    @pytest.fixture(scope="module", name="base_url")
    def own_base_url(forge_server):
        return forge_server[0]

    @pytest.fixture(scope="module", name="live_registry")
    def own_live_registry(forge_server):
        return forge_server[1].registry

    return own_server, own_base_url, own_live_registry


@pytest.fixture(scope="session")
def live_registry(forge_server):
    return forge_server[1].registry


_unique = itertools.count(1)


class Seed:
    """Creates users and projects through ``forge.actions`` with unique names."""

    def __init__(self, registry):
        self.registry = registry

    def name(self, prefix):
        return "%s%d" % (prefix, next(_unique))

    def user(self, prefix="user", site_admin=False, display_name=""):
        from forge.actions.users import create_user
        from forge.model import session
        username = self.name(prefix)
        user = create_user(self.registry, username, "%s@example.test" % username, PASSWORD,
                           display_name=display_name, site_admin=site_admin)
        session.close()
        return user

    def project(self, admin, prefix="proj", title=None, parent=None, private=False,
                tools=()):
        """A project in /p/ (a subproject of ``parent``), with ``tools`` as
        (tool, mount) pairs installed."""
        from forge.actions.projects import create_project, install_tool
        from forge.model import Neighborhood, Project, User, session
        shortname = self.name(prefix)
        nb = Neighborhood.query.get(name="p")
        admin = User.query.get(_id=admin._id)
        parent_doc = None
        if parent is not None:
            parent_doc = Project.query.get(_id=parent._id)
        project = create_project(self.registry, nb, shortname, title or shortname.title(),
                                 admin, parent=parent_doc, private=private)
        for tool, mount in tools:
            install_tool(self.registry, project, tool, mount, admin)
        session.close()
        return project

    def note(self, project, mount, title, text="", author=None):
        """A note at the top of the notes tool at ``mount``; ``author`` defaults
        to the project's first admin."""
        from forge.actions.roles import role_named
        from forge.model import Project, ToolInstance, User, session
        from tools.notes.actions import create_note
        project = Project.query.get(_id=project._id)
        tool = ToolInstance.query.get(project_id=project._id, mount=mount)
        if author is None:
            author = User.query.get(_id=role_named(project, "Admin").user_ids[0])
        name = title.lower().replace(" ", "-")
        create_note(self.registry, project, tool, None, name,
                           {"title": title, "text": text, "labels": [], "custom": {},
                            "ext": {}}, author)
        session.close()
        return "/p/%s/%s/%s/" % (project.shortname, mount, name)

    def member(self, project, role_name, user):
        """Give ``user`` the role ``role_name`` in ``project``."""
        from forge.actions.roles import add_member, role_named
        from forge.model import Project, User, session
        project = Project.query.get(_id=project._id)
        admin = User.query.get(_id=user._id)
        add_member(self.registry, project, role_named(project, role_name), admin, admin)
        session.close()


@pytest.fixture
def seed(live_registry):
    from forge.model import session
    yield Seed(live_registry)
    session.close()


@pytest.fixture(autouse=True)
def _outbox_mark(request):
    """The outbox's highest number before the test's fixtures change anything
    (``run_reactors`` delivers what comes after it)."""
    if "run_reactors" in request.fixturenames:
        request.node.forge_outbox_mark = outbox_mark(request.getfixturevalue("live_registry"))


@pytest.fixture
def run_reactors(live_registry, request):
    """``run_reactors()`` runs the live forge's reactors over the events
    written since this test began, until idle (``reactors.py``)."""
    from forge.model import session

    def run():
        taken = deliver_after(live_registry, request.node.forge_outbox_mark)
        session.close()
        return taken
    return run


def project_url(project):
    """Path of a seeded top-level project or subproject in /p/."""
    return "/p/%s/" % project.shortname


# ---------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright
    if not os.path.exists(CHROMIUM):
        # a missing browser must not pass silently: `make test` installs it
        pytest.fail("no Chromium at %s: run `make test` (it installs Debian's chromium) "
                    "or `apt-get install -y chromium`" % CHROMIUM)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def page_pool(chromium):
    """This test process's reusable contexts (``tests/browser/pages.py``)."""
    pool = PagePool(chromium, TIMEOUT_MS)
    yield pool
    pool.close()


@pytest.fixture
def new_page(page_pool, base_url, request):
    """A factory of pages, each in its own browser context (its own cookies),
    as new: contexts are reused from test to test, cleared in between
    (``tests/browser/pages.py``); ``new_page(own_context=True)`` makes one for
    this test only."""
    slots = request.node.forge_page_slots = []

    def make(own_context=False):
        slot = page_pool.take(base_url, own_context=own_context)
        slots.append(slot)
        return slot.page

    yield make
    page_pool.give_back()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    problems = [p for slot in getattr(item, "forge_page_slots", []) for p in slot.guard.problems]
    if problems:
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test leaves a screenshot of each of its pages, as they are at
    the failure, in test-output/screenshots/failed/<test>-<n>.png."""
    report = yield
    if report.failed and call.when in ("setup", "call"):
        name = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1])[:150]
        for n, slot in enumerate(getattr(item, "forge_page_slots", []), 1):
            try:
                if not slot.page.is_closed() and slot.page.url != "about:blank":
                    _screenshot(slot.page, "failed/%s-%d" % (name, n))
            except Exception:       # the screenshot must not hide the failure
                pass
    return report


def _screenshot(page, name):
    path = SCREENSHOTS / ("%s.png" % name)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


def shot(page, name):
    """Save a full-page screenshot as test-output/screenshots/<name>.png when
    FORGE_TEST_SCREENSHOTS=1 (a gallery of the pages the tests saw); otherwise
    nothing: no test reads them, and each cost ~0.4 s (a failing test leaves
    screenshots of its pages anyway, see ``pytest_runtest_makereport``)."""
    if KEEP_SCREENSHOTS:
        _screenshot(page, name)


def login(page, username, password=PASSWORD):
    """Sign in as ``username`` in the page's browser context; returns the page
    at where the sign-in redirects, signed in.

    The sign-in form's own GET and POST (with its CSRF token) go through the
    context's request API, which shares the context's cookies: a real sign-in
    in half the time of rendering and filling the form (the form itself is
    tested in test_accounts.py, by its labels and with the keyboard)."""
    form = page.request.get("/@@login")
    token = CSRF.search(form.text()).group(1)
    done = page.request.post("/@@login", max_redirects=0, form={
        "username": username, "password": password, "csrf_token": token, "next": ""})
    assert done.status == 302, "sign-in of %s failed: %s %s" % (
        username, done.status, done.text()[:2000])
    page.goto(done.headers["location"])
    assert page.get_by_role("button", name="Sign out").is_visible(), \
        "sign-in of %s failed: %s" % (username, page.locator("main").inner_text())
    return page
