"""``@@export``: a project admin asks, the worker makes the archive, and only
that admin may download it, for a day."""
import datetime
import io
import zipfile

import pytest
from pyramid.config import Configurator

from forge.actions.projects import create_project, install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.users import create_user
from forge.archive.web_model import ArchiveExport
from forge.model import Neighborhood, session
from forge.model.session import collection
from forge.resources import root_factory
from forge.settings import parse_settings
from forge.testing import PASSWORD, ForgeBrowser, deliver_to_reactors, forge_test_settings
from forge.testing_apps import reset_database
from tools.tracker.actions import create_ticket


@pytest.fixture(scope="module")
def site():
    """The forge (which includes ``forge.archive.web``); ``ada`` and ``bob`` admin
    project ``proj``, ``mem`` is a member."""
    settings = forge_test_settings(**{"ming.main.database": "forge_test_web_export"})
    reset_database(settings)
    with Configurator(settings=parse_settings(settings), root_factory=root_factory) as config:
        config.include("forge")
        config.include("forge.plugins.include_tools")
    app = config.make_wsgi_app()
    registry = app.registry
    people = {name: create_user(registry, name, "%s@example.test" % name, PASSWORD)
              for name in ("ada", "bob", "mem")}
    project = create_project(registry, Neighborhood.query.get(name="p"), "proj", "Proj",
                             people["ada"])
    add_member(registry, project, role_named(project, "Admin"), people["bob"], people["ada"])
    add_member(registry, project, role_named(project, "Member"), people["mem"], people["ada"])
    tracker = install_tool(registry, project, "tracker", "tickets", people["ada"])
    create_ticket(registry, project, tracker, {"title": "Exported ticket"}, people["ada"])
    session.flush()
    session.close()
    return app


def signed_in(app, name):
    browser = ForgeBrowser(app)
    browser.login(name)
    return browser


def download_url(page):
    marker = 'class="export-download" href="'
    assert marker in page.text
    return page.text.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")


def test_export_made_by_the_worker_for_that_admin_only(site):
    ada = signed_in(site, "ada")
    ada.post_form("/p/proj/@@export", status=302)
    assert "queued" in ada.get("/p/proj/@@export").text
    deliver_to_reactors(site.registry)
    page = ada.get("/p/proj/@@export")
    url = download_url(page)
    response = ada.get(url)
    assert response.content_type == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="proj-')
    with zipfile.ZipFile(io.BytesIO(response.body)) as archive:
        assert "manifest.json" in archive.namelist()
        assert b"Exported ticket" in archive.read("records/artifact.jsonl")
    # another admin of the project neither sees nor downloads it; a member may not ask
    bob = signed_in(site, "bob")
    assert "export-download" not in bob.get("/p/proj/@@export").text
    assert bob.get(url, status=404)
    assert signed_in(site, "mem").get("/p/proj/@@export", status=403)
    assert ForgeBrowser(site).get(url, status="*").status_int in (302, 403, 404)


def test_an_export_expires_after_a_day(site):
    ada = signed_in(site, "ada")
    ada.post_form("/p/proj/@@export", status=302)
    deliver_to_reactors(site.registry)
    url = download_url(ada.get("/p/proj/@@export"))
    exports = collection(ArchiveExport)
    past = datetime.datetime.utcnow() - datetime.timedelta(seconds=1)
    exports.update_many({}, {"$set": {"expires": past}})
    assert ada.get(url, status=404)
    assert "export-download" not in ada.get("/p/proj/@@export").text
    assert exports.count_documents({}) == 0
