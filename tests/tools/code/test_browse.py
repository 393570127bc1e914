"""The browsing pages, on a repository filled with the git binary (no server)."""
import pytest

from tools.code.repository import repository_path

REPO = "/p/demo/code"


@pytest.fixture
def filled(site, registry, git, work_tree):
    """site's repository with work_tree's two commits, a branch with a "/",
    a tag, a binary file and a file with markup in its name and text."""
    (work_tree / "logo.bin").write_bytes(b"\x89PNG\x00\x01\x02" * 100)
    (work_tree / "<b>x<b>.txt").write_text("<script>alert(1)</script>\n")
    git("add", ".", cwd=work_tree)
    git("commit", "--quiet", "-m", "Binary and <i>markup</i>", cwd=work_tree)
    git("tag", "v1.0", cwd=work_tree)
    git("branch", "feature/x", cwd=work_tree)
    bare = repository_path(registry, site["tool"]._id)
    git("push", "--quiet", bare, "main", "feature/x", "v1.0", cwd=work_tree)
    return site


def test_home_lists_files_refs_clone_urls_and_renders_the_readme(filled, browse):
    page = browse().get(REPO + "/")
    assert 'value="git clone http://localhost/p/demo/code"' in page.text
    assert "http://localhost/p/demo/code.git" in page.text
    tree = page.html.find(id="tree").text
    assert "src/" in tree and "README.md" in tree and "logo.bin" in tree
    refs = page.html.find(id="refs").text
    assert "main" in refs and "feature/x" in refs and "v1.0" in refs
    assert page.html.find(id="readme").find("em").text == "demo"


def test_tree_file_and_raw(filled, browse):
    b = browse()
    tree = b.get(REPO + "/tree/main/src")
    assert "app.py" in tree.html.find(id="tree").text
    blob = b.get(REPO + "/blob/main/src/app.py")
    assert blob.html.find(id="L2") is not None
    assert blob.html.find(id="L2").find("a")["href"] == "#L2"
    assert "return" in blob.html.find(id="L2").text
    assert blob.html.find(id="file").find("span", class_="k") is not None   # highlighted
    raw = b.get(REPO + "/raw/main/src/app.py")
    assert raw.body == b"def main():\n    return 42\n"
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in raw.headers["Content-Security-Policy"]


def test_refs_with_a_slash_tags_and_commit_ids(filled, browse, registry):
    b = browse()
    assert "app.py" in b.get(REPO + "/tree/feature/x/src").text
    assert "app.py" in b.get(REPO + "/blob/v1.0/src/app.py").text
    sha = b.get(REPO + "/commits").html.find(id="log").find("a")["href"].rsplit("/", 1)[1]
    assert len(sha) == 40
    assert "app.py" in b.get(REPO + "/tree/%s/src" % sha).text


def test_binary_files_and_markup_are_shown_safely(filled, browse):
    b = browse()
    assert b.get(REPO + "/blob/main/logo.bin").html.find(id="binary-file") is not None
    assert b.get(REPO + "/raw/main/logo.bin").content_type == "application/octet-stream"
    home = b.get(REPO + "/")
    assert "<b>x<b>" not in home.text and "&lt;b&gt;x&lt;b&gt;.txt" in home.text
    blob = b.get(REPO + "/blob/main/%3Cb%3Ex%3Cb%3E.txt")
    assert "<script>alert" not in blob.text and "&lt;script&gt;" in blob.text
    log = b.get(REPO + "/commits")
    assert "<i>markup</i>" not in log.text and "&lt;i&gt;markup&lt;/i&gt;" in log.text


def test_log_pages_and_the_commit_view(filled, browse, git, work_tree, registry):
    for n in range(30):
        (work_tree / "n.txt").write_text("%d\n" % n)
        git("commit", "--quiet", "-am" if n else "-m", "Change %d" % n, cwd=work_tree) \
            if n else (git("add", "n.txt", cwd=work_tree),
                       git("commit", "--quiet", "-m", "Change 0", cwd=work_tree))
    git("push", "--quiet", repository_path(registry, filled["tool"]._id), "main",
        cwd=work_tree)
    b = browse()
    first = b.get(REPO + "/commits")
    subjects = [a.text for a in first.html.find(id="log").find_all("a", class_="subject")]
    assert subjects[0] == "Change 29" and len(subjects) == 25
    older = b.get(first.html.find(id="older")["href"])
    rest = [a.text for a in older.html.find(id="log").find_all("a", class_="subject")]
    assert rest[-1] == "First commit" and not set(rest) & set(subjects)
    commit = b.get(older.html.find(id="log").find_all("a", class_="subject")[-2]["href"])
    assert commit.html.find(id="commit-subject").text == "Add the app"
    assert "With a body." in commit.html.find(id="commit-message").text
    assert "+    return 42" in commit.text
    root = b.get(older.html.find(id="log").find_all("a", class_="subject")[-1]["href"])
    assert "+# Hello" in root.text


def test_the_empty_repository_says_how_to_push(site, browse):
    page = browse().get(REPO + "/")
    assert page.html.find(id="empty-repository") is not None


@pytest.mark.parametrize("url,status", [
    ("/tree/nope", 404), ("/tree/main/nope", 404), ("/blob/main/nope.py", 404),
    ("/raw/main/src", 404), ("/commit/" + "0" * 40, 404), ("/commit/main/x", 404),
    ("/tree/--output=x", 400), ("/tree/-n", 400), ("/blob/main..HEAD/a", 400),
    ("/tree/main/a%0Ab", 400), ("/raw/main/..%2F..%2Fetc%2Fpasswd", 404),
    ("/raw/main/src/..%2F..%2F..%2Fconfig", 404), ("/blob/main/%2Fetc%2Fpasswd", 404),
    ("/commits/main?page=0", 400), ("/commits/main?page=x", 400),
    ("/tree/HEAD@%7B1%7D", 400), ("/commit/%3Aabc", 400), ("/tree/main%3Asrc", 400),
])
def test_bad_refs_and_paths_are_4xx(filled, browse, url, status):
    browse().get(REPO + url, status=status)
