"""Spam checking of comments: the core's content auditor (``forge.spam``),
which holds a comment the site's checker does not like (``status="spam"``,
in the moderation queue) or rejects it (422).  Its names stay importable from
here (``from forge.discussion.spam import Verdict``)."""
from ..spam import (KNOWN_PHRASES, LINK, SPAM_PRIORITY, BuiltinChecker,  # noqa: F401
                    Verdict, set_spam_checker, spam_auditor)


def includeme(config):
    config.include("forge.spam")
