"""@@events: server-sent events filtered by what the listener may read."""
import json
import threading
import time
import http.client

import pytest

from forge.actions.projects import install_tool
from forge.model import OutboxEvent
from forge.testing import forge_test_settings, served_in_thread


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.events.stream_seconds": "0.3"})


@pytest.fixture
def world(registry, make_user, make_project):
    from forge.actions.roles import add_member, role_named
    from tools.notes.actions import create_note
    ada, bob = make_user("ada"), make_user("bob")
    make_user("eve")              # signed in, but no member
    project = make_project("demo", ada, title="Demo")
    add_member(registry, project, role_named(project, "Developer"), bob, ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    start = OutboxEvent.query.find().sort("seq", -1).first().seq
    fields = {"title": "Open Plans", "text": "hello", "labels": [], "custom": {}, "ext": {}}
    create_note(registry, project, tool, None, "open", fields, ada)
    create_note(registry, project, tool, None, "secret",
                dict(fields, title="Secret Plans"), ada, private=True)
    return {"start": start, "tool": tool}


def read_events(body):
    events = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines()
                      if ": " in line and not line.startswith(":"))
        if "data" in fields:
            events.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return events


def stream(browser, url, last_id):
    response = browser.get(url, headers={"Last-Event-ID": str(last_id)})
    assert response.content_type == "text/event-stream"
    return read_events(response.text)


def paths(events):
    return [data["path"] for _, _, data in events if data.get("path")]


def test_reader_of_everything_gets_every_event_in_order(forge_browser, world):
    forge_browser.login("bob")        # a developer may read private notes
    events = stream(forge_browser, "/p/demo/@@events", world["start"])
    assert paths(events) == ["open", "secret"]
    assert [seq for seq, _, _ in events] == sorted(seq for seq, _, _ in events)
    assert events[0][1] == "notes.note.created"


@pytest.mark.parametrize("who", [None, "eve"])
def test_private_events_never_reach_who_cannot_read_them(forge_browser, world, who):
    if who:
        forge_browser.login(who)
    events = stream(forge_browser, "/p/demo/notes/@@events", world["start"])
    assert paths(events) == ["open"]
    assert "Secret Plans" not in json.dumps([e[2] for e in events])


def test_last_event_id_resumes_after_it(forge_browser, world):
    forge_browser.login("bob")
    first = stream(forge_browser, "/p/demo/@@events", world["start"])
    rest = stream(forge_browser, "/p/demo/@@events", first[0][0])
    assert paths(rest) == ["secret"]


def test_too_many_streams_answer_503(forge_browser, world, registry):
    from forge.views.events import stream_slots
    slots = stream_slots(registry)
    taken = []
    while True:             # every slot, each for another address
        slot = slots.take([("address", "192.0.2.%d" % len(taken))])
        if slot is None:
            break
        taken.append(slot)
    try:
        response = forge_browser.get("/p/demo/@@events", status=503)
        assert response.headers["Retry-After"] == "5"
    finally:
        for slot in taken:
            slot.release()


def test_a_user_gets_a_share_of_the_streams_and_others_still_get_theirs(
        forge_browser, world, registry, forge_app):
    from forge.model import User
    from forge.testing import ForgeBrowser
    from forge.views.events import stream_slots
    slot = stream_slots(registry).take([("user", User.by_username("bob")._id)])
    try:
        forge_browser.login("bob")                # bob's one stream is open elsewhere
        forge_browser.get("/p/demo/@@events", status=503)
        eve = ForgeBrowser(forge_app)
        eve.login("eve")
        assert eve.get("/p/demo/@@events").content_type == "text/event-stream"
    finally:
        slot.release()


def test_one_address_gets_a_share_of_the_streams(forge_browser, world, registry):
    from forge.views.events import stream_slots
    slot = stream_slots(registry).take([("address", "192.0.2.7")])
    try:
        forge_browser.get("/p/demo/@@events", status=503,
                          extra_environ={"REMOTE_ADDR": "192.0.2.7"})
        forge_browser.get("/p/demo/@@events", extra_environ={"REMOTE_ADDR": "192.0.2.8"})
    finally:
        slot.release()


def test_a_stream_ends_and_gives_its_slot_back_once_the_client_has_gone(
        forge_browser, world, registry):
    from forge.views.events import stream_slots
    registry.settings["forge.events.stream_seconds"] = 10
    gone = threading.Event()
    threading.Timer(1.5, gone.set).start()
    response = forge_browser.get("/p/demo/@@events",
                                 extra_environ={"waitress.client_disconnected": gone.is_set})
    # the heartbeats (one a second) stop with the client, long before the stream's 10 s
    assert response.text.startswith("retry: ")
    assert response.text.count(":\n\n") < 5, response.text
    assert stream_slots(registry).open == 0


def test_an_idle_stream_sends_heartbeats_so_a_closed_client_fails_a_write(
        forge_browser, world, registry):
    registry.settings["forge.events.stream_seconds"] = 3
    response = forge_browser.get("/p/demo/@@events")
    assert response.text.count(":\n\n") >= 2
    assert read_events(response.text) == []


def test_a_body_never_iterated_still_gives_its_slot_back():
    from forge.views.events import StreamBody, StreamSlots

    def events():
        yield b"never read"
    slots = StreamSlots(2, {"address": 1, "user": 1})
    body = StreamBody(events(), slots.take([("address", "192.0.2.1")]))
    assert slots.take([("address", "192.0.2.1")]) is None
    body.close()
    body.close()                      # once only, however often called
    assert slots.open == 0 and not slots.by_key
    assert slots.take([("address", "192.0.2.1")]) is not None


