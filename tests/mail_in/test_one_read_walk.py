"""A reply to a thread reads the thread's lineage (forum, thread: each found
by its own path) in one query, at ``RCPT TO`` and again at ``DATA``, and the
walk still sees what changed in between (``recipients.prefetch_lineage``)."""
import smtplib

import pytest

from forge.fragments import generation_store
from forge.mail_in import recipients
from forge.mail_in.addresses import reply_address
from forge.model import Artifact, session
from forge.model.cache import find_raw as real_find_raw
from forge.notifications.messages import mail_request
from forge.resources import tool as tool_resources
from forge.visibility import NodeResolver

from .test_mail_leaks import message


@pytest.fixture
def thread(registry, site):
    from tools.discussion.actions import create_thread
    from tools.discussion.model import Forum
    forum = Forum.query.get(tool_id=site["forums"]._id, path="general")
    with mail_request(registry) as request:
        forum_node = NodeResolver(request).artifact(forum._id)
        node, _post = create_thread(registry, forum_node, "Release plans", "When?",
                                    site["ada"], may_skip_moderation=True)
        doc = node.doc
    session.close()
    return doc


def counting_artifact_reads(monkeypatch):
    reads = []

    def find_raw(cls, query, sort=None):
        if cls is Artifact:
            reads.append(query)
        return real_find_raw(cls, query, sort)
    monkeypatch.setattr(tool_resources, "find_raw", find_raw)
    monkeypatch.setattr(recipients, "find_raw", find_raw)
    return reads


def send(mail_in, sender, address, text):
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail(sender)
        rcpt = client.rcpt(address)[0]
        if rcpt != 250:
            return rcpt
        return client.data(message(sender, address, text).as_bytes())[0]


def test_a_reply_reads_the_threads_lineage_in_one_query(registry, site, thread, mail_in,
                                                        monkeypatch):
    address = reply_address(registry.settings, site["mem"]._id, thread._id)
    assert send(mail_in, "mem@example.test", address, "First.") == 250
    reads = counting_artifact_reads(monkeypatch)
    generation_store(registry).clear()
    assert send(mail_in, "mem@example.test", address, "Second.") == 250
    # RCPT's walk and DATA's: one query each (the store may save DATA's)
    assert 1 <= len(reads) <= 2
    assert all(query["path"] == {"$in": ["general", thread.path]} for query in reads)


def test_the_walk_still_sees_a_thread_deleted_since(registry, site, thread, mail_in):
    from forge.artifact_actions import delete_artifact
    address = reply_address(registry.settings, site["mem"]._id, thread._id)
    assert send(mail_in, "mem@example.test", address, "First.") == 250
    session.close()
    delete_artifact(registry, Artifact.query.get(_id=thread._id), site["ada"])
    session.flush()
    session.close()
    assert send(mail_in, "mem@example.test", address, "After.") == 550
