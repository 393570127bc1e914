"""Whole numbers from the request (versions, pages, indexes), parsed one way.

Python's ``int`` takes any length and Unicode digits; MongoDB takes 64 bits.
A number a client made up must never reach a query unbounded (``OverflowError``,
a 500), so every number a view reads goes through ``parse_int``::

    try:
        edited_version = parse_int(request.POST.get("version"), "version")
    except BadNumber as error:          # a ValueError: existing handlers keep working
        return self.edit_page(form, status=400, error=str(error))

    page = int_param(request.GET, "page", "page number", maximum=10_000, default=1)
"""
import re

from pyramid.httpexceptions import HTTPBadRequest

#: far below 2**63 (MongoDB) and 2**53 (JSON); no version or page gets near it
MAX_NUMBER = 10 ** 9
_DIGITS = re.compile(r"[0-9]{1,12}")


class BadNumber(ValueError):
    """A request value that is not a whole number in its range; the message
    says what was expected (it never quotes the value)."""


def parse_int(raw, what, minimum=0, maximum=MAX_NUMBER):
    """``raw`` (a request value) as an int in [``minimum``, ``maximum``], or
    ``BadNumber`` naming ``what`` it should have been."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not _DIGITS.fullmatch(text):
        raise BadNumber("The %s must be a whole number." % what)
    number = int(text)
    if not minimum <= number <= maximum:
        raise BadNumber("The %s must be a whole number from %d to %d." % (
            what, minimum, maximum))
    return number


def int_param(params, name, what, minimum=0, maximum=MAX_NUMBER, default=None):
    """Parameter ``name`` of ``params`` (``request.GET``, ``.POST``, ``.params``)
    as an int; ``default`` when it is absent or empty (None: required); a 400
    saying what is wrong."""
    raw = params.get(name)
    if raw is None or not str(raw).strip():
        if default is not None:
            return default
        raise HTTPBadRequest("Say which %s (the %s parameter)." % (what, name))
    try:
        return parse_int(raw, what, minimum, maximum)
    except BadNumber as error:
        raise HTTPBadRequest(str(error))
