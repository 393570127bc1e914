"""Hostile requests for the fuzz test, as hypothesis strategies.

A ``FuzzRequest`` is what a client could put on the wire: a percent-encoded
path, a raw query string, header values as Latin-1 strings (the bytes a
client sent, as WSGI hands them on) and a body.  Form bodies start from the
forms the admin's pages really show (so a request passes the checks it does
not attack and reaches deep into the view), then fields are replaced by
hostile values, dropped, repeated or added.  Every body carries ``MARK``,
which must never reach the server's logs.
"""
import operator
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from hypothesis import strategies as st

MARK = "Fzbodymark"          # in request bodies only: never in paths, queries or headers

NUMBERS = [
    "0", "1", "-1", "007", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", str(2 ** 100), "1e309", "1.5", "NaN", "inf", "-inf", "0x1f",
    "1_000", " 7", "7 ", "+7", "٣", "²", "१२", "", "-", "1" * 400,
]
TEXTS = [
    "", " ", ".", "..", "../../etc/passwd", "/", "//evil.example/", "@@edit", "\x00",
    "a\x00b", "\u2028", "line\u2028break", "\u2029", "\x85", "\r\n", "\rX-Injected: yes",
    "\t", "\x1b[31m", "\x7f", "\ufeff", "\u202e", "\U0001f600", "ǅİß", "<script>x</script>",
    "{{7*7}}", "%s%n", "%(x)s", "'\"", "\\", "[[Wiki]]", "[notes:x]", "[[", "null", "[]",
    "{}", "true", "*", "is:open (", "status:", "milestone:\"", "sort:-", "OR OR",
    "created:>99999-99-99", "-(", "on", "off", "admin", "Home", "system.Everyone",
    "role:000000000000000000000000", "ffffffffffffffffffffffff",
]
# where a redirect may be sent: the login's next, moderation's came_from
REDIRECTS = [
    "/。", "/%E3%80%82", "//evil.example/", "https://evil.example/", "javascript:alert(1)",
    "/\u2028", "\\\\evil.example", "/p/pub/\r\nSet-Cookie: x=1", "http://localhost/é",
    "/" + "é" * 2000, "", "/@@logout",
]
# characters that break parsers, headers, mail and Mongo keys
HOSTILE_CHARS = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\xa0\u2028\u2029\ufeff\u202e$.[]{}()<>&%/\\\"' :=*-\U0001f600é"
QUERY_NAMES = ["page", "v", "from", "to", "limit", "cursor", "came_from", "next", "q", "sort",
               "last_event_id", "post_id", "token", "version", "a", "b", "id", "format"]
SEGMENTS = [
    "..", ".", "%2e%2e", "%2E%2E%2F", "%00", "a%00b", "%ff", "%c3%28", "%2f", "%252e%252e",
    "@@", "@@edit", "@@events", "~", ";x=1", "%e2%80%a8", "%u2028", "%", "%zz", "x" * 5000,
    "*", "__forge-static", "%20", "+", "%C2%85", "%EF%BF%BF", "1", "0", "-1",
    "9223372036854775808",
]
RAW_QUERIES = ["%ff", "%", "%zz", "a=%c3", "&&", "=", "a=b=c", ";", "%00=%00", "x" * 5000]


def latin1(text):
    """Header values as they arrive: the UTF-8 bytes a client sent, read as Latin-1;
    CR and LF end a header line on the wire, so none is inside a value."""
    return text.replace("\r", "").replace("\n", "").encode("utf-8").decode("latin-1")


HEADERS = {
    "Accept": ["application/json", "text/event-stream", "application/atom+xml", "*/*",
               "text/html;q=0, application/json;q=0", "application/json;q=abc", ";;;", "",
               "text/*;level=\x01", "a" * 5000],
    "If-None-Match": ["*", '"x"', 'W/"x"', '"', "garbage", ", , ,", '"' + "a" * 5000 + '"'],
    "If-Modified-Since": ["Thu, 01 Jan 1970 00:00:00 GMT", "garbage", "-1", "0",
                          "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 32 Foo 2020 99:99:99 GMT"],
    "Last-Event-ID": NUMBERS,
    "Authorization": ["Bearer", "Bearer ", "Bearer x", "Bearer " + "x" * 5000, "Bearer \x00",
                      "Basic Zm9vOmJhcg==", "Basic !!!", "Digest x", "bearer a.b",
                      "Bearer 000000000000000000000000.zz", "Bearer é"],
    "Range": ["bytes=0-0", "bytes=-1", "bytes=99999999999999999999-", "bytes=5-1",
              "bytes=0-1,2-3", "garbage", "bytes="],
    "Host": ["example.com", "localhost:99999", "[::1", "a" * 300, "localhost:abc", "é.example"],
    "Origin": ["null", "http://evil.example", "garbage"],
    "Referer": ["http://evil.example/", "garbage", "http://localhost/é"],
    "Accept-Language": ["*;q=x", "zz", "", "en;q=2"],
    "Accept-Encoding": ["gzip;q=2", "garbage"],
    "X-Forwarded-For": ["garbage", "1.2.3.4, 5.6.7.8", ""],
    "X-Requested-With": ["XMLHttpRequest"],
    "Cookie": ["forge_session=garbage", "forge_session=", "forge_session=" + "x" * 4000],
}


