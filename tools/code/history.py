"""What the compare and blame pages read: commits between two refs, the diff
since their merge base, and who last changed each line of a file.

Like ``repository``, every command is ``git`` with a fixed argument list;
what comes from a URL is a commit id already resolved (``Repository.resolve``)
or a path checked by ``check_path`` and given after ``--``.
"""
import subprocess

from .repository import (GIT_TIMEOUT, RECORD, NotInRepository, check_path, commit_fields,
                         git, git_env, git_stream, text)

MAX_COMPARED_COMMITS = 250
MAX_BLAMED_LINES = 20000


def merge_base(repo, base_sha, head_sha):
    """The best common ancestor of two commits, or None (unrelated histories)."""
    sha = text(git(repo.path, "merge-base", "--end-of-options", base_sha, head_sha,
                   check=False)).strip()
    return sha or None


def commits_between(repo, base_sha, head_sha, limit=MAX_COMPARED_COMMITS):
    """Commits reachable from ``head_sha`` and not from ``base_sha``, newest
    first, at most ``limit``, and whether there were more."""
    fmt = "%H%x00%P%x00%an%x00%ae%x00%at%x00%s%x1e"
    out = text(git(repo.path, "log", "--format=" + fmt, "--max-count=%d" % (limit + 1),
                   "--end-of-options", head_sha, "^" + base_sha, "--"))
    commits = [commit_fields(r) for r in out.split(RECORD) if r.strip()]
    return commits[:limit], len(commits) > limit


def diff_between(repo, from_sha, to_sha, limit):
    """The patch from ``from_sha`` to ``to_sha``, at most ``limit`` bytes, and
    whether it was cut (read from a stream: a huge diff is never whole in memory)."""
    process = git_stream(repo.path, "diff-tree", "-p", "-M", "--no-color", "--no-ext-diff",
                         "--end-of-options", from_sha, to_sha)
    try:
        data = process.stdout.read(limit + 1)
    finally:
        process.kill()
        process.wait()
    return text(data[:limit]), len(data) > limit


def blame(repo, sha, path, max_lines=MAX_BLAMED_LINES):
    """[{sha, author, time, summary, lines: [(number, text)]}]: runs of lines
    last changed by one commit, in file order; ``NotInRepository`` when git
    cannot blame the path (a directory, a missing file)."""
    check_path(path)
    result = subprocess.run(["git", "--git-dir", repo.path, "blame", "--porcelain",
                             "-L", "1,%d" % max_lines, sha, "--", path],
                            capture_output=True, env=git_env(), timeout=GIT_TIMEOUT)
    if result.returncode != 0:
        raise NotInRepository(text(result.stderr).strip() or "Cannot blame %r." % path)
    return parse_porcelain(text(result.stdout))


def parse_porcelain(out):
    commits, runs, current = {}, [], None
    lines = iter(out.split("\n"))
    for header in lines:
        if not header:
            continue
        sha, _orig, final, *_ = header.split(" ")
        info = commits.setdefault(sha, {"sha": sha})
        for line in lines:
            if line.startswith("\t"):
                content = line[1:]
                break
            key, _, value = line.partition(" ")
            if key in ("author", "summary"):
                info[key] = value
            elif key == "author-time":
                info["time"] = int(value or 0)
        else:
            break
        if current is None or current["sha"] != sha:
            current = {"sha": sha, "lines": []}
            runs.append(current)
        current["lines"].append((int(final), content))
    for run in runs:
        run.update({k: v for k, v in commits[run["sha"]].items() if k != "sha"})
    return runs

