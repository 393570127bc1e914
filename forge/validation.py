"""Checks of the free text every titled thing shares: projects, tools, artifacts.

Each returns the cleaned value or raises ``ActionError`` (a 400 whose message
the user can act on); tools call them from their forms and actions.
"""
from .actions import ActionError
from .names import single_line

MAX_TITLE = 200
MAX_DESCRIPTION = 20000


def check_title(title: str | None) -> str:
    """``title`` stripped: required, one line, at most ``MAX_TITLE`` characters."""
    title = (title or "").strip()
    if not title:
        raise ActionError("A title is required.")
    if len(title) > MAX_TITLE:
        raise ActionError("The title may be at most %d characters." % MAX_TITLE)
    if not single_line(title):
        raise ActionError("The title may not contain line breaks or control characters.")
    return title


def check_description(text: str | None) -> str:
    """``text`` as is (may be empty): at most ``MAX_DESCRIPTION`` characters, no NUL."""
    text = text or ""
    if len(text) > MAX_DESCRIPTION:
        raise ActionError("The description may be at most %d characters." % MAX_DESCRIPTION)
    if "\x00" in text:
        raise ActionError("The description may not contain NUL characters.")
    return text
