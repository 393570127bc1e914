"""``forge new-tool NAME [--dir DIR]``: write a working tool package skeleton.

The skeleton (``forge/scaffolds/tool/``, shipped with the forge) has the shape
of the tool in docs/writing-a-tool.md: ``includeme`` with ``add_tool`` and
``add_artifact_type``, the model and its form, an auditor, a reactor, one
overridden page, its tests and a ``pyproject.toml`` declaring the
``forge.tools`` entry point.  Templates are ``string.Template`` files (``$name``,
``$title``, ``$dist``, ``$mount``; ``$$`` is a dollar sign), so they hold Jinja2 as it is.
"""
import importlib.util
import keyword
import re
from importlib.resources import files
from pathlib import Path
from string import Template

import click

# the tool name is its package, its entry point and its type strings' prefix
TOOL_NAME = re.compile(r"[a-z][a-z0-9_]{1,39}\Z")
RESERVED = {"forge", "tools", "tests", "test", "pyramid", "ming"}
SUFFIX = ".tmpl"


def check_tool_name(name):
    """The refusal message for ``name``, or None when it makes a good package."""
    if not TOOL_NAME.match(name) or keyword.iskeyword(name):
        return ("%r is not a tool name: use 2-40 lowercase letters, digits and '_', "
                "starting with a letter." % name)
    if name in RESERVED or importlib.util.find_spec(name) is not None:
        return "%r is taken: a module of that name is already importable here." % name
    return None


def scaffold_files(name):
    """(relative path, text) of each file of the skeleton for tool ``name``."""
    values = {"name": name, "title": name.replace("_", " ").title(),
              "dist": name.replace("_", "-"), "mount": name.replace("_", "-")}
    root = files("forge") / "scaffolds" / "tool"
    stack = [(root, ())]
    while stack:
        folder, parts = stack.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir():
                stack.append((entry, parts + (name if entry.name == "package" else entry.name,)))
            elif entry.name.endswith(SUFFIX):
                filename = entry.name[:-len(SUFFIX)]
                if filename == "test_tool.py":
                    filename = "test_%s.py" % name
                text = Template(entry.read_text(encoding="utf-8")).substitute(values)
                yield "/".join(parts + (filename,)), text


@click.command("new-tool")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Where to write the package (default: ./NAME).")
def new_tool(name, directory):
    """Write a new tool package NAME: the model, form, views, hooks and tests."""
    problem = check_tool_name(name)
    if problem:
        raise click.ClickException(problem)
    target = Path(directory or name)
    if target.exists():
        raise click.ClickException("%s already exists: choose another --dir." % target)
    for relative, text in scaffold_files(name):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo("Wrote the tool %r in %s. Next:\n  cd %s && pip install -e . && "
               "python -m pytest tests" % (name, target, target))
