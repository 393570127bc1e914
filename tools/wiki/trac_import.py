"""The wiki's part of ``forge import-trac``: Trac's wiki pages, version by version.

Registered in ``includeme`` with ``forge.api.add_trac_import``; the core hands
``convert`` the conversion (the scratch project, Trac's rows, its authors as
users) and this tool's instance. Trac has ``A/B`` without ``A``; the forge's
pages have parents, so a missing parent is created empty.
"""
from forge.api import save_versioned, session

from .actions import create_page
from .model import WikiPage


def convert(trac, wiki):
    """Every page, version after version, with Trac's times; returns
    ``{"wiki": {Trac page name: page}}`` for Trac's wiki attachments."""
    pages, history = {}, {}
    for row in trac.data.wiki:
        history.setdefault(row["name"], []).append(row)
    for name in sorted(history):        # a parent's name sorts before its children's
        path = "/".join(segment.strip() or "-" for segment in name.split("/"))
        _parents(trac, wiki, path, pages)
        rows = history[name]
        first = rows[0]
        page = create_page(trac.registry, trac.project, wiki, path, path.rsplit("/", 1)[-1],
                           first["text"] or "", trac.user(first["author"]),
                           comment=first["comment"] or "")
        session.flush()
        for row in rows[1:]:
            page = WikiPage.query.get(_id=page._id)
            page, _ = save_versioned(trac.registry, page, page.version,
                                     {"text": row["text"] or ""}, trac.user(row["author"]),
                                     comment=row["comment"] or "", source="import")
            session.flush()
        trac.restore_history(page._id, [(r["time"], r["author"]) for r in rows])
        pages[name] = page
    return {"wiki": pages}


def _parents(trac, wiki, path, pages):
    """The missing parents of ``path``, created empty by trac-admin."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        parent = "/".join(parts[:depth])
        if parent not in pages and WikiPage.query.get(tool_id=wiki._id, path=parent) is None:
            pages[parent] = create_page(trac.registry, trac.project, wiki, parent,
                                        parts[depth - 1], "", trac.user("trac-admin"))
            session.flush()
