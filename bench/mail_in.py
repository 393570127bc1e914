"""Mail-in benchmark: messages accepted and applied per second through the
real SMTP server, and the time from DATA to the comment on the page.

    .venv/bin/python bench/mail_in.py [--messages 300] [--clients 4] [--threads N]
                                      [--rate 10] [--seconds 20] [--no-reactors]
                                      [--no-baseline] [--commands] [--profile FILE]
                                      [--layout embedded|processes] [--workers 1]
                                      [--no-sink-pipelining]
                                      [--into tickets|new-tickets|forum]

On the embedded default, as ``forge serve`` runs it: a fresh nx-27017 in a
temp dir, the ``memory://`` bus with the reactors in threads of this process
(activity, search, notifications: every applied reply is indexed, put in the
activity stream and mailed to the thread's watchers, here a local SMTP sink),
and the forge's mail-in server (aiosmtpd) on a free port.  ``--into``
says what the messages are (the issue's target is messages into tickets):

* ``tickets`` (the default): a ticket of ada's tracker has six watchers
  (ada, its reporter, and five members); each message is a reply from one
  of 20 members to the ticket, to that member's signed reply address: a
  comment on the ticket, mailed to the watchers but its author;
* ``new-tickets``: each message goes to the tracker's address
  (``tickets.bench@``) from a member's verified address and opens a ticket
  (its subject the title), mailed to the tracker's six watchers but its
  author; the paced replies still go to one ticket;
* ``forum``: as ``tickets``, on a forum thread (the bench's only kind until
  2026-12-03, its figures in DESIGN.md until then).

The other mail servers, the sink the notifications go to and the clients that
send the replies, are one asyncio process of their own (bench/mail_peer.py):
a real SMTP server over a socket, which counts every notification; at the end
the bench checks that each reply's notifications all arrived.  The sink offers
PIPELINING, as Postfix does, so the forge's mailer pipelines to it;
``--no-sink-pipelining`` makes it answer EHLO as aiosmtpd (the sink until
2026-12-03) does.

1. **throughput**: ``--messages`` replies sent by ``--clients`` connections at
   once (one transaction per message, as smtplib's ``sendmail``); a message
   counts when its DATA got 250, which the server answers only after
   the comment is saved (auditors, post, record, event, flush);
2. **paced**: ``--rate`` replies per second for ``--seconds`` (smtplib, from
   this process); for each, the time from the start of DATA until an anonymous
   GET of the thread page (the WSGI app in this process, its page cache on)
   shows the comment: p50, p99, max.

0. **baseline** (unless ``--no-baseline``): the same throughput run first
   with the reactors stopped (the events wait in the outbox), then the
   reactors are started and left to drain that backlog before step 1.

CPU per message is split by where it is spent: the SMTP server (aiosmtpd's
thread and the ``forge.mail_in.threads`` pool: parsing, checks, the post),
the reactors (their worker threads and the bus relay, counted until they are
idle again after the last message), the database server (its own process)
and "bench+sink": the peer process (the clients and the sink, printed apart as
``[peer process]``) and the rest of this process.  Until 2026-12-03 the sink
(aiosmtpd) and the clients (smtplib) were threads of this process, sharing
its GIL with the forge, and the threads' CPU was read from ``stat``'s clock
ticks (about 6% short of the process's total, which "bench+sink" got); now
``schedstat``.  Each part is printed with its ratio to the baseline.
"processed" messages/s counts until the reactors went idle.

``--commands`` also counts the database commands each part sends per message
(a pymongo listener; the reactors by name); ``--profile FILE`` runs each
reactor's events and the mail-in threads' work under cProfile during the run
with reactors and writes, per place, the functions by cumulative CPU time to FILE
(both cost CPU themselves: compare runs made with the same options).

``--layout processes`` lays the forge out as production runs it (DESIGN.md:
``forge.bus.url`` on RabbitMQ): ``forge mail-in`` and ``--workers`` ``forge
worker`` processes on a bus namespace of the run's own, the same nx-27017 and
peer; the same figures, each process's CPU split by thread from /proc
(bench/mail_in_processes.py says how).  There the mail-in process relays its
own events (its relay thread counted in "reactors", as "bus relay (mail-in)",
also in the baseline, where the events wait in the stopped workers' queues),
and this process, which seeded the site and reads the page for the paced run,
counts in "bench+sink".  ``--commands`` and ``--profile``: embedded only.

Targets (issue 13): at least 50 messages/s; p99 under 1 s at 10 messages/s.
Each figure is printed beside its target and the ratio (measured / target
for the rate, target / measured for the p99: 1.0 or more meets it).  The
figures move with the machine's other work, so the load average is printed
before and after: compare runs made one after the other.  Only the tool
the messages go to is loaded (the tracker, or the discussion tool).
"""
import argparse
import os
import shutil
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from mail_in_embedded import Embedded  # noqa: E402
from mail_in_meters import CommandCounter, Profiles  # noqa: E402
from mail_in_report import PARTS, check_notifications, report  # noqa: E402
from mail_in_processes import AMQP, Processes, bus_settings  # noqa: E402
from mail_in_seed import DOMAIN, seed  # noqa: E402
from mail_peer import Peer  # noqa: E402

