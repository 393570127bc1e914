"""The import contract (issue 11, STYLE 16 and 18), checked on every module's AST:

* a tool (``tools/NAME/``) imports from ``forge`` only ``forge.api`` and
  ``forge.testing``, and names no other core module in a string either
  (``config.include("forge.x")``, a dotted subscriber);
* no tool imports another tool;
* the core (``forge/``) never imports ``tools``;
* ``forge.model`` imports nothing of ``forge`` outside ``forge.model``.

A small AST walker rather than import-linter: no dependency, and it sees what
import-linter does not (imports inside functions are covered by both, dotted
module names in strings only here).  Every import statement counts, wherever it
is (module level or inside a function); relative imports are resolved.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL_ALLOWED = ("forge.api", "forge.testing")
# a whole string that is a dotted name under ``forge``: "forge.search.directive"
DOTTED_FORGE = re.compile(r"forge(\.[A-Za-z_][A-Za-z0-9_]*)+")


def module_name(root, path):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(node, module, is_package):
    """Dotted names an import statement reaches: ``from a.b import c`` -> ``a.b.c``
    (``c`` may be a module or a name in ``a.b``; rules match by prefix)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[:len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    return [base + "." + alias.name if base else alias.name for alias in node.names]


def under(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def rule_broken(module, target, third_party=()):
    """The reason ``module`` may not import ``target``, or None.  ``third_party``:
    the top-level packages of the tool distributions under ``tests/thirdparty/``."""
    top = module.split(".")[0]
    if under(module, "tools") or top in third_party:
        tool = top if top in third_party else ".".join(module.split(".")[:2])
        if under(target, "forge") and not any(under(target, ok) for ok in TOOL_ALLOWED):
            return "a tool imports only forge.api and forge.testing"
        if ((under(target, "tools") or target.split(".")[0] in third_party)
                and not under(target, tool)):
            return "a tool never imports another tool"
    elif under(module, "forge.model"):
        if under(target, "forge") and not under(target, "forge.model"):
            return "forge.model imports nothing above it"
        if under(target, "tools"):
            return "the core never imports a tool"
    elif under(module, "forge"):
        if under(target, "tools"):
            return "the core never imports a tool"
    return None


def package_roots(root):
    """(directory a package is imported from, package): the forge, its tools and
    each third-party tool distribution's packages (``tests/thirdparty/DIST/PKG/``)."""
    roots = [(root, "forge"), (root, "tools")]
    for init in sorted(root.glob("tests/thirdparty/*/*/__init__.py")):
        roots.append((init.parent.parent, init.parent.name))
    return roots


def violations(root):
    """Every broken rule under ``root`` (which holds ``forge/``, ``tools/`` and
    maybe ``tests/thirdparty/``), as ``path:line: module -> target (rule)`` lines."""
    found = []
    roots = package_roots(root)
    third_party = {top for _base, top in roots[2:]}
    for base, top in roots:
        for path in sorted((base / top).rglob("*.py")):
            module = module_name(base, path)
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            where = path.relative_to(root).as_posix()
            for node in ast.walk(tree):
                targets = []
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    targets = imported_names(node, module, path.name == "__init__.py")
                elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and (under(module, "tools") or top in third_party)
                      and DOTTED_FORGE.fullmatch(node.value)):
                    targets = [node.value]
                for target in targets:
                    reason = rule_broken(module, target, third_party)
                    if reason:
                        found.append((where, node.lineno, module, target, reason))
    return ["%s:%d: %s -> %s (%s)" % v for v in sorted(found)]


def assert_contract(root):
    broken = violations(root)
    if broken:     # a plain raise: pytest's assert rewriting would add its own text
        raise AssertionError("import contract broken:\n" + "\n".join(broken))


def test_the_forge_and_its_tools_keep_the_import_contract():
    assert_contract(ROOT)


def test_the_checker_sees_the_tools_and_the_model():
    """Not vacuous: it walks the real tree, and the tools do import forge.api."""
    tool_imports = [t for path in (ROOT / "tools").rglob("*.py")
                    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    for t in imported_names(node, module_name(ROOT, path), False)
                    if under(t, "forge")]
    assert len(tool_imports) > 100 and all(under(t, "forge.api") for t in tool_imports)
    assert (ROOT / "forge/model/setup.py").exists()


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checker_fails_on_each_kind_of_violation(tmp_path):
    write(tmp_path, "forge/__init__.py", "")
    write(tmp_path, "forge/api.py", "from .model import User\n")
    write(tmp_path, "forge/core.py", "def later():\n    import tools.wiki\n")
    write(tmp_path, "forge/model/__init__.py", "from .user import User\n")
    write(tmp_path, "forge/model/user.py", "class User:\n    pass\n")
    write(tmp_path, "forge/model/setup.py",
          "def on_created():\n    from ..actions.projects import ensure_site\n")
    write(tmp_path, "tools/__init__.py", "")
    write(tmp_path, "tools/good/__init__.py",
          "from forge.api import User\nfrom forge import testing\nfrom . import views\n")
    write(tmp_path, "tools/good/views.py", "from .model import Page\nimport forge.api\n")
    write(tmp_path, "tools/bad/__init__.py",
          "from forge.model import User\n"
          "from tools.good import views\n"
          "from .. import good\n"
          "def includeme(config):\n"
          "    config.include('forge.search.directive')\n")

    with pytest.raises(AssertionError) as failure:
        assert_contract(tmp_path)

    message = str(failure.value)
    assert message.splitlines()[1:] == [
        "forge/core.py:2: forge.core -> tools.wiki (the core never imports a tool)",
        "forge/model/setup.py:2: forge.model.setup -> forge.actions.projects.ensure_site"
        " (forge.model imports nothing above it)",
        "tools/bad/__init__.py:1: tools.bad -> forge.model.User"
        " (a tool imports only forge.api and forge.testing)",
        "tools/bad/__init__.py:2: tools.bad -> tools.good.views"
        " (a tool never imports another tool)",
        "tools/bad/__init__.py:3: tools.bad -> tools.good (a tool never imports another tool)",
        "tools/bad/__init__.py:5: tools.bad -> forge.search.directive"
        " (a tool imports only forge.api and forge.testing)",
    ]
    assert message.startswith("import contract broken:")


def test_forge_api_exports_exactly_its_all():
    import forge.api

    # (pytest rewrites the forge package, a plugin, and adds "@py_builtins")
    public = {name for name in vars(forge.api) if not name.startswith(("_", "@"))}
    assert len(forge.api.__all__) == len(set(forge.api.__all__))
    assert public == set(forge.api.__all__)


def test_every_name_a_tool_takes_from_forge_api_is_in_its_all():
    import forge.api

    taken = {(path.relative_to(ROOT).as_posix(), alias.name)
             for path in (ROOT / "tools").rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and node.module == "forge.api"
             for alias in node.names}
    assert taken and not {(p, n) for p, n in taken if n not in forge.api.__all__}


def test_third_party_tool_distributions_keep_the_contract_too(tmp_path):
    """``tests/thirdparty/DIST/PKG/`` is a tool like ``tools/NAME/``."""
    write(tmp_path, "forge/__init__.py", "")
    write(tmp_path, "tools/__init__.py", "")
    write(tmp_path, "tools/notes/__init__.py", "")
    write(tmp_path, "tests/thirdparty/forge_a/forge_a/__init__.py",
          "from forge.api import User\nfrom . import views\n")
    write(tmp_path, "tests/thirdparty/forge_a/forge_a/views.py",
          "from forge.views.generic import TypedArtifactViews\n"
          "def includeme(config):\n    config.include('forge.search.directive')\n")
    write(tmp_path, "tests/thirdparty/forge_b/forge_b/__init__.py",
          "import forge_a\nfrom tools.notes import model\n")

    assert violations(tmp_path) == [
        "tests/thirdparty/forge_a/forge_a/views.py:1: forge_a.views ->"
        " forge.views.generic.TypedArtifactViews (a tool imports only forge.api and forge.testing)",
        "tests/thirdparty/forge_a/forge_a/views.py:3: forge_a.views -> forge.search.directive"
        " (a tool imports only forge.api and forge.testing)",
        "tests/thirdparty/forge_b/forge_b/__init__.py:1: forge_b -> forge_a"
        " (a tool never imports another tool)",
        "tests/thirdparty/forge_b/forge_b/__init__.py:2: forge_b -> tools.notes.model"
        " (a tool never imports another tool)",
    ]


def test_the_checker_walks_the_real_third_party_tool():
    assert (ROOT, "tools") in package_roots(ROOT)
    assert (ROOT / "tests/thirdparty/forge_links", "forge_links") in package_roots(ROOT)
