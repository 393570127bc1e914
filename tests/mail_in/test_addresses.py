"""Reply tokens and addresses: signed, short enough for a local part, case
blind, and useless for any other user, artifact or forge."""
import pytest

from forge.mail_in.addresses import (Reply, ToolAddress, make_reply_token, notification_id,
                                     parse_address, read_reply_token, reply_address, thread_id,
                                     tool_address)
from forge.mail_in.settings import parse_listen
from pyramid.exceptions import ConfigurationError

USER, ARTIFACT = "65f1a2b3c4d5e6f708192a3b", "65f1a2b3c4d5e6f708192a3c"
SETTINGS = {"forge.secret": "s3cret", "forge.mail_in.domain": "mail.example.test",
            "forge.base_url": "https://forge.example.test"}


def test_a_token_names_its_user_and_artifact():
    token = make_reply_token("s3cret", USER, ARTIFACT)
    assert read_reply_token("s3cret", token) == (USER, ARTIFACT)
    assert read_reply_token("s3cret", token.upper()) == (USER, ARTIFACT)
    address = reply_address(SETTINGS, USER, ARTIFACT)
    assert len(address.split("@")[0]) <= 64 and address.endswith("@mail.example.test")
    assert parse_address(SETTINGS, address.upper().replace("MAIL.EXAMPLE.TEST",
                                                           "Mail.Example.Test")) == Reply(
        USER, ARTIFACT)


def test_tokens_differ_per_user_and_artifact_and_forge():
    tokens = {make_reply_token("s3cret", USER, ARTIFACT),
              make_reply_token("s3cret", ARTIFACT, USER),
              make_reply_token("other", USER, ARTIFACT)}
    assert len(tokens) == 3
    assert read_reply_token("other", make_reply_token("s3cret", USER, ARTIFACT)) is None


@pytest.mark.parametrize("position", range(0, 56, 5))
def test_any_changed_character_is_refused(position):
    token = make_reply_token("s3cret", USER, ARTIFACT)
    changed = token[:position] + ("b" if token[position] != "b" else "c") + token[position + 1:]
    assert read_reply_token("s3cret", changed) is None


@pytest.mark.parametrize("token", ["", "a", "a" * 56, "!" * 56, "a" * 57, "a" * 4000])
def test_malformed_tokens(token):
    assert read_reply_token("s3cret", token) is None


def test_ids_that_are_not_object_ids_get_no_token():
    assert make_reply_token("s3cret", "admin", ARTIFACT) is None
    assert reply_address(dict(SETTINGS, **{"forge.mail_in.domain": ""}), USER, ARTIFACT) is None


def test_tool_addresses():
    assert tool_address(SETTINGS, "demo/sub", "tickets") == "tickets.demo.sub@mail.example.test"
    assert parse_address(SETTINGS, "tickets.demo.sub@mail.example.test") == ToolAddress(
        "demo/sub", "tickets")
    for address in ("tickets@mail.example.test", "tickets.demo@other.test", "-x.demo@mail"
                    ".example.test", "a..b@mail.example.test", "no-at-sign", "",
                    "x" * 70 + ".demo@mail.example.test"):
        assert parse_address(SETTINGS, address) is None, address


def test_message_ids():
    assert thread_id(SETTINGS, ARTIFACT) == "<artifact.%s@mail.example.test>" % ARTIFACT
    assert notification_id(SETTINGS, "e1", USER) == "<e1.%s@mail.example.test>" % USER
    without = dict(SETTINGS, **{"forge.mail_in.domain": ""})
    assert thread_id(without, ARTIFACT).endswith("@forge.example.test>")


@pytest.mark.parametrize("value, expected", [
    ("127.0.0.1:2525", ("127.0.0.1", 2525)), ("[::1]:25", ("::1", 25)),
    ("localhost:24", ("localhost", 24))])
def test_listen(value, expected):
    assert parse_listen(value) == expected


@pytest.mark.parametrize("value", ["", "2525", "host:", "host:99999", "host:0", ":25"])
def test_bad_listen(value):
    with pytest.raises(ConfigurationError):
        parse_listen(value)


def test_artifact_addresses_name_a_tool_and_an_id():
    from forge.mail_in.addresses import ArtifactAddress, artifact_address
    address = artifact_address(SETTINGS, "demo/sub", "wiki", ARTIFACT)
    assert address == "wiki.demo.sub+%s@mail.example.test" % ARTIFACT
    assert parse_address(SETTINGS, address.upper()) == ArtifactAddress("demo/sub", "wiki",
                                                                        ARTIFACT)
    # a local part past 64 characters has no address; ids are ObjectId hex only
    assert artifact_address(SETTINGS, "p" * 40, "wiki", ARTIFACT) is None
    assert artifact_address(SETTINGS, "demo", "wiki", "Home") is None
    assert artifact_address({"forge.secret": "s"}, "demo", "wiki", ARTIFACT) is None
    for local in ("wiki.demo+home", "wiki.demo+", "wiki+%s" % ARTIFACT,
                  "wiki.demo+%s+x" % ARTIFACT, "wiki.demo+%s" % ARTIFACT[:-1]):
        assert parse_address(SETTINGS, local + "@mail.example.test") is None, local
