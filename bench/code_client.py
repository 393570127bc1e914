"""The code benchmark's client side: what bench/code_measure.py sends to the
three servers (the forge, git http-backend, dulwich.web) and how it reads their
answers (a clone's pack, a push, timed GETs of info/refs and of pages) and
the servers' CPU clocks.
"""
import base64
import hashlib
import http.client
import os
import shutil
import subprocess
import time

from code_repo import series



def git(*args, check=True):
    result = subprocess.run(["git", *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError("git %s failed: %s" % (" ".join(args[:3]), result.stderr.strip()))
    return result.stdout.strip()


class Bench:
    def __init__(self, options):
        self.o = options
        self.urls = {
            "forge": "http://127.0.0.1:%d/p/c1/code" % options.forge_port,
            "cgi": "http://127.0.0.1:%d/repo.git" % options.cgi_port,
            "dulwich": "http://127.0.0.1:%d/repo.git" % options.dulwich_port}
        self.push_urls = dict(self.urls, forge="http://benchadmin:%s@127.0.0.1:%d/p/c1/code"
                              % (options.token, options.forge_port))
        self.repos = {"forge": options.forge_repo, "cgi": options.cgi_repo,
                      "dulwich": options.dulwich_repo}
        self.main_sha = git("--git-dir", options.source, "rev-parse", "refs/heads/main")

    # ------------------------------------------------------------- clone ---
    def fetch_pack(self, server, timeout):
        """(seconds, pack bytes, object count) of the pack a clone asks for: the
        upload-pack request ``git clone`` sends (protocol v0, side-band-64k), the
        answer read to its end and checked (PACK header, SHA-1 trailer), nothing
        indexed: the server's side of a clone without the client's work."""
        port = {"forge": self.o.forge_port, "cgi": self.o.cgi_port,
                "dulwich": self.o.dulwich_port}[server]
        prefix = {"forge": "/p/c1/code", "cgi": "/repo.git", "dulwich": "/repo.git"}[server]
        body = (pkt(b"want %s side-band-64k thin-pack ofs-delta no-progress agent=git/2.39.5\n"
                    % self.main_sha.encode()) + b"0000" + pkt(b"done\n"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        started = time.monotonic()
        connection.request("POST", prefix + "/git-upload-pack", body=body, headers={
            "Content-Type": "application/x-git-upload-pack-request",
            "Accept": "application/x-git-upload-pack-result", "User-Agent": "git/2.39.5"})
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError("%s upload-pack answered %d" % (server, response.status))
        pack = bytearray()
        for band, data in sideband(response):
            if band == 1:
                pack += data
            elif band == 3:
                raise RuntimeError("%s upload-pack error: %r" % (server, data[:200]))
            if time.monotonic() - started > timeout:
                raise TimeoutError()
        seconds = time.monotonic() - started
        connection.close()
        if pack[:4] != b"PACK" or hashlib.sha1(pack[:-20]).digest() != bytes(pack[-20:]):
            raise RuntimeError("%s sent a pack that does not check" % server)
        return seconds, len(pack), int.from_bytes(pack[8:12], "big")

    def clone(self, server, rep):
        dest = os.path.join(self.o.work, "clone-%s-%d.git" % (server, rep))
        shutil.rmtree(dest, ignore_errors=True)
        started = time.monotonic()
        git("clone", "--bare", "--quiet", self.urls[server], dest)
        seconds = time.monotonic() - started
        got = git("--git-dir", dest, "rev-parse", "refs/heads/main")
        if got != self.main_sha:
            raise RuntimeError("%s clone has main at %s, not %s" % (server, got, self.main_sha))
        pack_dir = os.path.join(dest, "objects", "pack")
        size = sum(os.path.getsize(os.path.join(pack_dir, name))
                   for name in os.listdir(pack_dir) if name.endswith(".pack"))
        shutil.rmtree(dest)
        return seconds, size

    # -------------------------------------------------------------- push ---
    def prepare_pushes(self):
        """One client repository with a series of new commits per round."""
        client = os.path.join(self.o.work, "push-client.git")
        shutil.rmtree(client, ignore_errors=True)
        git("clone", "--bare", "--quiet", self.o.source, client)
        for rep in range(self.o.reps):
            series(client, self.main_sha, "push-%d" % rep, self.o.pushes)
        return client

    def push(self, client, server, rep):
        branch = "push-%d" % rep
        started = time.monotonic()
        git("--git-dir", client, "push", "--quiet", self.push_urls[server],
            "refs/heads/%s:refs/heads/%s" % (branch, branch))
        seconds = time.monotonic() - started
        want = git("--git-dir", client, "rev-parse", "refs/heads/" + branch)
        got = git("--git-dir", self.repos[server], "rev-parse", "refs/heads/" + branch)
        if got != want:
            raise RuntimeError("%s has %s at %s after the push, not %s" % (server, branch,
                                                                          got, want))
        return seconds

    # ------------------------------------------------------ HTTP requests ---
    def timed_gets(self, port, path, headers, count, expect):
        """Milliseconds of ``count`` GETs one after another on one connection."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        times = []
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            times.append((time.perf_counter() - started) * 1000)
            if response.status != 200 or expect not in body:
                raise RuntimeError("GET %s answered %d without %r" % (path, response.status,
                                                                      expect))
        connection.close()
        return times

    def info_refs(self, server, count, authenticated=False, protocol="version=2"):
        port = {"forge": self.o.forge_port, "cgi": self.o.cgi_port,
                "dulwich": self.o.dulwich_port}[server]
        prefix = {"forge": "/p/c1/code", "cgi": "/repo.git", "dulwich": "/repo.git"}[server]
        headers = {"User-Agent": "git/2.39.5"}
        if protocol:
            headers["Git-Protocol"] = protocol
        if authenticated:
            headers["Authorization"] = "Basic " + base64.b64encode(
                ("benchadmin:" + self.o.token).encode()).decode()
        return self.timed_gets(port, prefix + "/info/refs?service=git-upload-pack", headers,
                               count, b"0000")

    def page(self, path, count, marker):
        headers = {"Cookie": "forge_session=" + self.o.cookie}
        return self.timed_gets(self.o.forge_port, path, headers, count, marker)


def pkt(data):
    return b"%04x" % (len(data) + 4) + data


def sideband(response):
    """(band, data) of a side-band-64k answer after its NAK line."""
    while True:
        head = response.read(4)
        if len(head) < 4:
            return
        size = int(head, 16)
        if size == 0:
            continue            # a flush packet: the end of the answer follows
        data = response.read(size - 4)
        if data.startswith(b"NAK") or data.startswith(b"ACK"):
            continue
        yield data[0], data[1:]


def wait_for_commit_graph(repo, timeout=600):
    """Seconds until the forge's repository has a commit-graph and git is not
    writing one (the forge writes it on a thread after each push)."""
    started = time.monotonic()
    graphs = os.path.join(repo, "objects", "info", "commit-graphs")
    chain = os.path.join(graphs, "commit-graph-chain")
    settled = 0
    while time.monotonic() - started < timeout:
        writing = any(name.endswith(".lock") for name in os.listdir(graphs)) \
            if os.path.isdir(graphs) else True
        settled = settled + 1 if os.path.exists(chain) and not writing else 0
        if settled >= 4:        # four looks in a row: no write queued behind
            return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError("no commit-graph in %s after %d s" % (repo, timeout))


def process_cpu(pid):
    """utime + stime of a process in seconds (0 without a pid)."""
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
