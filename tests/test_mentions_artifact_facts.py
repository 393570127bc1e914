"""A new version of an artifact tells whether its text may mention anyone
(detail ``may_mention``, ``forge.events.ArtifactEvent``), as a new comment
does: the mentions reactor reads nothing for one without an "@", and still
tells the people a ticket mentions.  A boolean, never the text."""
from types import SimpleNamespace

from forge.mentions import MentionNotice, notify_mentions
from forge.model import OutboxEvent
from forge.model.session import collection
from forge.testing import count_queries

from .test_mentions import edit, forge_settings, mentions, new_ticket, site  # noqa: F401


def events(topic):
    return [record["message"] for record in collection(OutboxEvent).find(
        {"topic": topic}).sort("seq", 1)]


def test_a_ticket_without_an_at_sign_costs_the_reactor_no_read(registry, site,  # noqa: F811
                                                               delivered_mail):
    ticket = new_ticket(registry, site, "Plain words, no one named.")
    edit(registry, ticket, "Mail dev@example.test about it")
    edit(registry, ticket, "Still plain.")
    created, *updated = events("tracker.ticket.created") + events("tracker.ticket.updated")
    assert [e["detail"]["may_mention"] for e in (created, *updated)] == [False, True, False]
    # names no content: the live events stream and webhooks send an event by
    # the node its path names now (tests/test_leaks.py)
    assert "Plain" not in repr(created) and "Crash" not in repr(created)
    context = SimpleNamespace(registry=registry)
    for event in (created, updated[1]):
        with count_queries() as reads:
            notify_mentions(event, context)
        assert reads == []
    with count_queries() as reads:
        notify_mentions(updated[0], context)       # an "@", in an address: read, nobody told
    assert reads
    assert mentions(delivered_mail) == {}


def test_a_ticket_that_mentions_someone_still_tells_them(registry, site,  # noqa: F811
                                                         delivered_mail):
    ticket = new_ticket(registry, site, "cc @out")
    assert events("tracker.ticket.created")[0]["detail"]["may_mention"] is True
    assert list(mentions(delivered_mail)) == ["out@example.test"]
    edit(registry, ticket, "cc @out and @mem")
    assert list(mentions(delivered_mail)) == ["mem@example.test"]


def test_an_event_without_the_fact_reads_as_before(registry, site, delivered_mail):  # noqa: F811
    new_ticket(registry, site, "cc @out")
    assert list(mentions(delivered_mail)) == ["out@example.test"]
    collection(MentionNotice).delete_many({})      # as if never told
    event = events("tracker.ticket.created")[0]
    older = dict(event, detail={k: v for k, v in event["detail"].items() if k != "may_mention"})
    notify_mentions(older, SimpleNamespace(registry=registry))
    assert list(mentions(delivered_mail)) == ["out@example.test"]


def test_every_markdown_field_the_reactor_reads_is_versioned(registry):
    """The fact looks for an "@" in the versioned fields; the reactor reads the
    Markdown fields of the declared type (and the version before from its
    snapshot, which holds the versioned fields): every declared type's
    Markdown fields stored on its artifacts are versioned ones."""
    kinds = registry.forge_artifact_types.values()
    assert kinds
    for kind in kinds:
        stored = [f.name for f in kind.form.fields
                  if f.widget == "markdown" and hasattr(kind.model, f.name)]
        assert set(stored) <= set(kind.model.versioned_fields), kind.name
