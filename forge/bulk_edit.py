"""One change applied to many artifacts of a tool, each as its own save.

A bulk edit (the tracker's list) names top-level artifacts by path; each is
looked up, checked for ``read`` (one the viewer may not read is "no such
<noun>", exactly like a missing one, so the answer reveals nothing) and for
``update`` ("you may not change it"), then changed by the caller's
``change_one(doc)`` -> (doc, changed): one version and one event each; an
``ActionError`` refuses that artifact only.  Nothing is skipped silently:
the ``BulkOutcome`` lists what changed, what was already so, and what was
refused and why::

    numbers = selected_numbers(request.POST.getall("ticket"), "ticket")
    outcome = bulk_edit(request, tool, Ticket, numbers, change_one, "ticket")
"""
from dataclasses import dataclass, field

from .actions import ActionError

MAX_BULK = 100


def selected_numbers(raw_numbers, noun, limit=MAX_BULK):
    """The distinct numbers a bulk form selected, sorted; ActionError when the
    selection is empty, too long or not numbers."""
    numbers = set()
    for raw in raw_numbers:
        if not raw.isdigit() or len(raw) > 9:
            raise ActionError("The selection is not a list of %s numbers; reload the page."
                              % noun)
        numbers.add(int(raw))
    if not numbers:
        raise ActionError("Select at least one %s to change." % noun)
    if len(numbers) > limit:
        raise ActionError("Change at most %d %ss at once." % (limit, noun))
    return sorted(numbers)


@dataclass
class BulkOutcome:
    changed: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    refused: list = field(default_factory=list)      # (name, reason)

    def summary(self, shown=str):
        """"Changed #1, #3. Already so: #2." (``shown(name)`` writes a name)."""
        parts = []
        if self.changed:
            parts.append("Changed %s." % ", ".join(map(shown, self.changed)))
        if self.unchanged:
            parts.append("Already so: %s." % ", ".join(map(shown, self.unchanged)))
        return " ".join(parts)


def bulk_edit(request, tool, model, names, change_one, noun):
    """Apply ``change_one`` to the live artifacts of ``model`` at ``names``
    (top-level paths) in ``tool`` (see the module docstring)."""
    kind = request.registry.forge_artifact_types.of(model)
    outcome = BulkOutcome()
    for name in names:
        doc = model.query.get(tool_id=tool.doc._id, path=str(name), deleted=False)
        node = kind.node(doc, tool) if doc is not None else None
        if node is None or not request.can("read", node):
            outcome.refused.append((name, "no such %s" % noun))
        elif not request.can("update", node):
            outcome.refused.append((name, "you may not change it"))
        else:
            try:
                _doc, changed = change_one(doc)
            except ActionError as error:
                outcome.refused.append((name, str(error)))
                continue
            (outcome.changed if changed else outcome.unchanged).append(name)
    return outcome
