"""docs/writing-a-tool.md cannot drift from the tool it walks through.

Each code block of the guide is marked ``<!-- file: PATH -->`` (the block is
that whole file), ``<!-- excerpt: PATH -->`` (the block is a run of lines of
that file), or is a ``text`` block of the package layout (each path listed
exists) or an ``sh`` block (each ``forge`` command named exists).  Every file
of the links tool's package is shown whole.
"""
import re
from pathlib import Path

import click

from forge.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "writing-a-tool.md"
DIST = ROOT / "tests" / "thirdparty" / "forge_links"
BLOCK = re.compile(r"(?:<!-- (file|excerpt): (\S+) -->\n)?```(\w*)\n(.*?)\n```", re.S)


def package_files():
    found = [DIST / "pyproject.toml"]
    found += [p for p in sorted((DIST / "forge_links").rglob("*"))
              if p.is_file() and p.suffix in (".py", ".jinja2")]
    return [p.relative_to(ROOT).as_posix() for p in found]


def forge_commands(words):
    """Whether ``forge words...`` names a command of the forge CLI."""
    group = main
    for word in words:
        if not isinstance(group, click.Group) or word.startswith("-"):
            break
        group = group.commands.get(word)
        if group is None:
            return False
    return True


def guide_problems(text, root=ROOT):
    problems, shown_whole = [], set()
    for kind, path, lang, body in BLOCK.findall(text):
        if kind:
            source = root / path
            if not source.is_file():
                problems.append("%s: no such file" % path)
                continue
            content = source.read_text(encoding="utf-8").rstrip("\n")
            if kind == "file" and body != content:
                problems.append("%s: the guide's block is not the file" % path)
            elif kind == "excerpt" and "\n" + body + "\n" not in "\n" + content + "\n":
                problems.append("%s: the guide's excerpt is not in the file" % path)
            if kind == "file":
                shown_whole.add(path)
        elif lang == "text":
            folders = []            # the tree's folders above the line, by indent
            for line in body.splitlines()[1:]:
                depth = (len(line) - len(line.lstrip())) // 2
                folders[depth - 1:] = [line.split()[0]]
                name = "".join(folders)
                if not (root / DIST.relative_to(ROOT) / name).exists():
                    problems.append("layout: %s does not exist" % name)
        elif lang == "sh":
            for line in body.splitlines():
                words = line.split("#")[0].split()
                if words[:1] == ["forge"] and not forge_commands(words[1:]):
                    problems.append("sh: %r is not a forge command" % line)
        else:
            problems.append("a %r block without a file or excerpt mark" % lang)
    problems += ["%s: not shown whole" % p for p in package_files() if p not in shown_whole]
    return problems


def test_the_guide_shows_the_links_tool_as_it_is():
    assert guide_problems(GUIDE.read_text(encoding="utf-8")) == []


def test_the_checker_sees_drift():
    text = GUIDE.read_text(encoding="utf-8")
    assert text.count("<!-- file: ") >= 6 and text.count("<!-- excerpt: ") >= 1
    drifted = text.replace('name="links.host"', 'name="links.hosts"', 1)
    assert drifted != text
    assert guide_problems(drifted) == [
        "tests/thirdparty/forge_links/forge_links/__init__.py: the guide's block is not the file"]
    cut = text.replace("    assert len(mailed) == 1", "    assert mailed", 1)
    assert guide_problems(cut) == [
        "tests/thirdparty/forge_links/tests/test_forge_links.py:"
        " the guide's excerpt is not in the file"]
    unmarked = text.replace("<!-- file: tests/thirdparty/forge_links/forge_links/hooks.py -->\n",
                            "", 1)
    assert guide_problems(unmarked) == [
        "a 'python' block without a file or excerpt mark",
        "tests/thirdparty/forge_links/forge_links/hooks.py: not shown whole"]
    renamed = text.replace("    hooks.py ", "    hook.py  ", 1)
    assert guide_problems(renamed) == ["layout: forge_links/hook.py does not exist"]
    assert guide_problems("```sh\nforge new-tol x\n```") == [
        "sh: 'forge new-tol x' is not a forge command"] + [
        "%s: not shown whole" % p for p in package_files()]
