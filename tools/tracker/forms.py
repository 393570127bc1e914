"""The ticket form, declared (``forge.api.ArtifactForm``): the core adds the
custom fields (``custom.NAME``), the plugins' extension fields
(``ext.PLUGIN.NAME``), the private flag and the note on the change, renders it
and keeps what was typed when it is refused."""
from forge.api import (ArtifactForm, CheckboxField, ChoiceField, Field, LabelsField,
                       MarkdownField, TitleField, UserField)

from .config import tracker_options


def milestones(form):
    return [m.name for m in form.options.milestones if not m.closed]


class TicketForm(ArtifactForm):
    title = TitleField("Summary")
    description = MarkdownField("Description")
    status = ChoiceField(choices=lambda form: form.options.states,
                         default=lambda form: form.options.open_states[0])
    priority = ChoiceField(choices=lambda form: form.options.priorities,
                           default=lambda form: form.options.default_priority)
    # closed milestones are not offered, but a ticket may stay in one
    milestone = ChoiceField(choices=milestones, valid=lambda form: form.options.milestone_names,
                            blank=True, message="There is no milestone named %r.")
    assigned_to = UserField("Assigned to", attr="assigned_to_id",
                            initial=lambda form: form.options.default_assignee)
    labels = LabelsField()
    private = CheckboxField("Private", on_edit=False,
                            note="(only you and the project's developers can see it)")
    comment = Field("Note on this change", note="(optional, shown in the timeline)",
                    max_length=500)

    def __init__(self, request, tool_node, kind, editing=False):
        self.options = tracker_options(tool_node.doc)
        super().__init__(request, tool_node, kind, editing)