TARGET_P99 = 1.0            # seconds from DATA to the comment on the page, at 10/s


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def forge_settings(data_dir, database, sink, threads=None, bus=None, into="tickets"):
    """The forge's settings for the run (``bus``: the bus settings of the
    processes layout; the embedded layout's is ``memory://``; only the tool
    the messages go to is loaded)."""
    settings = {
        "ming.main.uri": database.url, "ming.main.database": "bench_mail_in",
        "forge.load_tool_entry_points": "false",
        "forge.tools": "tools.discussion" if into == "forum" else "tools.tracker",
        "forge.secret": "bench-secret", "forge.bus.url": "memory://",
        "forge.mail.host": sink.host, "forge.mail.port": str(sink.port),
        "forge.mail_in.domain": DOMAIN, "forge.mail_in.listen": "127.0.0.1:%d" % free_port(),
        "forge.mail_in.max_per_sender": "100000",
        "forge.search.path": os.path.join(data_dir, "search"),
        "forge.password.time_cost": "1", "forge.password.memory_kib": "1024",
        "forge.password.parallelism": "1"}
    if threads:
        settings["forge.mail_in.threads"] = str(threads)
    settings.update(bus or {})
    return settings


def build_forge(data_dir, sink, threads=None, bus=None, into="tickets"):
    """The database server and this process's app (on the processes layout,
    its relay off: the forge's processes publish the outbox)."""
    from forge import main
    from forge.embedded import EmbeddedMongo
    database = EmbeddedMongo(data_dir, free_port()).start()
    settings = forge_settings(data_dir, database, sink, threads, bus, into)
    app = main({}, **settings, **({"forge.bus.relay": "off"} if bus else {}))
    return database, app, settings


def write_config(path, settings):
    """An INI file of ``settings`` for ``forge mail-in`` and ``forge worker``."""
    with open(path, "w") as config:
        config.write("[app:main]\nuse = egg:pyforge\n")
        for key, value in sorted(settings.items()):
            config.write("%s = %s\n" % (key, str(value).replace("%", "%%")))
    return path


def reply(sender, address, text):
    """A reply to ``address`` (a reply address), or a new ticket's message to
    the tracker's address: its subject the title, its text the description."""
    message = EmailMessage()
    # a new ticket's notification says its title, not its description
    subject = text if address.startswith("tickets.") else "Re: Benchmark"
    message["From"], message["To"], message["Subject"] = sender, address, subject
    message.set_content("%s\n\nOn Mon, Ada wrote:\n> Reply here.\n" % text)
    return message


