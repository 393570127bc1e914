"""What bench/mail_in.py prints: each run's figures beside the baseline's and
the targets, and the check that every notification reached the sink."""
import time

WATCHERS = 5                # members watching the thread (and ada, its author)
TARGET_RATE = 50.0          # messages/s accepted and applied
PARTS = ("smtp server", "reactors", "database", "bench+sink")


def expected_notifications(addresses, count):
    """{index: notifications}: each reply is mailed to the thread's watchers
    (ada, its author, and WATCHERS members) but its author."""
    watchers = {"ada@bench.test"} | {sender for sender, _address in addresses[:WATCHERS]}
    return {index: len(watchers - {addresses[index % len(addresses)][0]})
            for index in range(count)}


def check_notifications(peer, runs, addresses, paced_count, wait_seconds=15.0):
    """Every notification the replies caused arrived at the sink (waiting up
    to ``wait_seconds`` for the last ones): prints how many, and any missing."""
    expected = {}
    for run in runs:
        for index, count in expected_notifications(addresses, run["applied"]).items():
            expected["Load %s%d." % (run["label"], index)] = count
    for index, count in expected_notifications(addresses, paced_count).items():
        expected["Paced reply %d." % index] = count
    deadline = time.perf_counter() + wait_seconds
    while True:
        seen = peer.count()
        markers = seen["markers"]
        short = {m: n - markers.get(m, 0) for m, n in expected.items() if markers.get(m, 0) < n}
        if not short or time.perf_counter() > deadline:
            break
        time.sleep(0.5)
    extra = sum(max(0, n - expected.get(m, 0)) for m, n in markers.items())
    print("notifications at the sink (its own process): %d mails, %d expected for %d "
          "replies, %s%s" % (
              seen["messages"], sum(expected.values()), len(expected),
              "all there" if not short else "%d missing (%d replies short, e.g. %s)" % (
                  sum(short.values()), len(short), ", ".join(sorted(short)[:3])),
              "; %d more than expected" % extra if extra else ""))
    return not short


def report(runs, threads, args):
    """Each run's figures; the last one beside the first (the baseline)."""
    baseline = runs[0]
    print("(since 2026-12-03: the sink and the clients are a process of their own, "
          "bench/mail_peer.py, in bench+sink as [peer process], no longer aiosmtpd and smtplib "
          "threads of this process; threads' CPU is read from schedstat, not stat's ticks; the "
          "CPU of threads that ended in the run, tantivy's, is the reactors', not bench+sink's)")
    for run in runs:
        label = "with reactors" if run["reactors"] else "baseline, no reactors"
        ratio = lambda key: ("" if run is baseline or not baseline[key] else
                             " (x%.2f)" % (run[key] / baseline[key]))
        print("%s: %d messages in %.1f s by %d clients, %d server threads: %.1f messages/s "
              "accepted%s, %.1f/s processed%s (%d refused); target >= %.0f/s, ratio %.2f" % (
                  label, args.messages, run["elapsed"], args.clients, threads, run["rate"],
                  ratio("rate"), run["processed"], ratio("processed"), len(run["errors"]),
                  TARGET_RATE, run["processed"] / TARGET_RATE))
        for error in run["errors"][:3]:
            print("  refused:", error)
        forge_ms = sum(run["ms"][p] for p in ("smtp server", "reactors", "database"))
        parts = []
        for part in PARTS:
            base = baseline["ms"][part]
            parts.append("%s %.1f%s%s" % (part, run["ms"][part], "" if run is baseline else (
                " (x%.2f)" % (run["ms"][part] / base) if base > 0.05 else " (base 0)"),
                " [peer process %.1f]" % run["peer_ms"] if part == "bench+sink" else ""))
        # CPU per message moves far less with the machine's other work than the
        # wall clock does: 2 cores / this is what an otherwise idle machine could do
        print("  cpu ms per message: %s; forge total %.1f ms (%s): an idle 2-core machine "
              "about %.0f messages/s" % (
                  ", ".join(parts), forge_ms,
                  "smtp server + reactors + database",
                  2000 / forge_ms if forge_ms else 0))
        if run.get("broker_ms") is not None:
            print("  RabbitMQ's cpu ms per message: %.1f (beam.smp, which the machine's other "
                  "users share: not in the forge total)" % run["broker_ms"])
        if run["reactors"]:
            print("  reactors' cpu ms per message: %s" % ", ".join(
                "%s %.1f" % item for item in sorted(run["reactor_ms"].items(),
                                                    key=lambda item: -item[1]) if item[1] >= 0.05))
        if run["commands"]:
            print("  database commands per message: %s" % "; ".join(
                "%s %.2f (%s)" % (place, sum(names.values()), ", ".join(
                    "%s %.2f" % item for item in sorted(names.items(), key=lambda i: -i[1])))
                for place, names in sorted(run["commands"].items(),
                                           key=lambda item: -sum(item[1].values()))))
