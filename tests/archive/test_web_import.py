"""``@@admin-import``: a site admin uploads an archive, reads the dry run,
confirms, and the worker imports it; a bad archive is a 400 naming the record
and nothing is written; only site admins, and only with the form's token."""
import os

import pytest
from pyramid.config import Configurator

from forge.actions.projects import create_project, install_tool
from forge.actions.users import create_user
from forge.archive import export_project
from forge.archive.web_import import imports_dir
from forge.archive.web_model import ArchiveImport
from forge.model import Neighborhood, session
from forge.model.session import collection, doc_session
from forge.resources import root_factory
from forge.settings import parse_settings
from forge.testing import PASSWORD, ForgeBrowser, deliver_to_reactors, forge_test_settings
from forge.testing_apps import reset_database
from tools.tracker.actions import create_ticket

from .test_bad_input import changed_copy, edit_lines

DATA = ("project", "tool_instance", "artifact", "snapshot", "user", "project_role")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A forge with site admin ``root``, user ``ada`` and ada's project ``proj``
    (a tracker with a ticket), exported to ``app.archive``."""
    settings = forge_test_settings(**{"ming.main.database": "forge_test_web_import"})
    reset_database(settings)
    with Configurator(settings=parse_settings(settings), root_factory=root_factory) as config:
        config.include("forge")
        config.include("forge.plugins.include_tools")
    app = config.make_wsgi_app()
    registry = app.registry
    create_user(registry, "root", "root@example.test", PASSWORD, site_admin=True)
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    project = create_project(registry, Neighborhood.query.get(name="p"), "proj", "Proj", ada)
    tracker = install_tool(registry, project, "tracker", "tickets", ada)
    create_ticket(registry, project, tracker, {"title": "Imported from the web"}, ada)
    session.flush()
    session.close()
    app.archive = tmp_path_factory.mktemp("web-import") / "proj.zip"
    export_project(registry, project._id, str(app.archive))
    return app


def signed_in(app, name):
    browser = ForgeBrowser(app)
    browser.login(name)
    return browser


def counts():
    db = doc_session.db
    return {name: db[name].count_documents({}) for name in DATA}


def upload(browser, path, status, **fields):
    fields.setdefault("action", "check")
    return browser.post_form("/@@admin-import", fields, status=status,
                             upload_files=[("attachment", os.path.basename(str(path)),
                                            open(path, "rb").read())])


def assert_refused(site, path, message, **fields):
    """A 400 that names what is wrong; no record, no upload kept, nothing written."""
    before = counts()
    imports = collection(ArchiveImport).count_documents({})
    page = upload(signed_in(site, "root"), path, 400, **fields)
    assert message in page.text, page.text[:3000]
    assert counts() == before
    assert collection(ArchiveImport).count_documents({}) == imports
    assert os.listdir(imports_dir(site.registry)) == []
    return page


def test_dry_run_then_the_worker_imports(site):
    root = signed_in(site, "root")
    before = counts()
    page = upload(root, site.archive, 302, as_path="proj-web", users="map").follow()
    assert "Dry run: the archive is valid; nothing was written." in page.text
    assert "/p/proj-web/" in page.text and "1 artifact" in page.text
    assert counts() == before                       # the dry run wrote no data
    checked = collection(ArchiveImport).find_one({"status": "checked"})
    root.post_form("/@@admin-import", {"action": "import", "import_id": checked["_id"]},
                   status=302)
    assert "queued (into /p/proj-web/)" in root.get("/@@admin-import").text
    deliver_to_reactors(site.registry)
    page = root.get("/@@admin-import")
    assert "imported as" in page.text and "/p/proj-web/" in page.text
    copy = doc_session.db.project.find_one({"shortname": "proj-web"})
    assert copy is not None
    assert doc_session.db.artifact.find_one({"project_id": copy["_id"],
                                             "title": "Imported from the web"})
    assert os.listdir(imports_dir(site.registry)) == []   # the upload is gone
    assert "Imported from the web" in root.get("/p/proj-web/tickets/1/").text


def test_a_subproject_with_placeholder_people(site):
    root = signed_in(site, "root")
    upload(root, site.archive, 302, as_path="sub", parent_path="proj", users="placeholder")
    checked = collection(ArchiveImport).find_one({"status": "checked"})
    assert checked["plan"]["where"] == "/p/proj/sub/"
    root.post_form("/@@admin-import", {"action": "import", "import_id": checked["_id"]},
                   status=302)
    deliver_to_reactors(site.registry)
    assert doc_session.db.project.find_one({"shortname": "proj/sub"}) is not None


def test_not_a_zip(site, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not an archive")
    assert_refused(site, junk, "not a readable archive")


def test_truncated_archive(site, tmp_path):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(site.archive.read_bytes()[: site.archive.stat().st_size // 2])
    assert_refused(site, cut, "truncated or not a zip", as_path="cut")


def test_a_record_with_a_dangling_reference_is_named(site, tmp_path):
    def orphan(records):
        records[0]["artifact_id"] = "0123456789abcdef01234567"
        return records
    target = changed_copy(site.archive, tmp_path / "orphan.zip",
                          edit_lines("records/snapshot.jsonl", orphan))
    page = assert_refused(site, target, "records/snapshot.jsonl line 1", as_path="orphan")
    assert "artifact_id 0123456789abcdef01234567 names no artifact" in page.text


def test_an_existing_path(site):
    assert_refused(site, site.archive, "A project /p/proj/ exists already")


def test_unknown_people_in_map_mode(site):
    doc_session.db.user.update_one({"username": "ada"}, {"$set": {"email": "ada@moved.test",
                                                                  "username": "ada2"}})
    try:
        assert_refused(site, site.archive, "has no account here", as_path="nobody")
    finally:
        doc_session.db.user.update_one({"username": "ada2"}, {
            "$set": {"email": "ada@example.test", "username": "ada"}})


@pytest.mark.parametrize("fields, message", [
    ({"users": "everyone"}, "People without an account are one of map, create, placeholder"),
    ({"as_path": "../etc"}, "The new path"),
    ({"parent_path": "a b"}, "The parent project"),
])
def test_bad_options(site, fields, message):
    assert_refused(site, site.archive, message, **fields)


def test_no_file(site):
    page = signed_in(site, "root").post_form("/@@admin-import", {"action": "check"},
                                             status=400)
    assert "Choose an archive file" in page.text


def test_the_forge_changed_between_the_dry_run_and_the_import(site):
    root = signed_in(site, "root")
    upload(root, site.archive, 302, as_path="raced", users="map")
    checked = collection(ArchiveImport).find_one({"status": "checked"})
    root.post_form("/@@admin-import", {"action": "import", "import_id": checked["_id"]},
                   status=302)
    ada = doc_session.db.user.find_one({"username": "ada"})
    project = create_project(site.registry, Neighborhood.query.get(name="p"), "raced",
                             "Taken meanwhile", ada and _user(ada["_id"]))
    session.flush()
    before = counts()
    deliver_to_reactors(site.registry)
    done = collection(ArchiveImport).find_one({"_id": checked["_id"]})
    assert done["status"] == "failed"
    assert "A project /p/raced/ exists already" in done["error"]
    assert counts() == before
    assert "failed: " in root.get("/@@admin-import").text
    assert project.title == "Taken meanwhile"


def _user(user_id):
    from forge.model import User
    return User.query.get(_id=user_id)


def test_discard(site):
    root = signed_in(site, "root")
    upload(root, site.archive, 302, as_path="discarded")
    checked = collection(ArchiveImport).find_one({"status": "checked"})
    root.post_form("/@@admin-import", {"action": "discard", "import_id": checked["_id"]},
                   status=302)
    assert collection(ArchiveImport).find_one({"_id": checked["_id"]}) is None
    assert os.listdir(imports_dir(site.registry)) == []
    page = root.post_form("/@@admin-import", {"action": "import",
                                              "import_id": checked["_id"]}, status=404)
    assert "There is no checked import" in page.text


def test_only_site_admins(site):
    ada = signed_in(site, "ada")
    assert ada.get("/@@admin-import", status=403)
    before = counts()
    upload(ada, site.archive, 403, as_path="by-ada")
    assert counts() == before
    assert collection(ArchiveImport).count_documents({"filename": "proj.zip",
                                                      "options.as_path": "by-ada"}) == 0
    assert ForgeBrowser(site).get("/@@admin-import", status="*").status_int in (302, 403)


def test_the_form_needs_its_token(site):
    root = signed_in(site, "root")
    imports = collection(ArchiveImport).count_documents({})
    response = root.app.post("/@@admin-import", {"action": "check", "csrf_token": "forged",
                                                 "as_path": "forged"},
                             upload_files=[("attachment", "proj.zip", site.archive.read_bytes())],
                             status="*")
    assert response.status_int == 400
    assert collection(ArchiveImport).count_documents({}) == imports
    assert os.listdir(imports_dir(site.registry)) == []


def test_the_menu_links_the_page(site):
    page = signed_in(site, "root").get("/@@admin")
    assert 'href="http://localhost/@@admin-import"' in page.text
