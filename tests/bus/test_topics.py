"""Topic patterns: AMQP topic-exchange semantics (``*`` one word, ``#`` any)."""
import pytest

from forge.bus.topics import matches, validate_pattern

TABLE = [
    # pattern, topic, matches
    ("notes.note.created", "notes.note.created", True),
    ("notes.note.created", "notes.note.updated", False),
    ("notes.note", "notes.note.created", False),
    ("wiki.page.*", "wiki.page.updated", True),
    ("wiki.page.*", "wiki.page.created", True),
    ("wiki.page.*", "wiki.page", False),
    ("wiki.page.*", "wiki.page.attachment.added", False),
    ("wiki.page.*", "tracker.page.updated", False),
    ("#", "scm.commit", True),
    ("#", "mail", True),
    ("#", "project.tool.installed", True),
    ("*.*.created", "notes.note.created", True),
    ("*.*.created", "tracker.ticket.created", True),
    ("*.*.created", "project.created", False),
    ("*.*.created", "a.b.c.created", False),
    ("*.*.created", "notes.note.updated", False),
    ("project.#", "project", True),
    ("project.#", "project.created", True),
    ("project.#", "project.tool.installed", True),
    ("project.#", "projects.created", False),
    ("project.#", "acl.changed", False),
    ("#.created", "created", True),
    ("#.created", "notes.note.created", True),
    ("#.created", "notes.note.created.again", False),
    ("notes.#.created", "notes.created", True),
    ("notes.#.created", "notes.note.sub.created", True),
    ("notes.#.created", "wiki.note.created", False),
    ("*", "scm", True),
    ("*", "scm.commit", False),
    ("#.#", "a.b.c", True),
    ("*.#", "scm", True),
    ("*.#", "scm.commit.pushed", True),
    ("#.*", "scm", True),
    ("#.*.*", "scm", False),
    ("a.#.b.#.c", "a.x.b.y.z.c", True),
    ("a.#.b.#.c", "a.b.c", True),
    ("a.#.b.#.c", "a.c.b", False),
]


@pytest.mark.parametrize("pattern, topic, expected", TABLE)
def test_matches(pattern, topic, expected):
    assert validate_pattern(pattern) == pattern
    assert matches(pattern, topic) is expected


def test_many_hashes_stay_fast():
    pattern = ".".join(["#"] * 30 + ["end"])
    topic = ".".join(["w"] * 200)
    assert not matches(pattern, topic)
    assert matches(pattern, topic + ".end")


@pytest.mark.parametrize("pattern", [
    "", ".", "notes.", ".notes", "notes..note", "notes.note*", "no#tes.x", "**",
    "notes.no te", None, 42, "x" * 300,
])
def test_invalid_patterns(pattern):
    with pytest.raises(ValueError):
        validate_pattern(pattern)
