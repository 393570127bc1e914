"""Parse wrk output and print the page benchmark's table.

    python bench/report.py parse RAW_WRK_FILE      -> "rps p50_ms p99_ms requests non2xx errors"
    python bench/report.py summary RESULTS_DIR     -> the table (also written to summary.txt)

``RESULTS_DIR/runs.tsv`` has one line per wrk run:
``rep  label  url  raw_file  app_cpu_seconds  db_cpu_seconds``.  The first
label is the ceiling (bare Pyramid hello); every other row is compared with it.
Exit status of ``summary``: 1 when any run had non-2xx answers or socket
errors (the figures of such a run mean nothing), else 0.
"""
import csv
import math
import os
import re
import statistics
import sys
from urllib.parse import urlsplit

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
PAGE_VS_CEILING = 0.12
DEEP_VS_SHALLOW = 0.8
# (deep row, shallow row): the depth ratios the benchmark promises
DEPTH_PAIRS = [("d8-anon", "d1-anon"), ("d8-signed", "d1-signed"), ("n8-anon", "d1-anon")]
# (forge row, peers row, target ratio of req/s): issue 4's comparisons with Trac
# and Roundup, measured by shared/peers/run_peers.sh in the same session (PEERS=1)
# (the -nocache rows: the same pages from a forge with the page cache off)
PEER_PAIRS = [("wiki-anon", "C1 trac-wiki", 20.0), ("ticket20-anon", "D roundup-issue", 8.0),
              ("wiki-anon-nocache", "C1 trac-wiki", 20.0),
              ("ticket20-anon-nocache", "D roundup-issue", 8.0),
              ("hello", "A pyramid-hello", None)]
# issue 18: every signed-in tool row >= 4x Roundup's issue page and >= 10x Trac's
# wiki page; the rows from the page cache (per session) and rendered (-nocache)
SIGNED_TOOL_ROWS = ("wiki-signed", "ticket20-signed", "list10k-signed", "thread50-signed",
                    "home-signed", "search-signed")
PEER_PAIRS += [(row + suffix, peer, target) for row in SIGNED_TOOL_ROWS
               for suffix in ("", "-nocache")
               for peer, target in (("D roundup-issue", 4.0), ("C1 trac-wiki", 10.0))]
LIST_ROWS, LIST_P50_MS = ("list10k-anon", "list10k-anon-nocache", "list10k-signed",
                          "list10k-signed-nocache", "rest-list50-token",
                          "rest-query50-token"), 20.0
# issue 18: the signed-in 10,000-ticket list's p99
LIST_P99_ROWS, LIST_P99_MS = ("list10k-signed", "list10k-signed-nocache"), 60.0
# (REST row, HTML row, target ratio of req/s): issue 14's JSON ticket against the
# ticket page a signed-in reader gets when it is rendered (the -nocache server)
REST_PAIRS = [("rest-ticket-token", "ticket20-signed-nocache", 3.0)]


