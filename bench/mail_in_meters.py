"""What bench/mail_in.py measures with: CPU per part of the forge (the SMTP
server's threads, the reactors' and the relay's, the database's process, the
bench's own threads and its mail peer's process: the sink and the clients),
database commands per place, and cProfile per place (``--profile``).
"""
import os
import threading
import time


def cpu_seconds(pid=None):
    """CPU time (user + system) of this process (all its threads) or of ``pid``."""
    if pid is None:
        return time.process_time()
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu():
    """{thread name: CPU seconds} of this process's live threads (Linux
    ``/proc/self/task``); a thread born later starts from zero.  The time on
    the CPU is ``schedstat``'s, in nanoseconds: ``stat``'s clock ticks,
    which this read until 2026-12-03, summed over the threads to about 6% less
    than the process's own (precise) total, and "bench+sink" got the rest."""
    seconds = {}
    for thread in threading.enumerate():
        try:
            with open("/proc/self/task/%d/schedstat" % thread.native_id) as stat:
                seconds[(thread.name, thread.native_id)] = int(stat.read().split()[0]) / 1e9
            continue
        except (OSError, TypeError, ValueError, IndexError):
            pass
        try:
            with open("/proc/self/task/%d/stat" % thread.native_id) as stat:
                fields = stat.read().rpartition(")")[2].split()
        except (OSError, TypeError):
            continue
        seconds[(thread.name, thread.native_id)] = \
            (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def wait_until_quiet(started, backlog, busy_cpu, quiet_seconds=1.0, max_seconds=300.0):
    """Wait until ``backlog()`` is false and ``busy_cpu()`` (CPU seconds of
    the threads doing the work) grows by under 30% of a core for
    ``quiet_seconds`` (an idle worker still polls a little); return the
    seconds from ``started`` (a ``perf_counter``) until the quiet began."""
    quiet_since, last = None, busy_cpu()
    while time.perf_counter() - started < max_seconds:
        time.sleep(0.25)
        now = busy_cpu()
        if backlog() or now - last > 0.25 * 0.3:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.perf_counter()
        elif time.perf_counter() - quiet_since >= quiet_seconds:
            return quiet_since - started
        last = now
    return time.perf_counter() - started


def part_of(name, server):
    """Which part of the forge a thread of this process belongs to."""
    if name.startswith("forge-mail-in") or name == server.controller._thread.name:
        return "smtp server"
    if name.startswith(("forge-reactor-", "forge-bus-relay")):
        return "reactors"
    return "bench+sink"


class CpuMeter:
    """CPU seconds per part (threads of this process, the database's process
    and the mail peer's, counted in "bench+sink") between ``start()`` and
    ``stop()``."""

    def __init__(self, server, db_pid, peer_pid=None):
        self.server, self.db_pid, self.peer_pid = server, db_pid, peer_pid
        self.peer = 0.0         # CPU seconds of the peer process (in "bench+sink")

    def sample(self):
        parts = {"smtp server": 0.0, "reactors": 0.0, "bench+sink": 0.0}
        for (name, _tid), seconds in thread_cpu().items():
            parts[part_of(name, self.server)] += seconds
        parts["database"] = cpu_seconds(self.db_pid) if self.db_pid else 0.0
        parts["peer"] = cpu_seconds(self.peer_pid) if self.peer_pid else 0.0
        return parts, thread_cpu()

    def start(self):
        self.before_parts, self.before_threads = self.sample()
        self.process_before = cpu_seconds()
        return self

    def stop(self):
        """{part: CPU seconds}: live threads' differences, plus what threads
        that ended meanwhile used (the process's total minus the live ones)."""
        after_threads = thread_cpu()
        parts = {"smtp server": 0.0, "reactors": 0.0, "bench+sink": 0.0}
        self.reactors = {}        # {reactor name: CPU seconds} (the relay as "bus relay")
        for key, seconds in after_threads.items():
            used = seconds - self.before_threads.get(key, 0.0)
            part = part_of(key[0], self.server)
            parts[part] += used
            if part == "reactors":
                name = key[0].replace("forge-reactor-", "").replace("forge-bus-relay", "bus relay")
                self.reactors[name] = self.reactors.get(name, 0.0) + used
        # threads born and ended in the run, which /proc no longer lists: the
        # search reactor's tantivy (its writer, merge and docstore threads, per
        # batch); no Python thread of this process ends in a run.  Until
        # 2026-12-03 "bench+sink" got this (about 7 ms a message).
        ended = max(0.0, cpu_seconds() - self.process_before - sum(parts.values()))
        parts["reactors"] += ended
        if ended > 0.0005:
            self.reactors["ended threads (search's tantivy)"] = ended
        parts["database"] = (cpu_seconds(self.db_pid) - self.before_parts["database"]
                             if self.db_pid else 0.0)
        if self.peer_pid:
            self.peer = cpu_seconds(self.peer_pid) - self.before_parts["peer"]
            parts["bench+sink"] += self.peer
        return parts


def place_of(name):
    """A thread's place for ``--commands`` and ``--profile``: the reactor's
    name, "bus relay", "smtp server" or "bench+sink"."""
    if name.startswith("forge-reactor-"):
        return name[len("forge-reactor-"):]
    if name.startswith("forge-bus-relay"):
        return "bus relay"
    if name.startswith("forge-mail-in"):
        return "smtp server"
    return "bench+sink"


class CommandCounter:
    """Database commands sent by this process, by place, command name and
    collection (registered before the first client is made: Ming connects lazily)."""

    def __init__(self):
        import collections
        from pymongo import monitoring
        self.counts = collections.Counter()
        self.lock = threading.Lock()
        counter = self

        class Listener(monitoring.CommandListener):
            def started(self, event):
                target = event.command.get(event.command_name)
                name = event.command_name + (" %s" % target if isinstance(target, str) else "")
                key = (place_of(threading.current_thread().name), name)
                with counter.lock:
                    counter.counts[key] += 1

            def succeeded(self, event):
                pass

            def failed(self, event):
                pass
        monitoring.register(Listener())

    def snapshot(self):
        with self.lock:
            return dict(self.counts)


class Profiles:
    """cProfile per place while ``on``: each reactor's events (around
    ``ReactorWorker.handle``, and ``handle_batch`` for a batch reactor, whose
    run does not go through ``handle``: a failed batch's events, run again
    through ``handle``, are counted twice) and the mail-in threads' RCPT and
    DATA work."""

    def __init__(self):
        import cProfile
        self.profiles = {}
        self.on = False
        self.lock = threading.Lock()
        profiles = self

        def profiled(fn, suffix=""):
            def wrapper(*args, **kw):
                if not profiles.on:
                    return fn(*args, **kw)
                place = place_of(threading.current_thread().name) + suffix
                with profiles.lock:
                    profile = profiles.profiles.get(place)
                    if profile is None:
                        # CPU time of the thread, not the wall clock (the machine is shared)
                        profile = profiles.profiles[place] = cProfile.Profile(time.thread_time)
                profile.enable()
                try:
                    return fn(*args, **kw)
                finally:
                    profile.disable()
            return wrapper
        from forge.bus import worker
        from forge.mail_in import server
        worker.ReactorWorker.handle = profiled(worker.ReactorWorker.handle)
        worker.ReactorWorker.handle_batch = profiled(worker.ReactorWorker.handle_batch,
                                                     " (batches)")
        server.apply_message = profiled(server.apply_message)
        server.check_recipient = profiled(server.check_recipient)

    def write(self, path, limit=60):
        import io
        import pstats
        with open(path, "w") as out:
            for place, profile in sorted(self.profiles.items()):
                text = io.StringIO()
                stats = pstats.Stats(profile, stream=text)
                stats.sort_stats("cumulative").print_stats(limit)
                stats.sort_stats("tottime").print_stats(25)
                out.write("==== %s\n%s\n" % (place, text.getvalue()))
                # for pstats' callers and callees
                profile.dump_stats("%s.%s.pstats" % (path, place.replace(" ", "_")))
