"""Custom fields of a tool instance: added and removed by a project admin.

The field definitions live on the ``ToolInstance`` (``custom_fields``); the
values on each artifact under ``custom.{name}``.  Removing a field leaves the
stored values alone (old versions keep them), it only stops showing and
validating them.
"""
from ..events import ToolUpdated
from ..fields import field_specs, new_field_spec
from ..model import emit, session
from ..model.artifact import plain_value
from ..names import InvalidName
from ..bus.auditing import audit
from . import ActionError
from .audit import record

MAX_FIELDS = 50


def add_custom_field(registry, tool, name, label, type_, actor, required=False, options=()):
    """Validate and append a field to ``tool`` (a ToolInstance); returns its FieldSpec."""
    existing = field_specs(tool.custom_fields)
    if len(existing) >= MAX_FIELDS:
        raise ActionError("A tool may have at most %d custom fields." % MAX_FIELDS)
    try:
        spec = new_field_spec((name or "").strip(), label, type_, required=required,
                              options=options, existing=existing)
    except (InvalidName, ValueError) as e:
        raise ActionError(str(e))
    change = audit(registry, ToolUpdated.topic, node_type="ToolInstance", node=tool,
                   old={"custom_fields": plain_value(list(tool.custom_fields or ()))},
                   new={"custom_fields": plain_value(list(tool.custom_fields or ()))
                        + [spec.as_dict()]},
                   actor=actor, detail={"change": "add-field", "field": spec.name})
    tool.custom_fields = change.new["custom_fields"]
    record(tool, "tool", actor, "fields.add",
           "added the %s field %s" % (spec.type, spec.name),
           project_id=tool.project_id, field=spec.as_dict())
    emit(registry, ToolUpdated(tool, actor=actor, changes={"custom_fields": ["add", spec.name]}))
    session.flush()
    return spec


def remove_custom_field(registry, tool, name, actor):
    fields = [dict(f) for f in tool.custom_fields or ()]
    kept = [f for f in fields if f.get("name") != name]
    if len(kept) == len(fields):
        raise ActionError("There is no field named %r (the list may have changed; reload)."
                          % (name or "")[:60])
    change = audit(registry, ToolUpdated.topic, node_type="ToolInstance", node=tool,
                   old={"custom_fields": plain_value(fields)},
                   new={"custom_fields": plain_value(kept)},
                   actor=actor,
                   detail={"change": "remove-field", "field": name})
    tool.custom_fields = change.new["custom_fields"]
    record(tool, "tool", actor, "fields.remove", "removed the field %s" % name,
           project_id=tool.project_id, field=name)
    emit(registry, ToolUpdated(tool, actor=actor, changes={"custom_fields": ["remove", name]}))
    session.flush()
