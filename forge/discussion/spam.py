"""Spam checking: an auditor on ``*.post.created`` and ``*.post.updated`` that
asks a pluggable checker about the text.

A checker is any callable ``checker(text, change) -> Verdict``::

    from forge.discussion.spam import Verdict

    def akismet(text, change):
        if ask_akismet(text, change.actor):
            return Verdict.hold("Akismet says spam")
        return Verdict.ok()

    def includeme(config):
        config.set_spam_checker(akismet)

``hold`` keeps the post as ``status="spam"`` (hidden, in the moderation
queue, like a pending post); ``reject`` refuses it (422, nothing saved).
The default is ``BuiltinChecker``: a few plain rules, enough to stop the
crude kind.  Posts by people who may moderate are not checked.  Tools add
their own auditors on the same topics with ``config.add_auditor``.
"""
import re
from dataclasses import dataclass

from pyramid.settings import aslist

from ..bus.auditing import Rejected

SPAM_PRIORITY = 50          # before the tools' own auditors (default 100)

KNOWN_PHRASES = (
    "buy cheap", "cheap viagra", "casino bonus", "online casino", "payday loan",
    "crypto giveaway", "double your bitcoin", "work from home and earn",
    "click here to claim", "free followers", "weight loss pills", "replica watches",
)
LINK = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    action: str          # "ok", "hold" or "reject"
    reason: str = ""

    @classmethod
    def ok(cls):
        return cls("ok")

    @classmethod
    def hold(cls, reason):
        return cls("hold", reason)

    @classmethod
    def reject(cls, reason):
        return cls("reject", reason)


class BuiltinChecker:
    """One rule hit holds the post for a moderator; two rules (or a flood of
    links) reject it.  Settings: ``forge.discussion.spam.max_links`` (default 8)
    and ``forge.discussion.spam.phrases`` (more phrases, one a line)."""

    def __init__(self, settings=None):
        settings = settings or {}
        self.max_links = int(settings.get("forge.discussion.spam.max_links", 8))
        extra = settings.get("forge.discussion.spam.phrases", "")
        extra = aslist(extra, flatten=False) if isinstance(extra, str) else list(extra)
        self.phrases = tuple(p.lower() for p in KNOWN_PHRASES + tuple(extra) if p.strip())

    def __call__(self, text, change=None):
        reasons = []
        lowered = " ".join(text.lower().split())
        phrase = next((p for p in self.phrases if p in lowered), None)
        if phrase:
            reasons.append("contains %r" % phrase)
        links = len(LINK.findall(text))
        if links > self.max_links:
            reasons.append("%d links" % links)
        letters = [c for c in text if c.isalpha()]
        if len(letters) >= 30 and sum(c.isupper() for c in letters) > 0.8 * len(letters):
            reasons.append("written in capitals")
        if len(reasons) >= 2 or links > 3 * self.max_links:
            return Verdict.reject("; ".join(reasons))
        if reasons:
            return Verdict.hold(reasons[0])
        return Verdict.ok()


def spam_auditor(change):
    """Hold or reject a post whose text the site's checker does not like."""
    if change.detail.get("trusted"):
        return
    text = change.new.get("text")
    if not text:
        return
    checker = getattr(change.registry, "forge_spam_checker", None) or BuiltinChecker()
    verdict = checker(text, change)
    if verdict.action == "reject":
        raise Rejected("This looks like spam (%s), so it was not posted. If it is not, "
                       "rewrite it or ask a moderator." % verdict.reason, status=422)
    if verdict.action == "hold":
        change.new["status"] = "spam"
        change.new["status_reason"] = verdict.reason


def set_spam_checker(config, checker):
    """``config.set_spam_checker(callable_or_dotted_name)``: the site's checker
    (one per site; a second registration is a configuration conflict)."""
    checker = config.maybe_dotted(checker)

    def register():
        config.registry.forge_spam_checker = checker

    config.action(("forge.spam_checker",), register)


def includeme(config):
    config.registry.forge_spam_checker = BuiltinChecker(config.registry.settings)
    config.add_directive("set_spam_checker", set_spam_checker, action_wrap=False)
    config.add_auditor("*.post.created", spam_auditor, priority=SPAM_PRIORITY)
    config.add_auditor("*.post.updated", spam_auditor, priority=SPAM_PRIORITY)