def texts(max_size=30, runs=(300, 5000, 70000)):
    """Hostile text: listed troublemakers, numbers, any text, runs of one character."""
    return st.one_of(
        st.sampled_from(TEXTS + NUMBERS),
        st.text(max_size=max_size),
        st.text(alphabet=HOSTILE_CHARS, max_size=max_size),
        st.integers().map(str),
        st.integers(min_value=2 ** 63 - 2, max_value=2 ** 64 + 2).map(str),
        st.builds(operator.mul, st.sampled_from(["x", "é", "\u2028", "%", "[", "(", "<", "\x00"]),
                  st.sampled_from(runs)),
    )


def body_texts():
    """Hostile text for a form field, with ``MARK`` around it most of the time
    (a bare number or name still tests overflow and lookups)."""
    return st.tuples(texts(), st.sampled_from(["bare", "before", "after"])).map(
        lambda pair: pair[0] if pair[1] == "bare" else
        (MARK + pair[0] if pair[1] == "before" else pair[0] + MARK))


def segments():
    return st.one_of(st.sampled_from(SEGMENTS),
                     st.text(min_size=1, max_size=20).map(lambda s: quote(s, safe="")))


def header_pairs():
    return st.lists(st.sampled_from(sorted(HEADERS)).flatmap(
        lambda name: st.tuples(st.just(name), st.one_of(
            st.sampled_from(HEADERS[name]), texts(20, runs=(300,))).map(latin1))),
        max_size=4, unique_by=lambda pair: pair[0])


def encode_query(pairs, raw=()):
    parts = ["%s=%s" % (quote(k, safe=""), quote(v, safe="")) for k, v in pairs]
    return "&".join(parts + list(raw))


@dataclass
class FuzzRequest:
    """One request of the fuzz; ``fields`` get the role's CSRF token, a raw
    body gets it in the X-CSRF-Token header."""
    method: str
    path: str
    query: str = ""
    headers: list = field(default_factory=list)
    encoding: str = ""          # "", urlencoded, multipart or raw
    fields: list = field(default_factory=list)
    files: list = field(default_factory=list)   # (field, filename, content type, bytes)
    boundary: str = "fuzzboundary"
    content_type: str = ""      # for raw bodies
    raw_body: bytes = b""

    @property
    def url(self):
        return self.path + ("?" + self.query if self.query else "")

    def body(self, csrf_token=None):
        fields = list(self.fields)
        if csrf_token is not None:
            fields.append(("csrf_token", csrf_token))
        if self.encoding == "urlencoded":
            return "application/x-www-form-urlencoded", "&".join(
                "%s=%s" % (quote_plus(k), quote_plus(v)) for k, v in fields).encode()
        if self.encoding == "multipart":
            return ("multipart/form-data; boundary=%s" % self.boundary,
                    multipart_body(self.boundary, fields, self.files))
        if self.encoding == "raw":
            return self.content_type, self.raw_body
        return None, None

    def send(self, client, cookie, csrf_token=None):
        content_type, body = self.body(csrf_token if self.encoding != "raw" else None)
        headers = dict(self.headers)
        cookie = "; ".join(c for c in (cookie, headers.pop("Cookie", "")) if c)
        if cookie:
            headers["Cookie"] = cookie
        if csrf_token is not None and self.encoding == "raw":
            headers["X-CSRF-Token"] = csrf_token
        if content_type is not None:
            headers["Content-Type"] = content_type
        params = {"method": self.method, "headers": headers, "expect_errors": True}
        if body is not None:
            params["body"] = body
        return client.request(self.url, **params)

    def describe(self, role, csrf):
        content_type, body = self.body("<csrf token>" if csrf else None)
        lines = ["%s %s   as %s, %s" % (self.method, self.url[:3000], role,
                                          "with its CSRF token" if csrf else "without CSRF")]
        lines += ["%s: %r" % (k, v[:300]) for k, v in self.headers]
        if content_type is not None:
            lines.append("Content-Type: %r" % content_type[:300])
            lines.append("body (%d bytes): %r" % (len(body), body[:3000]))
        return "\n".join(lines)


def multipart_body(boundary, fields, files):
    def quoted(text):
        return text.replace("\\", "\\\\").replace('"', "%22").encode("utf-8")

    out = []
    for name, value in fields:
        out += [b"--", boundary.encode("latin-1"), b"\r\n",
                b'Content-Disposition: form-data; name="', quoted(name), b'"\r\n\r\n',
                value.encode("utf-8"), b"\r\n"]
    for name, filename, content_type, content in files:
        out += [b"--", boundary.encode("latin-1"), b"\r\n",
                b'Content-Disposition: form-data; name="', quoted(name),
                b'"; filename="', quoted(filename), b'"\r\n',
                b"Content-Type: ", content_type.encode("latin-1"), b"\r\n\r\n",
                content, b"\r\n"]
    out += [b"--", boundary.encode("latin-1"), b"--\r\n"]
    return b"".join(out)


