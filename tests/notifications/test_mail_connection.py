"""The pieces that make one change's mail cheap: one SMTP session for all of
its messages, header values parsed once, the markers of a retried event read
in one query and written in one, the watchers' preferences read in one query
(``_id $in``: indexed on both servers), the watches of a lineage one indexed
query per level (never ``node_id $in``: nx-27017 scans for it)."""
import smtplib
from email.message import EmailMessage

import pytest

from forge.model.session import collection
from forge.notifications.mailer import Mailer, parsed_header, quoted_address
from forge.notifications.messages import VerbatimHeader
from forge.notifications.model import MailPreference, SentNotification, Watch
from forge.notifications.reactor import lineage_watchers, mailed_already, record_sent
from forge.notifications.watches import frequencies_of


def message(to, subject="Hello"):
    mail = EmailMessage()
    mail["To"] = to
    mail["Subject"] = parsed_header("Subject", subject)
    mail.set_content("Some text.\n")
    return mail


@pytest.fixture
def counted_mailer(smtp_server, monkeypatch):
    """A mailer to the test server that counts the SMTP sessions it opens."""
    mailer = Mailer(smtp_server.host, smtp_server.port, sender="forge@example.test")
    opened = []
    connect = mailer._connect

    def counting():
        opened.append(1)
        return connect()
    monkeypatch.setattr(mailer, "_connect", counting)
    return mailer, opened


def test_one_session_sends_all_the_messages_of_a_connection(counted_mailer, smtp_server):
    mailer, opened = counted_mailer
    with mailer.connection() as smtp:
        for name in ("a", "b", "c"):
            smtp.send(message("%s@example.test" % name))
    assert opened == [1]
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "a@example.test", "b@example.test", "c@example.test"]
    assert all(m["From"] == "forge@example.test" for m in smtp_server.messages)
    mailer.send(message("d@example.test"))            # one message: its own session
    assert len(opened) == 2 and len(smtp_server.messages) == 4


def test_a_refused_message_raises_and_the_next_one_opens_a_new_session(
        counted_mailer, smtp_server):
    mailer, opened = counted_mailer
    with mailer.connection() as smtp:
        smtp.send(message("a@example.test"))
        smtp_server.fail_next = 1
        with pytest.raises(smtplib.SMTPDataError):
            smtp.send(message("b@example.test"))
        smtp.send(message("c@example.test"))
    assert len(opened) == 2
    assert [m["To"] for m in smtp_server.messages] == ["a@example.test", "c@example.test"]


def test_no_session_is_opened_for_no_message(counted_mailer):
    mailer, opened = counted_mailer
    with mailer.connection():
        pass
    assert opened == []


def test_a_disabled_mailer_sends_nothing():
    with Mailer("").connection() as smtp:
        smtp.send(message("a@example.test"))          # logged and dropped, no error


def test_a_parsed_header_is_parsed_once_and_reads_as_the_string():
    first = parsed_header("Subject", "[Demo] Crash: changed status")
    assert parsed_header("Subject", "[Demo] Crash: changed status") is first
    mail = message("a@example.test", "[Demo] Crash: changed status")
    plain = EmailMessage()
    plain["To"] = "a@example.test"
    plain["Subject"] = "[Demo] Crash: changed status"
    plain.set_content("Some text.\n")
    assert mail.as_bytes() == plain.as_bytes()


def test_a_parsed_header_still_encodes_non_ascii_text():
    mail = message("a@example.test", "Über straße")
    assert b"=?utf-8?" in mail.as_bytes()
    assert mail["Subject"] == "Über straße"


@pytest.mark.parametrize("value", ["two\nlines", "two\rlines", "x\r\nBcc: b@example.test"])
def test_a_parsed_header_refuses_line_breaks(value):
    with pytest.raises(ValueError):
        parsed_header("Subject", value)


def test_a_verbatim_header_is_left_alone():
    mail = message("a@example.test")
    mail["List-Unsubscribe"] = VerbatimHeader("List-Unsubscribe", "<https://x.test/u?t=1>")
    assert b"List-Unsubscribe: <https://x.test/u?t=1>" in mail.as_bytes()


