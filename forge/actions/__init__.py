"""Changes to forge data, shared by the pages, the CLI and the tests.

Each function validates, writes, records an audit entry where a person would
want one, flushes, and then notifies a domain event, so subscribers (and
later the bus) only ever see data that is saved.
"""


class ActionError(ValueError):
    """A change refused for a reason the user can act on (shown as a 4xx)."""

    status = 400


class Conflict(ActionError):
    status = 409
