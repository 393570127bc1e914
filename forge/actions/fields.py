"""Custom fields of a tool instance: added and removed by a project admin.

The field definitions live on the ``ToolInstance`` (``custom_fields``); the
values on each artifact under ``custom.{name}``.  Removing a field leaves the
stored values alone (old versions keep them), it only stops showing and
validating them.
"""
from ..events import ToolUpdated
from ..fields import field_specs, new_field_spec
from ..model.artifact import plain_value
from ..names import InvalidName
from ..unit_of_work import change
from . import ActionError

MAX_FIELDS = 50


def add_custom_field(registry, tool, name, label, type_, actor, required=False, options=(),
                     version=None):
    """Validate and append a field to ``tool`` (a ToolInstance); returns its FieldSpec.
    ``version``: the tool's settings version the form showed (stale: a 409)."""
    existing = field_specs(tool.custom_fields)
    if len(existing) >= MAX_FIELDS:
        raise ActionError("A tool may have at most %d custom fields." % MAX_FIELDS)
    try:
        spec = new_field_spec((name or "").strip(), label, type_, required=required,
                              options=options, existing=existing)
    except (InvalidName, ValueError) as e:
        raise ActionError(str(e))
    with change(registry, ToolUpdated, node=tool, actor=actor,
                old={"custom_fields": plain_value(list(tool.custom_fields or ()))},
                new={"custom_fields": plain_value(list(tool.custom_fields or ()))
                     + [spec.as_dict()]},
                version=version, change="add-field", field=spec.name) as ch:
        tool.custom_fields = ch.new["custom_fields"]
        ch.log("fields.add", "added the %s field %s" % (spec.type, spec.name),
               field=spec.as_dict())
        ch.event_detail["changes"] = {"custom_fields": ["add", spec.name]}
    return spec


def remove_custom_field(registry, tool, name, actor, version=None):
    fields = [dict(f) for f in tool.custom_fields or ()]
    kept = [f for f in fields if f.get("name") != name]
    if len(kept) == len(fields):
        raise ActionError("There is no field named %r (the list may have changed; reload)."
                          % (name or "")[:60])
    with change(registry, ToolUpdated, node=tool, actor=actor,
                old={"custom_fields": plain_value(fields)},
                new={"custom_fields": plain_value(kept)},
                version=version, change="remove-field", field=name) as ch:
        tool.custom_fields = ch.new["custom_fields"]
        ch.log("fields.remove", "removed the field %s" % name, field=name)
        ch.event_detail["changes"] = {"custom_fields": ["remove", name]}
