"""Export → import into an empty forge (a second database) → export again:
the two archives hold the same records apart from ids, and what was private
stays private. One module fixture does the trips; the tests read it."""
import subprocess
from types import SimpleNamespace

import pytest

from forge.actions.users import hasher
from forge.archive import ArchiveReader, export_project, import_archive, plan_import
from forge.demo import ensure_demo_site
from forge.model import Neighborhood, Project, ToolInstance, User, session
from forge.model.session import collection
from forge.testing import PASSWORD, ForgeBrowser, deliver_to_reactors, forge_test_settings
from forge.testing_apps import fresh_app
from tools.code.repository import repository_path
from tools.tracker.actions import create_ticket
from tools.tracker.model import Ticket

from .compare import differences, read_archive
from .world import build_world

TARGET = forge_test_settings(**{"ming.main.database": "forge_test_archive_target"})


def trip_import(registry, path):
    with ArchiveReader(path) as reader:
        plan = plan_import(registry, reader, users="create")
        return import_archive(registry, reader, plan)


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    where = tmp_path_factory.mktemp("archives")
    source = fresh_app(forge_test_settings()).registry
    ensure_demo_site(source)
    session.flush()
    session.close()
    demo_id = Project.query.get(shortname="demo")._id
    big_id = build_world(source)
    source_nb = Neighborhood.query.get(name="p")._id
    for name, root in (("big", big_id), ("demo", demo_id)):
        export_project(source, root, str(where / ("%s-1.zip" % name)))
    app = fresh_app(TARGET)            # an empty forge on another database
    target = app.registry
    ids = {source_nb: Neighborhood.query.get(name="p")._id}
    imported = {}
    for name in ("big", "demo"):
        summary = trip_import(target, str(where / ("%s-1.zip" % name)))
        ids.update(summary.ids)
        imported[name] = summary
    deliver_to_reactors(target)        # project.imported: the search reactor re-indexes
    session.close()
    for name in ("big", "demo"):
        export_project(target, imported[name].root_id, str(where / ("%s-2.zip" % name)))
    return SimpleNamespace(app=app, registry=target, ids=ids, where=where,
                           imported=imported)


def the_import_itself(kind, record):
    return kind == "audit_log" and record.get("action") == "project.import"


@pytest.mark.parametrize("name", ["big", "demo"])
def test_archives_equal_apart_from_ids(trip, name):
    first = read_archive(trip.where / ("%s-1.zip" % name))
    second = read_archive(trip.where / ("%s-2.zip" % name))
    assert differences(first, second, trip.ids, ignore=the_import_itself) == []
    counts = dict(first["manifest"]["counts"])
    counts["audit_log"] += 1           # the import's own entry
    assert second["manifest"]["counts"] == counts


def test_every_kind_and_snapshot_travelled(trip):
    first = read_archive(trip.where / "big-1.zip")
    for kind in ("project", "tool_instance", "artifact", "snapshot", "thread", "post",
                 "attachment", "activity", "watch", "tracker_saved_search", "audit_log",
                 "project_role", "user", "tool_part"):
        assert first[kind], kind
    tickets = [r for r in first["artifact"] if r["type"] == "tracker.ticket"]
    assert tickets and all(t["version"] == 4 for t in tickets)
    snapshots = [s for s in first["snapshot"] if s["artifact_id"] == tickets[0]["_id"]]
    assert sorted(s["version"] for s in snapshots) == [1, 2, 3, 4]
    assert tickets[0]["custom"] == {"severity": "high"} and tickets[0]["ext"]
    assert len(first["files"]) == 2 + 3      # two on ticket 1, one per reply
    assert not any("password" in key or "token" in key
                   for user in first["user"] for key in user)


def test_people_keep_their_names_and_roles(trip):
    dev = User.by_username("dev")
    assert dev.email == "dev@example.test" and dev.display_name == "Dev Person"
    collection(User).update_one({"_id": dev._id},
                                {"$set": {"password_hash": hasher.hash(PASSWORD)}})
    browser = ForgeBrowser(trip.app)
    browser.login("dev")
    assert "Ticketsecret" in browser.get("/p/big/tickets/2/").text
    assert "1 result<" in browser.get("/p/big/@@search", {"q": "Ticketsecret"}).text


def test_private_stays_private(trip):
    anonymous = ForgeBrowser(trip.app)
    assert "Openticket 1" in anonymous.get("/p/big/tickets/1/").text
    for url in ("/p/big/tickets/2/", "/p/big/wiki/Secret/", "/p/big/one/two/",
                "/p/big/one/two/three/wiki/Home/"):
        response = anonymous.get(url, status="*")
        assert response.status_int in (403, 404), url
        assert "Ticketsecret" not in response.text and "Sealedtext" not in response.text


def test_search_rebuilt_through_the_bus(trip):
    anonymous = ForgeBrowser(trip.app)
    found = anonymous.get("/p/big/@@search", {"q": "Openticket"}).text
    assert "0 results" not in found and "Openticket" in found
    hidden = anonymous.get("/p/big/@@search", {"q": "Ticketsecret"}).text
    assert "0 results" in hidden        # indexed (dev finds it), but not for everyone


def test_counter_and_repository_follow(trip):
    big = Project.query.get(_id=trip.imported["big"].root_id)
    tracker = ToolInstance.query.get(project_id=big._id, tool="tracker")
    create_ticket(trip.registry, big, tracker, {"title": "After import"},
                  User.by_username("ada"))
    session.flush()
    assert Ticket.query.get(tool_id=tracker._id, title="After import").number == 4
    code = ToolInstance.query.get(project_id=big._id, tool="code")
    log = subprocess.run(["git", "--git-dir", repository_path(trip.registry, code._id),
                          "log", "--format=%s", "main"], capture_output=True, text=True)
    assert log.stdout.strip() == "First commit"