def prepare(peer, server_address, addresses, count, clients, label):
    """Hand the peer process ``count`` replies (marked ``Load {label}N.``) to
    send over ``clients`` connections; made before the clock starts: the
    clients stand in for other mail servers, whose work is not the forge's."""
    messages = []
    for index in range(count):
        sender, address = addresses[index % len(addresses)]
        message = reply(sender, address, "Load %s%d." % (label, index))
        messages.append((sender, address, message.as_bytes(
            policy=message.policy.clone(linesep="\r\n"))))
    peer.load(server_address[0], server_address[1], clients, messages,
              os.path.join(peer.workdir, "load-%s.json" % label))


def throughput(peer, count):
    """Messages per second with the prepared clients sending at once (one
    connection each, one transaction per message, as smtplib's sendmail)."""
    sent = peer.go()
    errors = sent["errors"]
    return (count - len(errors)) / sent["elapsed"], sent["elapsed"], errors


def paced(address, app, path, addresses, rate, seconds):
    """Seconds from DATA to the comment on the page, for each message."""
    import webtest
    browser = webtest.TestApp(app)
    latencies = []
    with smtplib.SMTP(*address, timeout=60) as connection:
        for index in range(int(rate * seconds)):
            due = time.perf_counter() + 1.0 / rate
            sender, address = addresses[index % len(addresses)]
            marker = "Paced reply %d." % index
            message = reply(sender, address, marker)
            connection.ehlo()
            connection.mail(sender)
            connection.rcpt(address)
            started = time.perf_counter()
            code, _text = connection.data(message.as_bytes(
                policy=message.policy.clone(linesep="\r\n")))
            if code != 250:
                raise SystemExit("message %d refused: %s" % (index, code))
            while marker not in browser.get(path).text:
                if time.perf_counter() - started > 10:
                    raise SystemExit("reply %d not on the page after 10 s" % index)
                time.sleep(0.005)
            latencies.append(time.perf_counter() - started)
            time.sleep(max(0.0, due - time.perf_counter()))
    return latencies


