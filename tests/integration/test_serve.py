"""``forge serve`` as a user meets it: real process, real HTTP, real database.

The story: first start creates the demo site and prints the admin password;
someone signs up and creates a project and a subproject through the pages;
``forge admin`` adds data while the server runs and after it stopped; after
a restart everything is still there and the old session still works.
"""
import http.cookiejar
import re
import signal
import urllib.error
import urllib.parse
import urllib.request

import pymongo
import pytest

from .conftest import forge_here

pytestmark = pytest.mark.integration

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "integration pass 1"
STOP_WITHIN = 10


class Client:
    """A tiny browser: a cookie jar, redirects followed, forms with CSRF."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path, data=None):
        url = urllib.parse.urljoin(self.base_url, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def get(self, path):
        return self.request(path)

    def submit(self, path, fields):
        """GET the form page, then POST ``fields`` with its CSRF token."""
        status, _, page = self.get(path)
        assert status == 200, "GET %s: %s" % (path, status)
        token = CSRF.search(page).group(1)
        return self.request(path, dict(fields, csrf_token=token))

    def login(self, username, password):
        status, url, page = self.submit("/@@login", {"username": username,
                                                     "password": password})
        assert status == 200 and "/@@login" not in url, page[:2000]
        return self


def test_serve_keeps_everything_across_restarts(tmp_path, forge_serve, run_forge):
    data_dir = tmp_path / "data"
    server = forge_serve(data_dir)
    admin_password = server.admin_password
    assert admin_password, server.output()
    assert (data_dir / "secret").stat().st_mode & 0o777 == 0o600

    # the demo site
    anonymous = Client(server.url)
    for path in ("/p/demo/", "/p/demo/docs/"):
        assert anonymous.get(path)[0] == 200, path
    Client(server.url).login("admin", admin_password)

    # sign up and create a project and a private subproject through the pages
    carol = Client(server.url)
    status, url, page = carol.submit("/@@signup", {
        "username": "carol", "email": "carol@example.test", "display_name": "Carol",
        "password": PASSWORD, "password_confirm": PASSWORD})
    assert status == 200 and url.endswith("/u/carol/"), page[:2000]
    status, url, page = carol.submit("/p/@@create", {
        "shortname": "alpha", "title": "Alpha", "description": "The *first* one."})
    assert status == 200 and url.endswith("/p/alpha/"), page[:2000]
    status, url, page = carol.submit("/p/alpha/@@create-subproject", {
        "shortname": "beta", "title": "Beta", "description": "", "private": "1"})
    assert status == 200 and url.endswith("/p/alpha/beta/"), page[:2000]
    status, url, page = anonymous.get("/p/alpha/beta/")   # private: hidden
    assert (status == 404 or "/@@login" in url) and "Beta" not in page

    # forge admin while the server runs: it uses the running database (a process,
    # then the same command code in this one: forge_here, a third of the CPU)
    cli_args = ("--data-dir", data_dir, "--db-port", server.db_port)
    done = run_forge("admin", "create-user", "dave", "--email", "dave@example.test",
                     "--password-stdin", *cli_args, input=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "Using the database server already running" in done.stderr
    done = forge_here("admin", "create-project", "gamma", "--title", "Gamma",
                      "--admin", "dave", *cli_args)
    assert done.returncode == 0, done.stderr
    done = forge_here("admin", "install-tool", "gamma", "notes", "notes", *cli_args)
    assert done.returncode == 0, done.stderr
    assert "Gamma" in anonymous.get("/p/gamma/")[2]
    assert anonymous.get("/p/gamma/notes/")[0] == 200
    Client(server.url).login("dave", PASSWORD)
    done = forge_here("admin", "create-project", "delta", "--parent", "alpha",
                      "--admin", "dave", *cli_args)
    assert done.returncode == 0, done.stderr
    done = forge_here("admin", "install-tool", "alpha/delta", "notes", "wiki", *cli_args)
    assert done.returncode == 0, done.stderr
    assert anonymous.get("/p/alpha/delta/wiki/")[0] == 200

    code, seconds = server.stop(signal.SIGINT)
    assert code == 0, server.output()
    assert seconds < STOP_WITHIN
    assert "PyForge stopped." in server.output()

    # forge admin while nothing runs: it starts (and stops) the database itself
    # (once: each such command starts a database server, ~1 s of CPU)
    done = run_forge("admin", "create-user", "erin", "--email", "erin@example.test",
                     "--password-stdin", *cli_args, input=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr

    server = forge_serve(data_dir, db_port=server.db_port)
    assert server.admin_password is None          # printed on the first start only
    with pymongo.MongoClient("mongodb://127.0.0.1:%d/" % server.db_port) as client:
        db = client.forge
        assert {u["username"] for u in db.user.find()} >= {"admin", "carol", "dave", "erin"}
        assert {p["shortname"] for p in db.project.find()} >= {
            "demo", "demo/docs", "alpha", "alpha/beta", "gamma", "alpha/delta"}
        assert db.tool_instance.count_documents({"mount": "wiki", "tool": "notes"}) == 1

    # the session from before the restart still works (the secret persisted)
    carol.base_url = server.url
    status, url, page = carol.get("/p/alpha/beta/")
    assert status == 200 and "Beta" in page
    # and so do sign-ins, and every project
    Client(server.url).login("erin", PASSWORD)
    Client(server.url).login("admin", admin_password)
    anonymous = Client(server.url)
    for path in ("/p/alpha/", "/p/gamma/", "/p/alpha/delta/", "/p/alpha/delta/wiki/",
                 "/p/demo/docs/"):
        assert anonymous.get(path)[0] == 200, path

    code, seconds = server.stop(signal.SIGTERM)
    assert code == 0, server.output()
    assert seconds < STOP_WITHIN