def parse_wrk(text):
    def grab(pattern, default=None):
        match = re.search(pattern, text, re.M)
        return match.groups() if match else default

    rps = float(grab(r"Requests/sec:\s+([\d.]+)", ("nan",))[0])
    p50 = grab(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$")
    p99 = grab(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$")
    requests = int(grab(r"(\d+) requests in", ("0",))[0])
    non2xx = int(grab(r"Non-2xx or 3xx responses:\s+(\d+)", ("0",))[0])
    errors = sum(map(int, grab(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", ("0",))))
    return {"rps": rps,
            "p50": float(p50[0]) * UNITS_MS[p50[1]] if p50 else float("nan"),
            "p99": float(p99[0]) * UNITS_MS[p99[1]] if p99 else float("nan"),
            "requests": requests, "non2xx": non2xx, "errors": errors}


def median(values):
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


def spread(values):
    values = [v for v in values if not math.isnan(v)]
    return (min(values), max(values)) if values else (float("nan"), float("nan"))


def load_runs(results_dir):
    rows = {}
    with open(os.path.join(results_dir, "runs.tsv")) as runs:
        for rep, label, url, raw, app_cpu, db_cpu in csv.reader(runs, delimiter="\t"):
            with open(os.path.join(results_dir, raw), errors="replace") as f:
                run = parse_wrk(f.read())
            run.update(rep=int(rep), url=url, raw=raw, cpu=float(app_cpu) + float(db_cpu))
            rows.setdefault(label, []).append(run)
    return rows


def table(rows):
    """(lines, failures): the formatted table and the runs that went wrong."""
    labels = list(rows)
    ceiling = median([r["rps"] for r in rows[labels[0]]])
    header = ("target", "url", "req/s median [min-max]", "p50 ms", "p99 ms",
              "CPU ms/req", "vs hello", "CPU vs hello", "non-2xx/err")
    out, failures, medians, cpu_ms = [], [], {}, {}
    for label in labels:
        runs = rows[label]
        rps = [r["rps"] for r in runs]
        medians[label] = m = median(rps)
        lo, hi = spread(rps)
        requests = sum(r["requests"] for r in runs)
        cpu_ms[label] = cpu = (1000.0 * sum(r["cpu"] for r in runs) / requests
                               if requests else float("nan"))
        bad = (sum(r["non2xx"] for r in runs), sum(r["errors"] for r in runs))
        for r in runs:
            if r["non2xx"] or r["errors"] or not r["requests"]:
                failures.append("%s rep %d: %d non-2xx, %d socket errors, %d requests (%s)"
                                % (label, r["rep"], r["non2xx"], r["errors"],
                                   r["requests"], r["raw"]))
        out.append((label, urlsplit(runs[0]["url"]).path,
                    "%.0f [%.0f-%.0f]" % (m, lo, hi),
                    "%.1f" % median([r["p50"] for r in runs]),
                    "%.1f" % median([r["p99"] for r in runs]),
                    "%.2f" % cpu, "%.3f" % (m / ceiling),
                    "%.3f" % (cpu_ms[labels[0]] / cpu), "%d/%d" % bad))
    widths = [max(len(str(row[i])) for row in out + [header]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)).rstrip()
             for row in [header] + out]
    lines.append("")
    lines.append("'CPU vs hello' = hello's CPU ms/req / the row's: the req/s ratio to expect on an")
    lines.append("otherwise idle CPU 1, since both are CPU-bound there (less sensitive to other load)")
    lines.append("")
    lines.append("headline ratios (median req/s):")
    for label in labels[1:]:
        ratio = medians[label] / ceiling
        lines.append("  %-32s %.3f  (target >= %.2f)  %s" % (
            label + " / hello", ratio, PAGE_VS_CEILING,
            "ok" if ratio >= PAGE_VS_CEILING else "MISS"))
    for deep, shallow in DEPTH_PAIRS:
        if deep in medians and shallow in medians:
            ratio = medians[deep] / medians[shallow]
            lines.append("  %-32s %.3f  (target >= %.2f)  %s" % (
                deep + " / " + shallow, ratio, DEEP_VS_SHALLOW,
                "ok" if ratio >= DEEP_VS_SHALLOW else "MISS"))
    latency_targets = ([(row, "p50", LIST_P50_MS) for row in LIST_ROWS]
                       + [(row, "p99", LIST_P99_MS) for row in LIST_P99_ROWS])
    for list_row, figure, target in latency_targets:
        if list_row not in rows:
            continue
        value = median([r[figure] for r in rows[list_row]])
        lines.append("  %-32s %.1f ms  (target < %.0f ms)  %s" % (
            list_row + " " + figure, value, target, "ok" if value < target else "MISS"))
    for rest_row, html_row, target in REST_PAIRS:
        if rest_row in medians and html_row in medians:
            ratio = medians[rest_row] / medians[html_row]
            lines.append("  %-32s %.2fx  (target >= %gx)  %s" % (
                rest_row + " / " + html_row, ratio, target,
                "ok" if ratio >= target else "MISS"))
    peers_csv = os.environ.get("PEERS_CSV")
    if peers_csv and os.path.exists(peers_csv):
        lines += [""] + peer_lines(medians, rows, peers_csv)
    return lines, failures


def load_peers(peers_csv):
    """label -> [runs] from run_peers.sh's results.csv."""
    peers = {}
    with open(peers_csv) as f:
        for row in csv.DictReader(f):
            peers.setdefault(row["target"], []).append(
                {"rps": float(row["rps"]), "p50": float(row["p50_ms"]),
                 "p99": float(row["p99_ms"])})
    return peers


def peer_lines(medians, rows, peers_csv):
    peers = load_peers(peers_csv)
    lines = ["against the peers (shared/peers/run_peers.sh, this session: %s):" % peers_csv]
    for label, peer, target in PEER_PAIRS:
        if label not in medians or peer not in peers:
            lines.append("  %-32s (not measured)" % (label + " / " + peer))
            continue
        theirs = median([r["rps"] for r in peers[peer]])
        ratio = medians[label] / theirs
        lines.append("  %-40s %8.0f vs %6.0f req/s = %6.1fx  p50 %.1f vs %.1f ms  %s" % (
            label + " / " + peer, medians[label], theirs, ratio,
            median([r["p50"] for r in rows[label]]), median([r["p50"] for r in peers[peer]]),
            ("(target >= %gx) %s" % (target, "ok" if ratio >= target else "MISS"))
            if target else "(same app both runs: the two runs' agreement)"))
    return lines


def summary(results_dir):
    lines, failures = table(load_runs(results_dir))
    if failures:
        lines += ["", "RUN FAILURES (non-2xx answers or socket errors):"]
        lines += ["  " + f for f in failures]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(results_dir, "summary.txt"), "a") as f:
        f.write(text)
    sys.stdout.write(text)
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "parse":
        with open(argv[2], errors="replace") as f:
            r = parse_wrk(f.read())
        print("%.2f %.3f %.3f %d %d %d" % (r["rps"], r["p50"], r["p99"], r["requests"],
                                           r["non2xx"], r["errors"]))
        return 0
    if len(argv) == 3 and argv[1] == "summary":
        return summary(argv[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
