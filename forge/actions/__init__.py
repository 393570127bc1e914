"""Changes to forge data, shared by the pages, the CLI and the tests.

Each function validates its input, then makes its change as one unit of work
(``forge.unit_of_work.change``): the auditors, the write, an audit-log entry
where a person would want one, the event, the flush; subscribers and the bus
only ever see data that is saved.
"""
from pymongo.errors import DuplicateKeyError

from ..model import session


class ActionError(ValueError):
    """A change refused for a reason the user can act on (shown as a 4xx)."""

    status = 400


class Conflict(ActionError):
    status = 409


def flush_or_refuse(message, doc=None):
    """Flush (only ``doc`` when given); when a unique index refuses the write,
    drop the unsaved documents from the session and raise ``ActionError(message)``.
    The checks before a write make this rare: it is the answer to a race."""
    try:
        session.flush(doc) if doc is not None else session.flush()
    except DuplicateKeyError:
        session.expunge(doc) if doc is not None else session.clear()
        raise ActionError(message)
