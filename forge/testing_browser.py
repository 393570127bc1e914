"""``ForgeBrowser``: a WebTest app that signs in and carries the CSRF token
(part of the ``forge.testing`` API)."""
import re

import webtest

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class ForgeBrowser:
    """A WebTest app that knows how to sign in and carry the CSRF token."""

    def __init__(self, app):
        self.app = webtest.TestApp(app)

    def __getattr__(self, name):
        return getattr(self.app, name)

    def csrf(self):
        page = self.app.get("/@@login" if not self.signed_in else "/@@account")
        return CSRF.search(page.text).group(1)

    @property
    def signed_in(self):
        cookie_name = self.app.app.registry.settings["forge.session.cookie_name"]
        return cookie_name in self.app.cookies and self._user is not None

    _user = None

    def login(self, username, password=PASSWORD):
        page = self.app.get("/@@login")
        token = CSRF.search(page.text).group(1)
        response = self.app.post("/@@login", {"username": username, "password": password,
                                              "csrf_token": token}, status="*")
        if response.status_int != 302:
            raise AssertionError("login of %s failed: %s" % (username, response.status))
        self._user = username
        return response

    def logout(self):
        self.app.reset()
        self._user = None

    def post_form(self, url, fields=None, status=None, **kw):
        data = dict(fields or {})
        data.setdefault("csrf_token", self.csrf())
        return self.app.post(url, data, status=status, **kw)


def browser(app, username=None):
    """A ``ForgeBrowser`` on ``app``, signed in as ``username`` when given."""
    b = ForgeBrowser(app)
    if username:
        b.login(username)
    return b


def signed_in_cookies(app, usernames):
    """Each of ``usernames``' session cookies once signed in on ``app``: a
    module's world keeps them (``fresh_app(world=)``) so that its tests sign
    nobody in again."""
    cookies = {}
    for name in usernames:
        signed_in = browser(app, name)
        cookies[name] = dict(signed_in.cookies)
    return cookies
