"""Artifacts named in text that comes from outside the forge (commit messages,
mail): ``#12``, ``mount:#12``, ``project:mount:#12``, after a keyword.

The forms are those of the Markdown short links (``forge.links``): ``#12`` is
``12`` in the project's first tool (by mount) registered with
``config.add_tool(..., hash_links=True)``, ``mount:#12`` the tool mounted at
``mount``, ``project:mount:#12`` a tool of another project of the
neighborhood (``team/sub`` names a subproject); each may stand in brackets.
Unlike a link, a reference is resolved for a reactor, not for a reader: the
caller checks what the acting user may do with the artifact it gets.

Also here, for reactors that act on such text: the forge user behind an
e-mail address (``user_by_verified_email``), whether text from one node may be
quoted on another (``may_quote``), and ``markdown_escape`` for quoting text
that is not Markdown.
"""
import re

from pyramid.authorization import Authenticated, Everyone

from .interfaces import ITool
from .model import User
from .visibility import principals_allowed

# project names may hold "/" (a subproject) and "."; mounts may not
PROJECT_OR_MOUNT = r"[A-Za-z0-9][\w./-]{0,99}"
MOUNT = r"[A-Za-z0-9][\w-]{0,99}"
REFERENCE = r"\[?(?:(?P<first>%s):(?:(?P<second>%s):)?)?#(?P<number>\d{1,9})(?!\d)\]?" % (
    PROJECT_OR_MOUNT, MOUNT)
ANY_REFERENCE = r"\[?(?:%s:(?:%s:)?)?#\d{1,9}(?!\d)\]?" % (PROJECT_OR_MOUNT, MOUNT)
ONE_REFERENCE = re.compile(REFERENCE)


class ArtifactRef:
    """``project`` (None: the text's own), ``mount`` (None: the first
    ``hash_links`` tool by mount), ``number``, and ``meaning``: what the
    keyword before it says (the value ``keyword_references`` was given)."""

    def __init__(self, project, mount, number, meaning=None):
        self.project, self.mount, self.number = project, mount, number
        self.meaning = meaning

    @property
    def target(self):
        return (self.project, self.mount, self.number)

    def __repr__(self):
        return "<%s %s:%s:#%s %s>" % (type(self).__name__, self.project, self.mount,
                                      self.number, self.meaning)


def keyword_pattern(keywords):
    """A regex for a keyword of ``keywords`` (whole word, any case, an
    optional colon) followed by references: ``fixes #1, #2 and #3``."""
    words = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return re.compile(
        r"(?<![\w-])(?P<keyword>%s)\s*:?\s+(?P<refs>%s(?:\s*(?:,|\band\b|&)\s*%s)*)" % (
            words, ANY_REFERENCE, ANY_REFERENCE), re.IGNORECASE)


def keyword_references(text, keywords, limit, pattern=None, ref_class=ArtifactRef):
    """The artifacts ``text`` names after one of ``keywords`` ({keyword in
    lower case: meaning}), in order, one per target, at most ``limit``.  A
    target named twice keeps the first truthy meaning (``refs #2, then fixes
    #2`` is a fix).  Pass ``pattern=keyword_pattern(keywords)`` to compile it once."""
    pattern = pattern or keyword_pattern(keywords)
    found = {}
    for match in pattern.finditer(text or ""):
        meaning = keywords.get(match.group("keyword").lower())
        for one in ONE_REFERENCE.finditer(match.group("refs")):
            first, second = one.group("first"), one.group("second")
            project, mount = (first, second) if second else (None, first)
            ref = ref_class(project, mount, int(one.group("number")), meaning)
            known = found.get(ref.target)
            if known is None:
                if len(found) >= limit:
                    return list(found.values())
                found[ref.target] = ref
            elif meaning and not known.meaning:
                known.meaning = meaning
    return list(found.values())


def project_by_name(project, name):
    """``name`` (``demo`` or ``team/sub``) in ``project``'s neighborhood, or None."""
    if name == project.doc.shortname:
        return project
    node = project.neighborhood
    try:
        for segment in name.split("/"):
            if not segment or segment.startswith("@@"):
                return None
            node = node[segment]
    except KeyError:
        return None
    return node if getattr(node, "kind", "") == "project" else None


def referenced_artifact(project, ref, interface):
    """The live artifact resource providing ``interface`` that ``ref`` names
    from ``project``, or None (no such project, tool or artifact)."""
    if ref.project is not None:
        project = project_by_name(project, ref.project)
    if project is None:
        return None
    tools = {tool.__name__: tool for tool in project.tools()}
    if ref.mount is None:
        tool = next((tools[m] for m in sorted(tools)
                     if getattr(tools[m].tool_type, "hash_links", False)), None)
    else:
        tool = tools.get(ref.mount)
    if tool is None or not ITool.providedBy(tool):
        return None
    try:
        artifact = tool[str(ref.number)]
    except KeyError:
        return None
    if not interface.providedBy(artifact) or getattr(artifact.doc, "deleted", False):
        return None
    return artifact


def user_by_verified_email(email):
    """The enabled user whose verified address is ``email`` (``User.email``
    holds only verified addresses), or None: an address anyone can write in
    a commit or a mail header is trusted only once its owner proved it."""
    email = (email or "").strip()
    if not email or "@" not in email:
        return None
    for candidate in dict.fromkeys((email, email.lower())):
        user = User.query.get(email=candidate)
        if user is not None:
            return None if user.disabled else user
    return None


def may_quote(source, target):
    """Whether every principal ``target``'s lineage lets read may read
    ``source`` (``Everyone`` covers all, ``Authenticated`` all but
    ``Everyone``): only then may ``source``'s text be shown on ``target``, so a
    private node's text never reaches a wider audience."""
    source_readers = set(principals_allowed(source, "read"))
    if Everyone in source_readers:
        return True
    target_readers = set(principals_allowed(target, "read"))
    if Authenticated in source_readers:
        return Everyone not in target_readers
    return target_readers <= source_readers


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def markdown_escape(text):
    """Stored as written, shown as written: git's or a mail's text is not Markdown."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)
