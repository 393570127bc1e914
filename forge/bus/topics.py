"""Dotted event topics and the wildcard patterns auditors and reactors subscribe with.

The semantics are AMQP's topic exchange, so a reactor's pattern means the same
thing in-process (auditors, ``memory://``) and as a RabbitMQ binding key:

* a topic is words separated by dots: ``notes.note.updated``;
* ``*`` in a pattern stands for exactly one word: ``notes.note.*``;
* ``#`` stands for zero or more words: ``project.#`` matches ``project``,
  ``project.created`` and ``project.tool.installed``; ``#`` alone matches all.

::

    >>> matches("*.*.created", "notes.note.created")
    True
    >>> matches("notes.*", "notes.note.created")
    False
"""
import functools

ONE_WORD = "*"
ANY_WORDS = "#"
MAX_PATTERN = 255       # RabbitMQ's limit for a binding key


def validate_pattern(pattern):
    """Return ``pattern`` if it is a valid topic pattern, else raise ValueError.

    Every word is non-empty; a word is either a wildcard (``*`` or ``#``) on
    its own or a name without wildcard characters or whitespace.
    """
    if not isinstance(pattern, str) or not pattern:
        raise ValueError("A topic pattern is a non-empty string, got %r." % (pattern,))
    if len(pattern) > MAX_PATTERN:
        raise ValueError("A topic pattern may be at most %d characters." % MAX_PATTERN)
    for word in pattern.split("."):
        if not word:
            raise ValueError("Topic pattern %r has an empty word (two dots, or a dot at "
                             "an end)." % pattern)
        if word in (ONE_WORD, ANY_WORDS):
            continue
        if ONE_WORD in word or ANY_WORDS in word:
            raise ValueError("In topic pattern %r a wildcard must be a whole word: %r."
                             % (pattern, word))
        if any(c.isspace() for c in word):
            raise ValueError("Topic pattern %r contains whitespace." % pattern)
    return pattern


def matches(pattern, topic):
    """True if the dotted ``topic`` matches ``pattern`` (``*`` one word, ``#`` any)."""
    return _matcher(pattern)(tuple(topic.split(".")))


@functools.lru_cache(maxsize=1024)
def _matcher(pattern):
    words = tuple(pattern.split("."))
    if ONE_WORD not in words and ANY_WORDS not in words:
        return lambda topic_words: topic_words == words
    return functools.partial(_match_words, words)


def _match_words(pattern_words, topic_words):
    # the set of topic positions the pattern read so far can end at: no
    # backtracking, so many '#' cannot make a pattern exponentially slow
    reachable = {0}
    for word in pattern_words:
        if word == ANY_WORDS:
            start = min(reachable)
            reachable = set(range(start, len(topic_words) + 1))
        elif word == ONE_WORD:
            reachable = {i + 1 for i in reachable if i < len(topic_words)}
        else:
            reachable = {i + 1 for i in reachable
                         if i < len(topic_words) and topic_words[i] == word}
        if not reachable:
            return False
    return len(topic_words) in reachable
