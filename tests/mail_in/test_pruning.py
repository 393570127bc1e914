"""Pruning what mail in keeps: records and raw messages older than
``forge.mail_in.keep_days`` go, younger ones stay, the comments they made
stay; the periodic thread and the CLI do the same."""
from datetime import timedelta

import gridfs
import pytest
from click.testing import CliRunner

from forge.mail_in.model import (BUCKET, INLINE_RAW_BYTES, InboundMail, keep_raw, raw_message,
                                 read_raw, store_raw)
from forge.mail_in.pruning import PeriodicPrune, prune_inbound_mail
from forge.model import session
from forge.model.session import utcnow


def received(age_days, body=b"Subject: hi\r\n\r\nhello\r\n"):
    """A record of a message received ``age_days`` ago, its raw bytes stored."""
    raw_id = store_raw(body * 3, "reply-x.eml")
    record = InboundMail(kind="reply", sender="a@example.test", recipient="r@x",
                         user_id="u", raw_file_id=raw_id, length=len(body),
                         created=utcnow() - timedelta(days=age_days))
    session.flush()
    session.close()
    return record._id, raw_id


@pytest.fixture
def empty(forge_app):
    InboundMail.query.remove({})
    for name in ("files", "chunks"):
        session.db["%s.%s" % (BUCKET, name)].delete_many({})
    return forge_app


def remaining():
    session.close()
    return sorted(r._id for r in InboundMail.query.find())


def test_old_messages_go_young_ones_stay(empty):
    old = [received(age) for age in (400, 120, 91)]
    young = [received(age) for age in (89, 1)]
    assert read_raw(old[0][1]) == b"Subject: hi\r\n\r\nhello\r\n" * 3   # a GridFS file
    assert prune_inbound_mail(90, batch=2) == 3
    assert remaining() == sorted(record_id for record_id, _ in young)
    for _, raw_id in old:
        with pytest.raises(gridfs.errors.NoFile):
            read_raw(raw_id)
    assert session.db[BUCKET + ".chunks"].count_documents({}) == 2
    for _, raw_id in young:
        assert read_raw(raw_id).startswith(b"Subject: hi")
    assert prune_inbound_mail(90) == 0
    assert prune_inbound_mail(0) == 0           # 0 keeps for ever
    assert len(remaining()) == 2


def test_a_large_message_is_stored_in_chunks_and_pruned_whole(empty):
    record_id, raw_id = received(200, body=b"x" * (600 * 1024))       # 1,800 KiB
    # 255 KiB chunks, as GridFS writes them
    assert session.db[BUCKET + ".chunks"].count_documents({"files_id": raw_id}) == 8
    assert len(read_raw(raw_id)) == 3 * 600 * 1024
    assert prune_inbound_mail(90) == 1
    assert session.db[BUCKET + ".chunks"].count_documents({}) == 0
    assert remaining() == []


def test_the_periodic_thread_prunes_and_stops(empty):
    received(100)
    received(3)
    pruning = PeriodicPrune(30, every=0.05, first_after=0.01).start()
    try:
        for _ in range(200):
            if len(remaining()) == 1:
                break
            pruning.stopping.wait(0.02)
    finally:
        pruning.stop()
    assert len(remaining()) == 1 and not pruning.thread.is_alive()
    assert not PeriodicPrune(0).start().thread.is_alive()      # 0: no thread at all


def test_the_cli_prunes_and_says_how_much(empty, monkeypatch):
    from forge.cli import mail_admin

    class Running:
        settings = {"forge.mail_in.keep_days": 0}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(mail_admin, "running_forge", lambda *a: Running())
    received(40)
    received(2)
    result = CliRunner().invoke(mail_admin.prune_mail_in_command, ["--keep-days", "30"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 received message older than 30 days." in result.output
    assert len(remaining()) == 1
    result = CliRunner().invoke(mail_admin.prune_mail_in_command, [])
    assert result.exit_code == 1 and "keep for ever" in result.output
    result = CliRunner().invoke(mail_admin.prune_mail_in_command, ["--keep-days", "0"])
    assert result.exit_code == 2 and "1 or more" in result.output


def test_a_short_message_is_kept_in_its_record_a_long_one_in_gridfs(empty):
    short, long = b"Subject: hi\r\n\r\nshort\r\n", b"x" * (INLINE_RAW_BYTES + 1)
    records = []
    for age, body in ((200, short), (200, long), (1, short)):
        file_id, inline = keep_raw(body, "reply-x.eml")
        record = InboundMail(kind="reply", sender="a@example.test", recipient="r@x",
                             user_id="u", raw_file_id=file_id, raw=inline, length=len(body),
                             created=utcnow() - timedelta(days=age))
        session.flush()
        records.append(record._id)
    session.close()
    # the short ones wrote nothing to GridFS, the long one its file
    assert session.db[BUCKET + ".files"].count_documents({}) == 1
    kept = {r._id: r for r in InboundMail.query.find()}
    assert [kept[i].raw_file_id is None for i in records] == [True, False, True]
    assert [raw_message(kept[i]) for i in records] == [short, long, short]
    # pruning takes the old ones, inline or not
    assert prune_inbound_mail(90) == 2
    assert remaining() == [records[2]]
    assert session.db[BUCKET + ".files"].count_documents({}) == 0
    assert session.db[BUCKET + ".chunks"].count_documents({}) == 0