LONG_BOUNDARY = "b" * 5000 + MARK
RAW_BODIES = [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n"
     + MARK.encode() + b"\r\n--x--\r\n"),
    ("multipart/form-data; boundary=" + LONG_BOUNDARY,
     multipart_body(LONG_BOUNDARY, [("title", MARK)], [])),
    ("multipart/form-data; boundary=abc", b"garbage " + MARK.encode()),
    ("multipart/form-data; boundary=abc",
     b"--abc\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n" + MARK.encode()),
    ('multipart/form-data; boundary=""', MARK.encode()),
    ("multipart/form-data; boundary=abc; charset=klingon",
     multipart_body("abc", [("text", MARK)], [])),
    ("multipart/mixed; boundary=abc", multipart_body("abc", [("text", MARK)], [])),
    ("application/x-www-form-urlencoded", b"title=%ff" + MARK.encode()),
    ("application/x-www-form-urlencoded", b"a=%&=%zz&&text=" + MARK.encode()),
    ("application/x-www-form-urlencoded; charset=latin-1", "title=é".encode("latin-1")
     + MARK.encode()),
    ("application/x-www-form-urlencoded", b"&".join([b"a=1"] * 20000) + MARK.encode()),
    ("application/json", b'{"title": "' + MARK.encode() + b'"'),
    ("text/plain", MARK.encode()),
    ("", MARK.encode()),
    ("garbage/\x01", MARK.encode()),
]


def uploads():
    return st.lists(st.tuples(
        st.sampled_from(["attachment", "file", "text"]),
        st.one_of(st.sampled_from(["notes.txt", "", "../../etc/passwd", "a\x00b.txt",
                                   "é" * 200 + ".txt", "x\u2028y.png", "." * 300, "a/b\\c"]),
                  st.text(max_size=30)).map(lambda name: MARK + name),
        st.sampled_from(["text/plain", "image/svg+xml", "text/html", "application/octet-stream",
                         "", "garbage", "é"]).map(latin1),
        st.binary(max_size=64).map(lambda data: MARK.encode() + data)),
        max_size=2)


@st.composite
def form_fields(draw, forms, names, request_param):
    """Fields from one of the page's ``forms``, each kept, replaced, dropped or
    repeated, plus a few more of ``names``."""
    base = draw(st.sampled_from(forms)) if forms else []
    fields = []
    for name, value in base:
        how = draw(st.sampled_from(["keep", "keep", "hostile", "drop", "repeat"]))
        if how == "keep":
            fields.append((name, value))
        elif how == "hostile":
            fields.append((name, draw(body_texts())))
        elif how == "repeat":
            fields += [(name, value), (name, draw(body_texts()))]
    fields += draw(st.lists(st.tuples(st.sampled_from(names), body_texts()), max_size=3))
    if request_param:
        key, _, value = request_param.partition("=")
        fields.insert(0, (key, value or "x"))
    fields.append(("comment", MARK))
    return fields


@st.composite
def fuzz_requests(draw, view, targets, harvest, names):
    """A hostile request to ``view`` on one of its ``targets`` (node addresses)."""
    node = draw(st.sampled_from(targets))
    method = draw(st.sampled_from(view.methods))
    base = view.base(node)
    known = sorted(harvest.subpaths.get(base, ()))
    subpath = draw(st.one_of(
        st.just(""), st.sampled_from(known) if known else st.nothing(),
        st.lists(segments(), min_size=1, max_size=3).map("/".join)))
    path = base + ("/" if subpath and not base.endswith("/") else "") + subpath
    seen = harvest.queries.get(base, [])
    pairs = list(draw(st.sampled_from(seen))) if seen and draw(st.booleans()) else []
    pairs = [(k, draw(st.one_of(st.just(v), texts()))) for k, v in pairs]
    pairs += draw(st.lists(st.tuples(st.sampled_from(QUERY_NAMES + names),
                                     st.one_of(texts(), st.sampled_from(REDIRECTS))),
                           max_size=4))
    raw = draw(st.lists(st.sampled_from(RAW_QUERIES), max_size=1))
    request = FuzzRequest(method, path, encode_query(pairs, raw), draw(header_pairs()))
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        request.encoding = draw(st.sampled_from(["urlencoded", "urlencoded", "multipart",
                                                 "raw"]))
        if request.encoding == "raw":
            request.content_type, request.raw_body = draw(st.sampled_from(RAW_BODIES))
        else:
            request.fields = draw(form_fields(harvest.forms.get(base, []), names,
                                              view.request_param))
        if request.encoding == "multipart":
            request.files = draw(uploads())
            request.boundary = draw(st.sampled_from(
                ["fuzzboundary", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "=?x?=", "a b",
                 "é"]).map(latin1))
    return request
