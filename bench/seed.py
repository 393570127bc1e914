"""Seed the page benchmark's data with the forge's own actions.

    python bench/seed.py MONGO_PORT TARGETS_FILE

Creates a user, a chain of 8 nested projects ``d1/d2/.../d8``, the notes tool
in ``d1`` and in ``d8`` with a ~2 KB Markdown note ``page`` in each, and a note
nested 8 levels deep (``n1/n2/.../n8``) in d1's notes.  Then writes the
benchmark targets, one a line: ``label<TAB>path<TAB>title<TAB>signed_in``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forge  # noqa: E402
from forge.actions.projects import create_project, install_tool  # noqa: E402
from forge.actions.roles import add_member, role_named  # noqa: E402
from forge.actions.users import create_user  # noqa: E402
from forge.actions.versions import create_versioned  # noqa: E402
from forge.model import Neighborhood  # noqa: E402
from forge_settings import settings  # noqa: E402

USERNAME = "benchadmin"
MEMBER = "benchmember"          # the signed-in rows' reader (a Member of d1)
PASSWORD = "bench-password-123"
DEPTH = 8
TITLE_D1 = "Benchmark note at project depth 1"
TITLE_D8 = "Benchmark note at project depth 8"
TITLE_N8 = "Benchmark note at artifact depth 8"

# ~2 KB of Markdown: headings, emphasis, links, lists, a code block and a table,
# the same kinds of markup as the Trac wiki page the peers script measures.
NOTE_TEXT = """\
# Benchmark page

This page exists to measure how fast the forge renders a typical note. It links to
[the guide](../guide/), [the tickets](/p/d1/tickets/), an external site
[Example docs](https://example.org/docs) and mentions `code`, **bold**, *italic*.

## Overview

The project keeps its source in a Git repository and tracks work in tickets. Each
release is tagged and announced on the mailing list. See also the
[milestone page](../milestones/) and the [wiki start page](../).

### Goals

* Serve pages quickly with a single process.
* Keep the data model simple:
  * projects own repositories;
  * repositories own issues and wiki pages;
  * every object carries an access control list.
* Render **bold**, *italic*, `monospace` and ~~struck~~ text correctly.

### Steps

1. Clone the repository.
2. Create a virtual environment.
3. Install the package in editable mode.
4. Run the test suite and open a ticket if something fails.

## Configuration

The server reads its settings from an INI file. A minimal example follows:

```ini
[app:main]
use = egg:pyforge
pyramid.reload_templates = false
ming.main.uri = mongodb://127.0.0.1:27017/

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:6543
threads = 4
```

## Table

| Component | Owner | Status  |
|-----------|-------|---------|
| web       | alice | stable  |
| storage   | bob   | beta    |
| search    | carol | planned |

## Notes

> Paragraph text with a remark quoted from the mailing list, followed by more
> words. The quick brown fox jumps over the lazy dog, again and again, to pad
> this page to roughly two kilobytes of markup.

### See also

* [Administration](../admin/) -- command line administration.
* [Permissions](../permissions/) -- who may do what.
* [Release notes](../releases/) -- what changed in each version, with the
  upgrade steps an administrator has to follow.

---
*Last reviewed for the benchmark.*
"""


def note_class():
    try:
        from tools.notes.model import Note
    except ImportError as error:
        sys.exit("seed: the notes tool has no model yet (tools.notes.model.Note: %s)" % error)
    return Note


def add_note(registry, Note, actor, tool, path, title, text):
    # parent_path as the notes tool's own create_note sets it (its listings use it)
    parent_path = path.rsplit("/", 1)[0] if "/" in path else ""
    return create_versioned(registry, Note, actor, path=path, parent_path=parent_path,
                            title=title, text=text, project_id=tool.project_id,
                            tool_id=tool._id, acl=[])


def seed(registry, token_file):
    """The targets; the REST rows' API token is written to ``token_file``."""
    Note = note_class()
    user = create_user(registry, USERNAME, "benchadmin@example.test", PASSWORD,
                       display_name="Bench Admin")
    projects = Neighborhood.query.get(name="p")
    chain, parent = [], None
    for level in range(1, DEPTH + 1):
        parent = create_project(registry, projects, "d%d" % level, "Depth %d" % level, user,
                                parent=parent, description="Project at depth %d." % level)
        chain.append(parent)
    top, bottom = chain[0], chain[-1]
    # the signed-in rows read as a project member, as most signed-in readers are
    member = create_user(registry, MEMBER, "benchmember@example.test", PASSWORD,
                         display_name="Bench Member")
    add_member(registry, top, role_named(top, "Member"), member, user)
    notes_top = install_tool(registry, top, "notes", "notes", user)
    notes_bottom = install_tool(registry, bottom, "notes", "notes", user)
    add_note(registry, Note, user, notes_top, "page", TITLE_D1, NOTE_TEXT)
    add_note(registry, Note, user, notes_bottom, "page", TITLE_D8, NOTE_TEXT)
    path = ""
    for level in range(1, DEPTH + 1):
        path = (path + "/" if path else "") + "n%d" % level
        title = TITLE_N8 if level == DEPTH else "Nested note level %d" % level
        add_note(registry, Note, user, notes_top, path, title, NOTE_TEXT)
    tool_rows = []
    if os.environ.get("SUITE", "all") in ("all", "tools"):
        from seed_tools import seed_tools
        tool_rows = seed_tools(registry, user, top, NOTE_TEXT)
        from seed_rest import seed_rest
        tool_rows += seed_rest(registry, user, top, token_file)
    d8 = "/p/" + bottom.shortname + "/notes/page/"
    n8 = "/p/d1/notes/" + path + "/"
    return [
        ("d1-anon", "/p/d1/notes/page/", TITLE_D1, 0),
        ("d1-signed", "/p/d1/notes/page/", TITLE_D1, 1),
        ("d8-anon", d8, TITLE_D8, 0),
        ("d8-signed", d8, TITLE_D8, 1),
        ("n8-anon", n8, TITLE_N8, 0),
    ] + tool_rows


def main(argv):
    mongo_port, targets_file = int(argv[1]), argv[2]
    app = forge.main({}, **settings(mongo_port))
    targets = seed(app.registry, targets_file + ".token")
    # the search rows find what was seeded (no worker indexes it here)
    from forge.search.indexer import reindex
    reindex(app.registry, None)
    with open(targets_file, "w") as out:
        for row in targets:
            out.write("\t".join(map(str, row)) + "\n")


if __name__ == "__main__":
    main(sys.argv)
