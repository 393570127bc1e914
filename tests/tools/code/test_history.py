"""Branches and tags, compare two refs, blame (no server: pushed straight to
the bare repository)."""
import pytest

from forge.model import ToolInstance, session

from tools.code.history import parse_porcelain
from tools.code.repository import repository_path

REPO = "/p/demo/code"


@pytest.fixture
def branched(site, registry, git, work_tree):
    """main: First commit, Add the app; feature/x: two more commits changing
    src/app.py; v1.0 tags main; unrelated: an orphan branch."""
    git("tag", "-a", "-m", "Release", "v1.0", cwd=work_tree)
    git("checkout", "--quiet", "-b", "feature/x", cwd=work_tree)
    (work_tree / "src" / "app.py").write_text("def main():\n    return 43\n\n\ndef more():\n"
                                              "    return 1\n")
    git("commit", "--quiet", "-am", "Answer differently", cwd=work_tree)
    (work_tree / "notes.txt").write_text("notes\n")
    git("add", "notes.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "Add notes", cwd=work_tree)
    git("checkout", "--quiet", "--orphan", "unrelated", cwd=work_tree)
    git("rm", "-r", "--quiet", "--cached", ".", cwd=work_tree)
    (work_tree / "other.txt").write_text("other\n")
    git("add", "other.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "Other history", cwd=work_tree)
    git("push", "--quiet", repository_path(registry, site["tool"]._id), "main", "feature/x",
        "unrelated", "v1.0", cwd=work_tree)
    return site


def test_branches_and_tags_page(branched, browse):
    doc = ToolInstance.query.get(_id=branched["tool"]._id)
    doc.options = {"protected_branches": ["main"]}
    session.flush()
    session.close()
    page = browse().get(REPO + "/branches")
    rows = [tr.text for tr in page.html.find(id="branches").find("tbody").find_all("tr")]
    assert len(rows) == 3
    main = next(r for r in rows if r.split()[0] == "main")
    assert "default" in main and "protected" in main and "Add the app" in main
    feature = next(r for r in rows if r.split()[0] == "feature/x")
    assert "default" not in feature and "Compare with main" in feature
    link = page.html.find(id="branches").find("a", class_="compare-link")["href"]
    assert link.startswith("http://localhost/p/demo/code/compare/main...")
    tags = page.html.find(id="tags").text
    assert "v1.0" in tags and "Release" in tags and "1970" not in tags


def test_branches_page_of_an_empty_repository(site, browse):
    page = browse().get(REPO + "/branches")
    assert page.html.find(id="no-branches") and page.html.find(id="no-tags")


def test_compare_lists_commits_and_the_diff_since_the_merge_base(branched, browse):
    page = browse().get(REPO + "/compare/main...feature/x")
    commits = [li.find("a").text for li in page.html.find(id="compare-commits").find_all("li")]
    assert commits == ["Add notes", "Answer differently"]
    diff = page.html.find_all("details", class_="code-diff")
    assert [d.find("code").text for d in diff] == ["notes.txt", "src/app.py"]
    assert "+    return 43" in page.text and "-    return 42" in page.text
    # the other way round: nothing new on main
    back = browse().get(REPO + "/compare/feature/x...main")
    assert back.html.find(id="no-commits") is not None and back.html.find(id="no-changes")


def test_compare_unrelated_histories(branched, browse):
    page = browse().get(REPO + "/compare/main...unrelated")
    assert page.html.find(id="unrelated") is not None
    assert "Other history" in page.html.find(id="compare-commits").text


def test_the_compare_form_redirects_to_the_compare_page(branched, browse):
    form = browse().get(REPO + "/compare")
    assert form.html.find(id="compare-base")["value"] == "main"
    response = browse().get(REPO + "/compare?base=main&head=feature/x", status=302)
    assert response.location == "http://localhost/p/demo/code/compare/main...feature/x"


@pytest.mark.parametrize("url, status", [
    ("compare/main", 400), ("compare/main...feature/x...v1.0", 400), ("compare/main...nope", 404),
    ("compare/-x...main", 400), ("compare?base=-x&head=main", 400), ("compare/main...a..b", 400),
    ("blame/main/src", 404), ("blame/main/nope.txt", 404), ("blame/nope/README.md", 404),
    ("blame/main/..%2fx", 404), ("blame/main/src/../../x", 404), ("blame/-p/README.md", 400),
])
def test_bad_names(branched, browse, url, status):
    browse().get(REPO + "/" + url, status=status)


def test_blame_names_the_commit_of_each_line(branched, browse):
    page = browse().get(REPO + "/blame/feature/x/src/app.py")
    rows = page.html.find(id="blame").find_all("tr")
    assert [r["id"] for r in rows] == ["L%d" % n for n in range(1, 7)]
    first = rows[0].find("td", class_="blame-commit")
    assert "Add the app" in first.text and int(first["rowspan"]) == 1
    second = rows[1].find("td", class_="blame-commit")
    assert "Answer differently" in second.text and int(second["rowspan"]) == 5
    assert rows[1].find("td", class_="line").text == "    return 43"
    assert 'id="blame-link"' in browse().get(REPO + "/blob/main/src/app.py").text


def test_blame_of_binary_and_empty_files(site, registry, git, work_tree, browse):
    (work_tree / "logo.bin").write_bytes(b"\x89PNG\x00\x01" * 50)
    (work_tree / "empty.txt").write_text("")
    git("add", ".", cwd=work_tree)
    git("commit", "--quiet", "-m", "Binary", cwd=work_tree)
    git("push", "--quiet", repository_path(registry, site["tool"]._id), "main", cwd=work_tree)
    assert browse().get(REPO + "/blame/main/logo.bin").html.find(id="not-blamed")
    assert browse().get(REPO + "/blame/main/empty.txt").html.find(id="empty-file")


def test_parse_porcelain_groups_runs():
    sha_a, sha_b = "a" * 40, "b" * 40
    out = ("%s 1 1 2\nauthor Ann\nauthor-time 10\nsummary First\nfilename f\n\tone\n"
           "%s 2 2\nfilename f\n\ttwo\n"
           "%s 3 3 1\nauthor Bob\nauthor-time 20\nsummary Second\nfilename f\n\tthree\n"
           % (sha_a, sha_a, sha_b))
    runs = parse_porcelain(out)
    assert [(r["sha"], r["author"], r["summary"], r["lines"]) for r in runs] == [
        (sha_a, "Ann", "First", [(1, "one"), (2, "two")]),
        (sha_b, "Bob", "Second", [(3, "three")])]
