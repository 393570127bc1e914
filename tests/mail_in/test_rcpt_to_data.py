"""Where ``RCPT TO`` found the artifact is walked first at ``DATA``: no
second read by id, and the walk still sees what changed in between."""
import smtplib

from forge.artifact_actions import delete_artifact
from forge.discussion.model import Post
from forge.mail_in.addresses import reply_address
from forge.model import session
from forge.model.session import collection
from forge.visibility import NodeResolver

from .test_mail_leaks import guide, message, nothing_posted  # noqa: F401


def counting_reads_by_id(monkeypatch):
    reads = []
    real = NodeResolver._find_artifact

    def find(self, artifact_id):
        reads.append(artifact_id)
        return real(self, artifact_id)
    monkeypatch.setattr(NodeResolver, "_find_artifact", find)
    return reads


def test_data_walks_where_rcpt_found_the_artifact(registry, site, guide, mail_in,
                                                  monkeypatch):
    reads = counting_reads_by_id(monkeypatch)
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        assert client.rcpt(address)[0] == 250
        assert reads == [guide._id]
        code, _text = client.data(message("mem@example.test", address, "Walked.").as_bytes())
    assert code == 250
    assert reads == [guide._id]         # DATA did not read it by id again
    session.close()
    assert [p["text"] for p in collection(Post).find({"ref_id": guide._id})] == ["Walked."]


def test_a_page_deleted_between_rcpt_and_data_gets_nothing(registry, site, guide, mail_in):
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        assert client.rcpt(address)[0] == 250
        delete_artifact(registry, guide, site["ada"])
        session.flush()
        code, _text = client.data(message("mem@example.test", address).as_bytes())
    assert code == 550
    nothing_posted(guide)


def rcpt(mail_in, sender, address):
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail(sender)
        return client.rcpt(address)[0]


def test_rcpt_walks_where_it_last_found_the_artifact(registry, site, guide, mail_in,
                                                     monkeypatch):
    """The second ``RCPT TO`` of a reply address reads the artifact by its id
    no more: it walks where the first one found it."""
    reads = counting_reads_by_id(monkeypatch)
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    assert rcpt(mail_in, "mem@example.test", address) == 250
    assert rcpt(mail_in, "mem@example.test", address) == 250
    assert reads == [guide._id]


def test_an_artifact_moved_since_rcpt_last_found_it_is_read_by_its_id(
        registry, site, guide, mail_in, monkeypatch):
    """The kept place is a hint only: the walk sees the page is not there
    any more, and the artifact is found by its id where it is now."""
    from tools.wiki.model import WikiPage
    reads = counting_reads_by_id(monkeypatch)
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    assert rcpt(mail_in, "mem@example.test", address) == 250
    collection(WikiPage).update_one({"_id": guide._id},
                                    {"$set": {"path": "Moved", "family": "Moved"}})
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        assert client.rcpt(address)[0] == 250
        code, _text = client.data(message("mem@example.test", address, "Moved.").as_bytes())
    assert code == 250
    assert reads == [guide._id, guide._id]
    session.close()
    assert [p["path"] for p in collection(Post).find({"ref_id": guide._id})] == ["Moved"]
