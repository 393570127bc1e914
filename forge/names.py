"""What a name in a URL may be, what one line of text may hold, and the
messages users see when they are not."""
import re
import unicodedata

SHORTNAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,30}[a-z0-9])?$")
MAX_SEGMENT = 255


class InvalidName(ValueError):
    """The message is shown to the user as is."""


# Control characters (C0, DEL, C1 with U+0085 NEL), line and paragraph
# separators (U+2028, U+2029) and lone surrogates: every character
# ``str.splitlines`` breaks on is among them, so text without them stays one
# line in a mail header, a log line or a title attribute.
NOT_ONE_LINE = frozenset(("Cc", "Zl", "Zp", "Cs"))


def single_line(text):
    """Whether ``text`` is one line without control characters.

    The one check of every one-line field (titles, names, labels, subjects)::

        single_line("Release 1.0")        # True
        single_line("Release\u20281.0")   # False: a line separator
    """
    return not any(unicodedata.category(c) in NOT_ONE_LINE for c in text)


def one_line(text):
    """``text`` with each run of line breaks and control characters made one
    space: for stored text that predates ``single_line`` (mail headers)."""
    kept = []
    for c in text:
        if unicodedata.category(c) not in NOT_ONE_LINE:
            kept.append(c)
        elif not kept or kept[-1] != " ":
            kept.append(" ")
    return "".join(kept)


def check_shortname(name, what="name"):
    """Project and tool mount names: 1-63 of a-z, 0-9 and inner hyphens."""
    if not isinstance(name, str) or not name:
        raise InvalidName("The %s is required." % what)
    if len(name) > 63:
        raise InvalidName("The %s may be at most 63 characters long." % what)
    if name.startswith("@@"):
        raise InvalidName("The %s may not start with '@@' (reserved for views)." % what)
    if not SHORTNAME.match(name):
        raise InvalidName(
            "The %s may contain only lowercase letters, digits and hyphens, "
            "and must start and end with a letter or digit." % what)
    return name


def check_username(name):
    if not isinstance(name, str) or not name:
        raise InvalidName("A username is required.")
    if len(name) > 32:
        raise InvalidName("A username may be at most 32 characters long.")
    if not USERNAME.match(name):
        raise InvalidName(
            "A username may contain only lowercase letters, digits, '-' and '_', "
            "and must start and end with a letter or digit.")
    return name


def check_segment(segment, what="name"):
    """An artifact path segment: printable text without '/', NUL or dot names."""
    if not isinstance(segment, str) or not segment.strip():
        raise InvalidName("The %s is required." % what)
    if len(segment) > MAX_SEGMENT:
        raise InvalidName("The %s may be at most %d characters long." % (what, MAX_SEGMENT))
    if segment.startswith("@@"):
        raise InvalidName("The %s may not start with '@@' (reserved for views)." % what)
    if segment in (".", "..") or "/" in segment or not single_line(segment):
        raise InvalidName("The %s may not be '.' or '..' nor contain '/', line breaks "
                          "or control characters." % what)
    if segment != segment.strip():
        raise InvalidName("The %s may not start or end with spaces." % what)
    return segment


def check_artifact_path(path, what="page name"):
    """A '/'-separated artifact path of valid segments."""
    if not isinstance(path, str) or not path.strip("/"):
        raise InvalidName("The %s is required." % what)
    return "/".join(check_segment(s, what) for s in path.strip("/").split("/"))
