"""Every template the forge and its tools name is an asset spec
(``forge:templates/...``, ``tools.wiki:templates/...``): a bare name is looked up
in the search path, where a host's own ``base.jinja2`` (or any same-named
template) may come first and replace the forge's."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE_TAG = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")
# a name, with the constant it is appended to if any (TEMPLATES + "page.jinja2")
PY_NAME = re.compile(r"""(?:\b([A-Z_]+)\s*\+\s*)?["']([\w./-]+\.jinja2)["']""")
# module constants holding an asset spec's directory: TEMPLATES = "pkg:templates/x/"
PY_PREFIX = re.compile(r"""^([A-Z_]+)\s*=\s*["'][\w.]+:[\w./-]*["']""", re.MULTILINE)


def bare_names():
    found = []
    for base in ("forge", "tools"):
        for path in (ROOT / base).rglob("*"):
            if "tests" in path.parts or not path.is_file():
                continue
            if path.suffix == ".jinja2":
                names = TEMPLATE_TAG.findall(path.read_text())
            elif path.suffix == ".py":
                text = path.read_text()
                prefixes = set(PY_PREFIX.findall(text))
                names = [name if prefix not in prefixes else "(spec):" + name
                         for prefix, name in PY_NAME.findall(text)]
            else:
                continue
            found.extend("%s: %s" % (path.relative_to(ROOT), name)
                         for name in names if ":" not in name)
    return found


def test_forge_and_tool_templates_are_named_by_asset_spec():
    assert bare_names() == []


def test_the_check_finds_a_bare_name(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "tests.embedding.test_template_names.ROOT", tmp_path)
    (tmp_path / "tools" / "x" / "templates").mkdir(parents=True)
    (tmp_path / "forge").mkdir()
    (tmp_path / "tools" / "x" / "templates" / "page.jinja2").write_text(
        '{% extends "base.jinja2" %}')
    (tmp_path / "tools" / "x" / "views.py").write_text(
        'T = "x/"\nrenderer="x/page.jinja2"\nother=T + "list.jinja2"\n'
        'SPEC = "x:templates/"\nfine=SPEC + "ok.jinja2"')
    assert sorted(bare_names()) == ["tools/x/templates/page.jinja2: base.jinja2",
                                    "tools/x/views.py: list.jinja2",
                                    "tools/x/views.py: x/page.jinja2"]
