"""The other mail servers of bench/mail_in.py, in a process of their own:
the outbound server the forge's notifications go to (a sink) and the
servers that send the forge its replies (the load's clients).

    .venv/bin/python bench/mail_peer.py [--no-pipelining]

One asyncio loop, so both cost little and none of it is the forge's CPU (the
bench reads this process's CPU from /proc and reports it apart):

* **the sink**: a minimal SMTP responder (EHLO with PIPELINING, as Postfix
  offers it, unless ``--no-pipelining``, as aiosmtpd; MAIL, RCPT,
  DATA, RSET, NOOP, QUIT) on a free port of 127.0.0.1 that keeps, per message
  received, its recipients and the load markers its bytes contain
  (``Load X12.``, ``Paced reply 3.``: which reply it notifies of), not the
  bytes;
* **the clients**: ``--clients`` connections sending prepared messages as
  smtplib's ``sendmail`` does (EHLO once, then MAIL, RCPT, DATA per message,
  each waiting for its answer: the forge's server does not offer PIPELINING).

It is driven by lines on stdin, and answers on stdout:

    (at start)              -> sink HOST PORT
    load HOST PORT N FILE   -> loaded COUNT   (FILE: JSON [[sender, address, raw], ...])
    go                      -> sent {"elapsed": s, "ok": n, "errors": [...]}
    count                   -> count {"messages": n, "recipients": n, "markers": {marker: n}}
    quit                    -> (exits)
"""
import asyncio
import collections
import json
import re
import sys
import time

MARKER = re.compile(rb"(?:Load [a-z]\d+|Paced reply \d+)\.")


class Sink:
    """What the sink received: messages, recipients, {marker: messages}."""

    def __init__(self):
        self.messages = 0
        self.recipients = 0
        self.markers = collections.Counter()

    def summary(self):
        return {"messages": self.messages, "recipients": self.recipients,
                "markers": dict(self.markers)}