def load_average():
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def measure(layout, peer, addresses, args, reactors, commands=None, profiles=None):
    """One throughput run: its figures (and CPU per part, per message)."""
    label = "r" if reactors else "b"
    prepare(peer, layout.address, addresses, args.messages, args.clients, label)
    commands_before = commands.snapshot() if commands else {}
    meter = layout.meter(peer.pid).start()
    if profiles is not None and reactors:
        profiles.on = True
    rate, elapsed, errors = throughput(peer, args.messages)
    drained = layout.idle() if reactors else 0.0
    if profiles is not None:
        profiles.on = False
    cpu = meter.stop()
    applied = args.messages - len(errors)
    sent = {}
    if commands:
        for (place, name), count in commands.snapshot().items():
            used = count - commands_before.get((place, name), 0)
            if used:
                sent.setdefault(place, {})[name] = used / max(1, applied)
    broker = getattr(meter, "broker", None)         # the processes layout's RabbitMQ
    return {"commands": sent, "reactors": reactors, "label": label, "applied": applied,
            "rate": rate, "elapsed": elapsed, "errors": errors,
            "peer_ms": meter.peer * 1000 / max(1, applied),
            "broker_ms": None if broker is None else broker * 1000 / max(1, applied),
            "processed": applied / (elapsed + drained) if applied else 0.0,
            "ms": {part: cpu[part] * 1000 / max(1, applied) for part in PARTS},
            "reactor_ms": {name: seconds * 1000 / max(1, applied)
                           for name, seconds in meter.reactors.items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--into", choices=("tickets", "new-tickets", "forum"),
                        default="tickets",
                        help="tickets: replies to a ticket's notifications, each a comment "
                             "on it [default]; new-tickets: mail to the tracker's address, "
                             "each a new ticket; forum: replies to a forum thread")
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=None,
                        help="forge.mail_in.threads [default: the setting's default]")
    parser.add_argument("--layout", choices=("embedded", "processes"), default="embedded",
                        help="embedded: one process, as forge serve on memory:// [default]; "
                             "processes: forge mail-in and forge worker over RabbitMQ")
    parser.add_argument("--workers", type=int, default=1,
                        help="forge worker processes of the processes layout [default: 1]")
    parser.add_argument("--no-sink-pipelining", dest="sink_pipelining", action="store_false",
                        help="the sink does not offer PIPELINING (as aiosmtpd, the sink "
                             "until 2026-12-03) [default: it does, as Postfix]")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                        help="skip the baseline run without reactors")
    parser.add_argument("--no-reactors", action="store_true",
                        help="apply only (events wait in the outbox): the cost of mail in "
                             "itself, without the reactors competing for the CPU")
    parser.add_argument("--commands", action="store_true",
                        help="count the database commands of each place per message")
    parser.add_argument("--profile", metavar="FILE", default=None,
                        help="cProfile each reactor and the mail-in threads in the run "
                             "with reactors; write the statistics to FILE")
    args = parser.parse_args()
    processes = args.layout == "processes"
    if processes and (args.commands or args.profile):
        raise SystemExit("--commands and --profile count this process's threads: "
                         "the embedded layout only")
    commands = CommandCounter() if args.commands else None
    profiles = Profiles() if args.profile else None
    data_dir = tempfile.mkdtemp(prefix="bench-mail-in-")
    peer = Peer().start(pipelining=args.sink_pipelining)
    peer.workdir = data_dir
    print("load average before: %s" % load_average())
    bus = bus_settings() if processes else None
    database, app, settings = build_forge(data_dir, peer, args.threads, bus, args.into)
    layout = None
    try:
        registry = app.registry
        path, addresses, replies = seed(registry, args.into)
        db_pid = database.process.pid if getattr(database, "process", None) else None
        if processes:
            config = write_config(os.path.join(data_dir, "forge.ini"), settings)
            layout = Processes(data_dir, config, ROOT, settings["forge.mail_in.listen"],
                               args.workers, registry, db_pid)
            print("processes: forge mail-in (pid %d), %d forge worker, nx-27017, the mail peer; "
                  "bus %s, namespace %s" % (layout.mail_in.pid, args.workers,
                                            AMQP.split("@")[-1], bus["forge.bus.namespace"]))
        else:
            layout = Embedded(registry, db_pid)
        runs = []
        if args.baseline or args.no_reactors:
            if processes:       # the queues declared, the site's own events handled
                layout.start_workers()
                layout.idle()
                layout.stop_workers()
            runs.append(measure(layout, peer, addresses, args, reactors=False,
                                commands=commands))
        if not args.no_reactors:
            layout.start_workers()
            if runs:
                print("  (the reactors drain the baseline's events: %.1f s)" % layout.idle())
            elif processes:
                layout.idle()
            runs.append(measure(layout, peer, addresses, args, reactors=True,
                                commands=commands, profiles=profiles))
        report(runs, registry.settings["forge.mail_in.threads"], args)
        if profiles is not None:
            profiles.write(args.profile)
        if args.no_reactors:
            return
        latencies = paced(layout.address, app, path, replies, args.rate, args.seconds)
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]
        print("paced: %d messages at %.0f/s, DATA to comment on the page: p50 %.0f ms, "
              "p99 %.0f ms, max %.0f ms; target p99 < %.0f ms, ratio %.2f" % (
                  len(latencies), args.rate, statistics.median(latencies) * 1000,
                  p99 * 1000, ordered[-1] * 1000, TARGET_P99 * 1000, TARGET_P99 / p99))
        check_notifications(peer, runs, addresses, len(latencies))
        print("load average after: %s" % load_average())
    finally:
        if layout is not None:
            layout.stop()
        peer.stop()
        database.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
