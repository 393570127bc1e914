"""The processes bench/scale.py measures with: nx-27017 on a fresh copy of a
seeded database (seeding it the first time a size is asked for) and a forge
process per size answering the interleaved rounds (``scale_measure.py --worker``).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable            # bench/scale.py has made it the project's .venv python
NX = os.path.join(os.path.dirname(PY), "nx-27017")



def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cmd, cpu):
    return (["taskset", "-c", str(cpu)] + cmd) if shutil.which("taskset") and cpu else cmd


class Database:
    """nx-27017 on ``data_dir`` (and its search index beside it), pinned to CPU 1."""

    def __init__(self, data_dir, pin):
        self.dir, self.port = data_dir, free_port()
        self.log = open(os.path.join(data_dir, "nx.log"), "a")
        self.proc = subprocess.Popen(
            pinned([NX, "--data-dir", os.path.join(data_dir, "db"), "-p", str(self.port),
                    "--host", "127.0.0.1",
                    # its own pid file: without one nx-27017 refuses to start beside another
                    "--pid-file", os.path.join(data_dir, "nx.pid")], 1 if pin else None),
            stdout=self.log, stderr=subprocess.STDOUT)
        import pymongo
        for _ in range(120):
            try:
                pymongo.MongoClient(port=self.port, serverSelectionTimeoutMS=500) \
                    .admin.command("ping")
                return
            except Exception:
                if self.proc.poll() is not None:
                    sys.exit("nx-27017 exited (see %s/nx.log)" % data_dir)
                time.sleep(0.5)
        sys.exit("nx-27017 did not answer")

    def env(self):
        return dict(os.environ, BENCH_SEARCH_PATH=os.path.join(self.dir, "search"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def seeded_copy(size, projects, cache, pin):
    """A fresh copy of the database of ``size`` tickets, seeding it first if needed."""
    kept = os.path.join(cache, "%d-%d" % (size, projects))
    if not os.path.exists(os.path.join(kept, "seeded")):
        shutil.rmtree(kept, ignore_errors=True)
        os.makedirs(os.path.join(kept, "db"))
        db = Database(kept, pin)
        try:
            print("seeding %d tickets, %d projects into %s" % (size, projects, kept), flush=True)
            subprocess.run([PY, os.path.join(BENCH, "seed_scale.py"), str(db.port),
                            str(size), str(projects)], env=db.env(), check=True)
        finally:
            db.stop()
        open(os.path.join(kept, "seeded"), "w").close()
    work = tempfile.mkdtemp(prefix="forge-scale-%d-" % size)
    for name in ("db", "search"):
        if os.path.exists(os.path.join(kept, name)):
            shutil.copytree(os.path.join(kept, name), os.path.join(work, name))
    return work


class Worker:
    """One size served for the interleaved measurement: a fresh copy of its
    database under nx-27017 and a forge process (``scale_measure.py --worker``)."""

    def __init__(self, size, args):
        self.size = size
        self.work = seeded_copy(size, args.projects, args.cache, args.pin)
        self.db = Database(self.work, args.pin)
        cmd = [PY, os.path.join(args.code, "bench", "scale_measure.py"), str(self.db.port),
               str(self.db.proc.pid), "--worker"]
        env = dict(self.db.env(), PYTHONPATH=args.code)    # ahead of the editable install
        self.proc = subprocess.Popen(pinned(cmd, 1 if args.pin else None), env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     bufsize=1)

    def answer(self):
        for line in self.proc.stdout:
            if line.startswith("{"):
                return json.loads(line)
            print(line, end="")
        sys.exit("the %d-ticket worker exited" % self.size)

    def ask(self, row, n, warm):
        self.proc.stdin.write(json.dumps({"row": row, "n": n, "warm": warm}) + "\n")
        return self.answer()

    def stop(self):
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.db.stop()
        shutil.rmtree(self.work, ignore_errors=True)
