"""A message's writes (the comment and its thread's counters) move
the content generation once, after they are all made; ``one_bump`` still
bumps when what it wraps fails after a write."""
import smtplib

import pytest

from forge.discussion.model import Post
from forge.mail_in.addresses import reply_address
from forge.model import session
from forge.model.cache import current_generations, one_bump
from forge.model.session import collection

from .test_mail_leaks import guide, message  # noqa: F401


def test_a_reply_by_mail_bumps_the_content_generation_once(registry, site, guide, mail_in):
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    before = current_generations(session.db)
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        assert client.rcpt(address)[0] == 250
        code, _text = client.data(message("mem@example.test", address, "Bumped.").as_bytes())
    assert code == 250
    session.close()
    assert [p["text"] for p in collection(Post).find({"ref_id": guide._id})] == ["Bumped."]
    after = current_generations(session.db)
    assert after[1] == before[1] + 1 and after[0] == before[0]


def test_one_bump_bumps_after_a_failure_that_followed_a_write(registry, site):
    before = current_generations(session.db)
    with pytest.raises(RuntimeError):
        with one_bump():
            collection(Post).update_many({"_id": "none such"}, {"$set": {"text": "x"}})
            collection(Post).update_many({"_id": "none such"}, {"$set": {"text": "y"}})
            assert current_generations(session.db) == before      # held until the end
            raise RuntimeError("after the writes")
    after = current_generations(session.db)
    assert after[1] == before[1] + 1
