"""The log's stable cursor: ``?after=SHA`` (older) and ``?before=SHA`` (newer)."""
import pytest

from tools.code.repository import Repository, repository_path

REPO = "/p/demo/code"


def commit_series(git, work_tree, first, last, name="n.txt"):
    for n in range(first, last):
        (work_tree / name).write_text("%d\n" % n)
        git("add", name, cwd=work_tree)
        git("commit", "--quiet", "-m", "Change %d" % n, cwd=work_tree)


def subjects(page):
    return [a.text for a in page.html.find(id="log").find_all("a", class_="subject")]


@pytest.fixture
def long_log(site, registry, git, work_tree):
    """work_tree's two commits, then "Change 0" .. "Change 29" (32 commits)."""
    commit_series(git, work_tree, 0, 30)
    bare = repository_path(registry, site["tool"]._id)
    git("push", "--quiet", bare, "main", cwd=work_tree)
    return bare


def test_older_and_newer_links_name_commits(long_log, browse):
    b = browse()
    first = b.get(REPO + "/commits")
    assert first.html.find(id="newer") is None
    older_href = first.html.find(id="older")["href"]
    assert "after=" in older_href and "page=" not in older_href
    second = b.get(older_href)
    assert subjects(second) == ["Change %d" % n for n in range(4, -1, -1)] + [
        "Add the app", "First commit"]
    assert second.html.find(id="older") is None
    back = b.get(second.html.find(id="newer")["href"])
    assert subjects(back) == subjects(first)
    assert back.html.find(id="newer") is None and back.html.find(id="older") is not None


def test_a_push_between_two_clicks_shifts_no_page(long_log, browse, git, work_tree):
    b = browse()
    older_href = b.get(REPO + "/commits").html.find(id="older")["href"]
    page_two = subjects(b.get(older_href))
    commit_series(git, work_tree, 30, 33)
    git("push", "--quiet", long_log, "main", cwd=work_tree)
    assert subjects(b.get(older_href)) == page_two
    # page numbers do shift: the old page 2 now starts three commits later
    assert subjects(b.get(REPO + "/commits/main?page=2"))[:1] == ["Change 7"]


def test_a_path_limited_log_pages_by_commit_too(long_log, browse, git, work_tree):
    commit_series(git, work_tree, 0, 30, name="other.txt")
    git("push", "--quiet", long_log, "main", cwd=work_tree)
    b = browse()
    first = b.get(REPO + "/commits/main/n.txt")
    assert subjects(first)[0] == "Change 29"
    rest = subjects(b.get(first.html.find(id="older")["href"]))
    assert rest == ["Change %d" % n for n in range(4, -1, -1)]


def test_the_repository_reads_a_page_either_side_of_a_commit(long_log):
    repo = Repository(long_log)
    walk = [c["sha"] for c in repo.log(repo.resolve("main"), 0, 100)]
    older, more = repo.log_next_to(walk[0], walk[9], 5)
    assert [c["sha"] for c in older] == walk[10:15] and more
    newer, more = repo.log_next_to(walk[0], walk[9], 5, newer=True)
    assert [c["sha"] for c in newer] == walk[4:9] and more
    newer, more = repo.log_next_to(walk[0], walk[3], 5, newer=True)
    assert [c["sha"] for c in newer] == walk[:3] and not more
    older, more = repo.log_next_to(walk[0], walk[-3], 5)
    assert [c["sha"] for c in older] == walk[-2:] and not more


@pytest.mark.parametrize("query,status", [
    ("after=zzz", 400), ("before=main", 400), ("after=" + "0" * 40, 404),
    ("after=%s&before=%s" % ("a" * 40, "a" * 40), 400), ("after=" + "A" * 40, 400),
])
def test_bad_cursors(long_log, browse, query, status):
    browse().get(REPO + "/commits/main?" + query, status=status)


@pytest.mark.parametrize("chunk_size", [1, 7, 41, 100, 65536])
def test_the_walk_is_scanned_in_chunks_of_any_size(chunk_size):
    import io

    from tools.code.repository import NotInRepository, walk_beside
    shas = ["%040x" % n for n in range(1, 60)]
    stream = (lambda: io.BytesIO("".join(s + "\n" for s in shas).encode()))

    def beside(cursor, count, newer):
        return walk_beside(stream(), shas[cursor].encode(), count, newer, chunk_size)
    assert beside(9, 5, False) == (shas[10:15], True)
    assert beside(9, 5, True) == (shas[4:9], True)
    assert beside(4, 5, True) == (shas[:4], False)
    assert beside(5, 5, True) == (shas[:5], False)
    assert beside(53, 5, False) == (shas[54:59], False)
    assert beside(52, 5, False) == (shas[53:58], True)
    assert beside(58, 5, False) == ([], False)
    assert beside(0, 5, True) == ([], False)
    with pytest.raises(NotInRepository):
        walk_beside(stream(), b"f" * 40, 5, False, chunk_size)
