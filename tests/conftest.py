"""Suite-wide hooks (fixtures live in the ``forge.testing`` plugin and in each
directory's conftest)."""
import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Give the tests marked ``xdist_group(name)`` the ``@name`` suffix by which
    ``--dist loadgroup`` (make test) sends a group to one worker as one unit.

    pytest-xdist 3.8 adds it by setting ``item._nodeid``, which pytest 9.2 no
    longer reads (the id is ``item._id``, a ``NodeId``): the marks were
    ignored and a group's tests went to both workers.  Where the suffix is
    there already, nothing is added."""
    if not config.getoption("loadgroup", False):
        return
    from _pytest.nodeid import NodeId
    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)
