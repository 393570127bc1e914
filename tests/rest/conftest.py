"""A small world for the REST tests: ada admins ``demo`` (notes and a wiki),
dev is a Developer, mem a Member, out an outsider; each has an API token."""
import json

import pytest
import webtest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.tokens import create_token
from forge.model import session

PEOPLE = ("ada", "dev", "mem", "out")


def scope_of(name):
    return "admin" if name == "ada" else "write"


@pytest.fixture
def world(registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member"), ("out", None)):
        people[name] = make_user(name)
        if role:
            add_member(registry, project, role_named(project, role), people[name], ada)
    people["notes"] = install_tool(registry, project, "notes", "notes", ada)
    people["wiki"] = install_tool(registry, project, "wiki", "wiki", ada)
    # ada's token may do what she may do as the project's admin (scope "admin")
    people["tokens"] = {name: create_token(people[name], "tests", scope=scope_of(name))[1]
                        for name in PEOPLE}
    session.close()
    return people


class Client:
    """A WebTest client that speaks JSON with a bearer token (or none)."""

    def __init__(self, app, token=None):
        self.app, self.token = webtest.TestApp(app), token

    def headers(self, extra=None):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        headers.update(extra or {})
        return headers

    def get(self, url, status=200, headers=None, **kw):
        return self.app.get(url, headers=self.headers(headers), status=status, **kw)

    def send(self, method, url, body=None, status=None, headers=None, raw=None,
             content_type="application/json"):
        data = raw if raw is not None else json.dumps(body).encode()
        return getattr(self.app, method.lower())(
            url, params=data, headers=self.headers(headers), status=status,
            content_type=content_type, expect_errors=status is None)


@pytest.fixture
def client(forge_app, world):
    def make(name=None):
        return Client(forge_app, world["tokens"][name] if name else None)
    return make
