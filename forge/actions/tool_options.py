"""A tool's settings (``ToolInstance.options``) changed as one unit of work.

Tools keep their settings in ``ToolInstance.options`` (a wiki's home page, a
tracker's states and milestones, a code tool's branches); every change of
them runs the same steps: the ``project.tool.updated`` auditors see the old
and new options, the settings version the form showed is checked (a stale
form is a 409, ``StaleSettings``), an audit-log entry ``<tool>.<what>`` and
``ToolUpdated`` (detail ``changes={"options": what}``) are written in one
flush::

    set_tool_options(registry, tool, {"home": "Start"}, actor, "home",
                     "set the home page to Start", version=form_version(request.POST))
"""
from ..events import ToolUpdated
from ..model.artifact import plain_value
from ..unit_of_work import change


def set_tool_options(registry, tool, changes, actor, what, summary, version=None):
    """Store ``changes`` (option -> plain value) in ``tool.options``; False when
    nothing changes (nothing is written or announced)."""
    old = plain_value(dict(tool.options or {}))
    new = dict(old, **changes)
    if new == old:
        return False
    with change(registry, ToolUpdated, node=tool, old={"options": old}, new={"options": new},
                actor=actor, version=version, change=what) as unit:
        tool.options = unit.new["options"]
        unit.log("%s.%s" % (tool.tool, what), summary)
        unit.event_detail["changes"] = {"options": what}
    return True