def test_the_markers_of_one_event_only(registry):
    markers = collection(SentNotification)
    ids = ["ev1:u1", "ev1:u2", "ev10:u3", "ev1x:u4", "ev:u5"]
    markers.insert_many([{"_id": marker, "event_id": marker.split(":")[0], "timestamp": 1.0}
                         for marker in ids])
    try:
        assert mailed_already("ev1") == {"u1", "u2"}
        assert mailed_already("ev2") == set()
    finally:
        markers.delete_many({"_id": {"$in": ids}})


def test_an_events_markers_are_recorded_in_one_write_and_a_retry_adds_the_rest(registry):
    """The markers of one event's mails go in one unordered insert; those a
    failed attempt recorded already are skipped, the others are added."""
    markers = collection(SentNotification)
    try:
        record_sent("ev7", ["u1", "u2"])
        record_sent("ev7", ["u2", "u3"])        # the retry: u2 is there already
        assert mailed_already("ev7") == {"u1", "u2", "u3"}
    finally:
        markers.delete_many({"event_id": "ev7"})


def test_preferences_of_several_users_in_one_query(registry):
    prefs = collection(MailPreference)
    prefs.insert_many([{"_id": "pu1", "frequency": "digest"}, {"_id": "pu2", "frequency": "none"}])
    try:
        assert frequencies_of(["pu1", "pu2", "pu3"]) == {
            "pu1": "digest", "pu2": "none", "pu3": "each"}
        assert frequencies_of([]) == {}
    finally:
        prefs.delete_many({"_id": {"$in": ["pu1", "pu2"]}})


class Node:
    def __init__(self, kind, _id, parent=None):
        self.kind, self._doc, self.__parent__ = kind, type("Doc", (), {"_id": _id}), parent


def test_the_lineage_watchers_name_the_nearest_watched_node(registry):
    """Each watcher of the lineage is named with the nearest node they watch,
    and a watch made after the event does not count."""
    project = Node("project", "lp")
    tool = Node("tool", "lt", project)
    forum = Node("artifact", "lf", tool)
    thread = Node("artifact", "lth", forum)
    watches = collection(Watch)
    rows = [("w1", "lp", 1.0), ("w1", "lth", 1.0), ("w2", "lt", 1.0), ("w2", "lf", 9.0),
            ("w3", "lp", 9.0), ("w4", "elsewhere", 1.0)]
    watches.insert_many([{"_id": "%s:%s" % (user, node), "user_id": user, "node_id": node,
                          "created": created} for user, node, created in rows])
    try:
        assert lineage_watchers(thread, since=5.0) == {"w1": "lth", "w2": "lt"}
        assert lineage_watchers(thread) == {"w1": "lth", "w2": "lf", "w3": "lp"}
        assert lineage_watchers(tool, since=5.0) == {"w1": "lp", "w2": "lt"}
    finally:
        watches.delete_many({"_id": {"$in": ["%s:%s" % (u, n) for u, n, _c in rows]}})


def test_the_lineage_watchers_are_read_by_equality_on_the_indexed_node_id(registry, monkeypatch):
    """nx-27017 scans a whole collection for ``$in`` on a field other than
    ``_id`` (every watch on the site, per event): each level is one equality
    query on the ``node_id`` index instead."""
    from forge.notifications import reactor
    filters = []

    class Watches:
        def find(self, query, fields=None):
            filters.append(query)
            return []
    monkeypatch.setattr(reactor, "collection", lambda cls: Watches())
    project = Node("project", "lp")
    thread = Node("artifact", "lth", Node("tool", "lt", project))
    assert lineage_watchers(thread) == {}
    assert filters == [{"node_id": "lth"}, {"node_id": "lt"}, {"node_id": "lp"}]


def test_the_envelope_names_the_sender_and_each_recipient(smtp_server):
    """The addresses quoted once per address (``QuotingOnce``) are those
    smtplib quotes: each message goes to its own recipient, from the sender."""
    mailer = Mailer(smtp_server.host, smtp_server.port, sender="Forge <forge@example.test>")
    with mailer.connection() as smtp:
        for name in ("a", "b", "a"):
            smtp.send(message("%s@example.test" % name))
    assert [m.envelope_to for m in smtp_server.messages] == [
        ["a@example.test"], ["b@example.test"], ["a@example.test"]]
    assert quoted_address("Forge <forge@example.test>") == smtplib.quoteaddr(
        "Forge <forge@example.test>") == "<forge@example.test>"
