"""A directory's listing on the tree page (tools/code/tree_listing.py): the entries
as ``Repository.tree`` reads them, rows whose links open the entries, names
escaped, and a listing kept per tree object."""
import html
import re
from urllib.parse import unquote

import pytest
from pyramid.traversal import quote_path_segment

from tools.code import tree_listing
from tools.code.repository import Repository, git as run_git, repository_path
from tools.code.tree_listing import (ListingCache, Listing, read_tree, render_rows,
                                     tree_listing as listing_of)

REPO = "/p/demo/code"
ODD_NAMES = ["a b&c%20d.txt", "<img src=x onerror=alert(1)>.md", "q?x#y.txt", "é ü.txt",
             "Zeta.py", "alpha.py", "it's \"quoted\".txt", "plus+at@colon:.txt"]


@pytest.fixture
def odd_repo(git, tmp_path):
    """A bare repository whose root holds directories, files with odd names, an
    executable, a symlink and a submodule entry; returns (path, root tree id)."""
    work = tmp_path / "odd"
    git("init", "--quiet", "--initial-branch=main", str(work))
    for name in ODD_NAMES:
        (work / name).write_text("x\n")
    (work / "bin").mkdir()
    (work / "bin" / "run").write_text("#!/bin/sh\n")
    (work / "bin" / "run").chmod(0o755)
    (work / "Docs & <Notes>").mkdir()
    (work / "Docs & <Notes>" / "a.txt").write_text("a\n")
    (work / "link").symlink_to("alpha.py")
    git("add", ".", cwd=work)
    git("update-index", "--add", "--cacheinfo", "160000,%s,vendor" % ("1" * 40), cwd=work)
    git("commit", "--quiet", "-m", "odd names", cwd=work)
    bare = tmp_path / "odd.git"
    git("clone", "--quiet", "--bare", str(work), str(bare))
    tree = run_git(str(bare), "rev-parse", "main^{tree}").decode().strip()
    return str(bare), tree


def test_read_tree_gives_what_repository_tree_gives(odd_repo):
    path, tree = odd_repo
    entries = read_tree(path, tree)
    assert entries == Repository(path).tree(tree)
    kinds = {name: (kind, size) for name, kind, size, _oid in entries}
    assert kinds["bin"] == ("tree", None) and kinds["vendor"] == ("commit", None)
    assert kinds["a b&c%20d.txt"] == ("blob", 2) and kinds["link"] == ("blob", 8)
    assert [name for name, *_ in entries][:2] == ["bin", "Docs & <Notes>"]   # directories first


def test_rows_link_every_entry_by_its_name_and_escape_it(odd_repo):
    path, tree = odd_repo
    entries = read_tree(path, tree)
    rows = str(render_rows(entries, "http://x/tree/main/", "http://x/blob/main/"))
    links = dict((html.unescape(text), html.unescape(href)) for href, text in
                 re.findall(r'<a href="([^"]*)">([^<]*)</a>', rows))
    for name in ODD_NAMES:
        href = links[name]
        assert href == "http://x/blob/main/" + quote_path_segment(name)   # as pyramid quotes
        assert unquote(href[len("http://x/blob/main/"):]) == name
    assert links["Docs & <Notes>/"] == "http://x/tree/main/" + quote_path_segment(
        "Docs & <Notes>")
    assert "<img" not in rows and "&lt;img src=x onerror=alert(1)&gt;.md" in rows
    assert "vendor <span class=\"muted\">(submodule 1111111111)</span>" in rows
    assert '<td class="muted">2</td>' in rows           # a file's size


def test_a_listing_is_read_once_per_tree_and_url(odd_repo, monkeypatch):
    path, tree = odd_repo

    class Registry:
        pass
    registry, calls = Registry(), []
    real_git = tree_listing.git
    monkeypatch.setattr(tree_listing, "git", lambda *a, **kw: calls.append(a) or real_git(
        *a, **kw))
    first = listing_of(registry, path, tree, "http://x/tree/main", "http://x/blob/main")
    again = listing_of(registry, path, tree, "http://x/tree/main", "http://x/blob/main")
    assert again is first and len(calls) == 1
    # another ref naming the same tree links under its own name
    other = listing_of(registry, path, tree, "http://x/tree/v1", "http://x/blob/v1")
    assert other is not first and 'href="http://x/blob/v1/alpha.py"' in str(other.rows)
    # a base URL may hold "&" (a branch "a&b"): escaped in the attribute
    amp = listing_of(registry, path, tree, "http://x/tree/a&b", "http://x/blob/a&b")
    assert 'href="http://x/blob/a&amp;b/alpha.py"' in str(amp.rows)


def test_the_cache_drops_the_least_recently_used_past_its_bound():
    cache = ListingCache(max_entries=10)
    listing = lambda n: Listing([("f", "blob", 1, "0" * 40)] * n, "")  # noqa: E731
    cache.put("a", listing(4))
    cache.put("b", listing(4))
    assert cache.get("a") is not None           # a is now the most recently used
    cache.put("c", listing(4))                  # 12 > 10: b goes
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c")
    cache.put("huge", listing(11))              # larger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 2


def test_every_link_of_the_tree_page_opens_its_entry(site, registry, git, work_tree, browse):
    for name in ODD_NAMES:
        (work_tree / "src" / name).write_text("text of %s\n" % name)
    (work_tree / "src" / "sub dir&").mkdir()
    (work_tree / "src" / "sub dir&" / "inner.txt").write_text("inner\n")
    git("add", ".", cwd=work_tree)
    git("commit", "--quiet", "-m", "odd names", cwd=work_tree)
    git("push", "--quiet", repository_path(registry, site["tool"]._id), "main", cwd=work_tree)
    b = browse("ada")
    page = b.get(REPO + "/tree/main/src")
    anchors = page.html.find(id="tree").find_all("a")
    assert len(anchors) == len(ODD_NAMES) + 2           # app.py and the directory too
    for anchor in anchors:
        opened = b.get(anchor["href"])
        name = anchor.text.rstrip("/")
        if anchor.text.endswith("/"):
            assert "inner.txt" in opened.html.find(id="tree").text
        else:
            assert opened.html.find(id="file") is not None, name
            raw = b.get(anchor["href"].replace("/blob/", "/raw/", 1)).text
            assert raw == ("text of %s\n" % name if name != "app.py" else
                           "def main():\n    return 42\n")