class SinkSession(asyncio.Protocol):
    """One connection to the sink: commands line by line (answers to pipelined
    ones go out in one write), DATA up to CRLF . CRLF."""

    REPLIES = {b"RCPT": b"250 2.1.5 OK\r\n", b"MAIL": b"250 2.1.0 OK\r\n",
               b"RSET": b"250 2.0.0 OK\r\n", b"NOOP": b"250 2.0.0 OK\r\n",
               b"HELO": b"250 sink.bench.test\r\n",
               b"EHLO": b"250-sink.bench.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                        b"250 SIZE 104857600\r\n"}

    EHLO_PLAIN = b"250-sink.bench.test\r\n250-8BITMIME\r\n250 SIZE 104857600\r\n"

    def __init__(self, sink, pipelining=True):
        self.sink = sink
        self.replies = self.REPLIES
        if not pipelining:      # as aiosmtpd, the sink until 2026-12-03
            self.replies = dict(self.REPLIES)
            self.replies[b"EHLO"] = self.EHLO_PLAIN
        self.buffer = b""
        self.in_data = False
        self.recipients = 0

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 sink.bench.test ESMTP\r\n")

    def data_received(self, data):
        buffer = self.buffer + data
        out = []
        start = 0
        while True:
            if self.in_data:
                end = buffer.find(b"\r\n.\r\n", start)
                if end < 0:
                    break
                self.end_of_data(buffer[start:end])
                out.append(b"250 2.0.0 OK\r\n")
                start = end + 5
                self.in_data = False
                continue
            end = buffer.find(b"\r\n", start)
            if end < 0:
                break
            verb = buffer[start:start + 4].upper()
            start = end + 2
            if verb == b"RCPT":
                self.recipients += 1
            elif verb in (b"MAIL", b"RSET"):
                self.recipients = 0
            elif verb == b"DATA":
                if self.recipients:
                    self.in_data = True
                    start -= 2          # the data's first line follows this CRLF
                    out.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                else:
                    out.append(b"503 5.5.1 No recipients\r\n")
                continue
            elif verb == b"QUIT":
                out.append(b"221 2.0.0 Bye\r\n")
                self.transport.write(b"".join(out))
                self.transport.close()
                return
            out.append(self.replies.get(verb, b"502 5.5.2 Not implemented\r\n"))
        self.buffer = buffer[start:]
        if out:
            self.transport.write(b"".join(out))

    def end_of_data(self, data):
        sink = self.sink
        sink.messages += 1
        sink.recipients += self.recipients
        for marker in set(MARKER.findall(data)):
            sink.markers[marker.decode()] += 1
        self.recipients = 0


async def answer(reader):
    """An SMTP reply: (code, text of its last line)."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        if line[3:4] != b"-":
            return int(line[:3]), line[4:].strip().decode("latin-1")


def stuffed(raw):
    """DATA's bytes: leading dots doubled, ending in CRLF . CRLF (as smtplib sends)."""
    raw = re.sub(rb"(?m)^\.", b"..", raw)
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return raw + b".\r\n"


async def client(host, port, messages, errors):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        await answer(reader)
        writer.write(b"EHLO client.bench.test\r\n")
        await answer(reader)
        async def step(line, codes, name):
            """Send ``line``; on a reply not in ``codes`` note it and reset."""
            writer.write(line)
            code, text = await answer(reader)
            if code in codes:
                return True
            errors.append("%s%d %s" % (name, code, text))
            writer.write(b"RSET\r\n")
            await answer(reader)
            return False

        for sender, address, data in messages:
            if (await step(b"MAIL FROM:<%s>\r\n" % sender, (250,), "MAIL ")
                    and await step(b"RCPT TO:<%s>\r\n" % address, (250, 251), "RCPT ")
                    and await step(b"DATA\r\n", (354,), "DATA ")):
                writer.write(data)
                code, text = await answer(reader)
                if code != 250:
                    errors.append("%d %s" % (code, text))
        writer.write(b"QUIT\r\n")
        await answer(reader)
    finally:
        writer.close()


async def send(host, port, clients, messages):
    errors = []
    started = time.perf_counter()
    results = await asyncio.gather(*(client(host, port, messages[n::clients], errors)
                                     for n in range(clients)), return_exceptions=True)
    elapsed = time.perf_counter() - started
    failed = [repr(r) for r in results if isinstance(r, BaseException)]
    return {"elapsed": elapsed, "ok": len(messages) - len(errors) if not failed else None,
            "errors": errors + failed}


async def main(pipelining=True):
    loop = asyncio.get_running_loop()
    sink = Sink()
    server = await loop.create_server(lambda: SinkSession(sink, pipelining), "127.0.0.1", 0, backlog=128)
    host, port = server.sockets[0].getsockname()[:2]
    control = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(control), sys.stdin)

    def say(text):
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    say("sink %s %d" % (host, port))
    load = None
    while True:
        line = (await control.readline()).decode().split()
        if not line or line[0] == "quit":
            break
        if line[0] == "load":
            target_host, target_port, clients, path = line[1], int(line[2]), int(line[3]), line[4]
            with open(path) as prepared:
                messages = [(s.encode(), a.encode(), stuffed(raw.encode("latin-1")))
                            for s, a, raw in json.load(prepared)]
            load = (target_host, target_port, clients, messages)
            say("loaded %d" % len(messages))
        elif line[0] == "go":
            say("sent " + json.dumps(await send(*load)))
        elif line[0] == "count":
            say("count " + json.dumps(sink.summary()))
    server.close()


class Peer:
    """This process, started and driven from the bench (``Peer().start()``)."""

    def start(self, pipelining=True):
        import subprocess
        self.process = subprocess.Popen(
            [sys.executable, __file__] + ([] if pipelining else ["--no-pipelining"]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.pid = self.process.pid
        _word, self.host, port = self.ask(None).split()
        self.port = int(port)
        return self

    def ask(self, line):
        if line is not None:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit("the mail peer process ended (%s)" % self.process.poll())
        return answer.strip()

    def load(self, host, port, clients, messages, path):
        """``messages``: [(sender, address, raw bytes)], sent by ``go()``."""
        with open(path, "w") as out:
            json.dump([(s, a, raw.decode("latin-1")) for s, a, raw in messages], out)
        return self.ask("load %s %d %d %s" % (host, port, clients, path))

    def go(self):
        return json.loads(self.ask("go").partition(" ")[2])

    def count(self):
        return json.loads(self.ask("count").partition(" ")[2])

    def stop(self):
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            self.process.wait(10)
        except Exception:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    asyncio.run(main(pipelining="--no-pipelining" not in sys.argv[1:]))