def test_unreadable_project_stream_is_404(forge_browser, registry, make_user, make_project):
    ada = make_user("ada")
    make_project("hidden", ada, private=True)
    forge_browser.get("/p/hidden/@@events", status=404)


def test_a_new_event_arrives_within_a_second(registry, forge_app, world):
    """Over a real socket: waitress streams while the test makes a change."""
    from tools.notes.actions import create_note
    from forge.model import Project, ToolInstance, User, session
    registry.settings["forge.events.stream_seconds"] = 3
    with served_in_thread(forge_app, threads=2) as server:
        port = server.effective_port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/p/demo/notes/@@events", headers={"Connection": "close"})
        response = connection.getresponse()
        assert response.status == 200
        response.fp.readline()            # "retry: ..."
        response.fp.readline()
        time.sleep(0.3)                   # the stream has taken its starting point
        project = Project.query.get(shortname="demo")
        tool = ToolInstance.query.get(project_id=project._id, mount="notes")
        ada = User.by_username("ada")
        created = time.monotonic()
        create_note(registry, project, tool, None, "fresh",
                    {"title": "Fresh", "text": "", "labels": [], "custom": {}, "ext": {}}, ada)
        session.close()
        line = b""
        while not line.startswith(b"data: "):
            line = response.fp.readline()
            assert line, "stream ended before the event"
        assert time.monotonic() - created < 1.0
        assert json.loads(line[6:])["path"] == "fresh"
        while response.fp.readline():     # until the stream ends, before the server stops
            pass
        connection.close()


def _copy_of_last_record(seq, project_id=None):
    """An outbox record as a save with number ``seq`` would write it."""
    from forge.model.session import collection
    record = collection(OutboxEvent).find_one(sort=[("seq", -1)])
    record.update(_id="late-%d" % seq, seq=seq)
    if project_id is not None:
        record["project_id"] = project_id
    return record


def test_the_horizon_waits_for_a_number_taken_but_not_written(world):
    from forge.model.session import collection
    from forge.views.events import Horizon
    top = OutboxEvent.query.find().sort("seq", -1).first().seq
    outbox = collection(OutboxEvent)
    outbox.insert_one(_copy_of_last_record(top + 2))        # written before top + 1
    now = [100.0]
    horizon = Horizon(gap_seconds=5, clock=lambda: now[0])
    assert horizon.up_to(top, top + 2) == top
    outbox.insert_one(_copy_of_last_record(top + 1, project_id="another-project"))
    assert horizon.up_to(top, top + 2) == top + 2
    # a number never written (its flush failed) holds the stream only so long
    outbox.insert_one(_copy_of_last_record(top + 4))
    assert horizon.up_to(top + 2, top + 4) == top + 2
    now[0] += 4.9
    assert horizon.up_to(top + 2, top + 4) == top + 2
    now[0] += 0.2
    assert horizon.up_to(top + 2, top + 4) == top + 4


def test_a_stream_does_not_pass_a_late_number(forge_browser, world):
    """Resuming after the last event seen must not skip one that was late."""
    from forge.model.session import collection
    forge_browser.login("bob")
    top = OutboxEvent.query.find().sort("seq", -1).first().seq
    outbox = collection(OutboxEvent)
    outbox.insert_one(_copy_of_last_record(top + 2))
    assert stream(forge_browser, "/p/demo/@@events", top) == []   # top + 1 still awaited
    outbox.insert_one(_copy_of_last_record(top + 1))
    assert [seq for seq, _, _ in stream(forge_browser, "/p/demo/@@events", top)] == [
        top + 1, top + 2]


def test_under_a_server_that_does_not_read_ahead_the_heartbeat_frees_the_slot(
        registry, forge_app, world):
    """waitress without ``channel_request_lookahead`` (someone's own INI) never
    reads the socket while a stream runs: the heartbeat's failed write is what
    tells the stream that its client has gone."""
    import socket
    from forge.views.events import StreamSlots
    registry.settings["forge.events.stream_seconds"] = 120
    slots = registry.forge_stream_slots = StreamSlots(1, {"address": 1, "user": 1})
    with served_in_thread(forge_app, threads=2) as server:
        client = socket.create_connection(("127.0.0.1", server.effective_port), timeout=5)
        client.sendall(b"GET /p/demo/@@events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        received = b""
        while b"retry:" not in received:
            received += client.recv(4096)
        assert slots.open == 1
        client.close()
        deadline = time.monotonic() + 15        # generous: the stream has 120 s
        while slots.open and time.monotonic() < deadline:
            time.sleep(0.1)
        assert slots.open == 0


@pytest.mark.parametrize("last_id", ["²", "١٢", "9" * 30, "-1", "1e3"])
def test_a_last_event_id_that_is_no_plain_number_starts_from_now(forge_browser, world, last_id):
    response = forge_browser.get("/p/demo/@@events", params={"last_event_id": last_id})
    assert response.content_type == "text/event-stream"
    assert read_events(response.text) == []


def test_a_stream_reads_once_however_late_it_starts(forge_browser, world, registry):
    """A stream whose time is up before its first read (a loaded server) still
    sends what is waiting, once, instead of an empty answer."""
    registry.settings["forge.events.stream_seconds"] = 0
    forge_browser.login("bob")
    assert paths(stream(forge_browser, "/p/demo/@@events", world["start"])) == ["open", "secret"]
