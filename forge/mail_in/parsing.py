"""Reading a received message with the standard library (``policy.default``).

``parse_message(raw)`` returns a ``ParsedMail``: sender, subject, the text
the person wrote and the attachments.  The body is the ``text/plain`` part
when there is one; an HTML-only message is turned into text by ``html_text``
(lxml's cleaner: scripts, styles and markup go, the text stays), never by
regular expressions.  Quoted replies and signatures are cut by
``mailparser_reply`` (Gmail's "On ... wrote:", Outlook's "From:/Sent:"
block, Apple Mail's, and ``>`` quoting, in several languages).  Charsets and
encoded headers are decoded; an unknown charset is read as UTF-8 with
replacement characters rather than refused.

A message that cannot be read at all raises ``Unreadable``.
"""
import email
import email.utils
import functools
import re
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError, MessageError
from email.headerregistry import HeaderRegistry

import html_text
from mailparser_reply import EmailReplyParser
from mailparser_reply.parser import EmailMessage as ReplyParserMessage

REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "cs", "da", "ja"]
AUTO_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")
# "On Mon, 1 Dec 2026, Ada wrote:" and its kin, when the parser left one behind
ATTRIBUTION = re.compile(r"^(on|am|le|el|il|op|den|dne)\b.*\b(wrote|schrieb|a écrit|"
                         r"escribió|ha scritto|schreef|skrev|napsal):?$", re.IGNORECASE)


class Unreadable(ValueError):
    """The message is not MIME we can read."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    sender: str                 # the From address, lower-cased ("" if none)
    subject: str
    text: str                   # what the person wrote, quotes and signature cut
    full_text: str              # the whole body as text
    message_id: str = ""
    attachments: list = field(default_factory=list)
    automatic: str = ""         # why it is an automatic message ("" for a person's)


class KeptHeaders(HeaderRegistry):
    """``email``'s header registry, keeping the headers it parsed lately: the
    default policy parses a header again on every read, and reading one
    message asks for its Content-Type a dozen times (``get_body``,
    ``iter_attachments``), its From and Subject once or twice, most of them
    the same values as the last messages' (1.8 ms a short reply, 0.35 with
    this).  Header objects are immutable, so they are shared between
    messages and threads; values longer than a header line are not kept."""

    KEPT = 512
    LONGEST = 998

    def __init__(self):
        super().__init__()
        self._kept = functools.lru_cache(maxsize=self.KEPT)(self._parsed)

    def _parsed(self, name, value):
        return HeaderRegistry.__call__(self, name, value)

    def __call__(self, name, value):
        if len(value) > self.LONGEST:
            return self._parsed(name, value)
        return self._kept(name, value)


MAIL_POLICY = policy.default.clone(header_factory=KeptHeaders())


def parse_message(raw):
    try:
        message = email.message_from_bytes(raw, policy=MAIL_POLICY)
        sender = header_address(message, "From")
        subject = header_text(message, "Subject")
        body = body_text(message)
        attachments = list(attachments_of(message))
    except (MessageError, HeaderParseError, LookupError, ValueError, TypeError,
            AttributeError, IndexError, RecursionError) as error:
        raise Unreadable("The message is not MIME this forge can read (%s)."
                         % type(error).__name__)
    except Exception as error:      # hostile input may break a parser anywhere: refuse
        # it for good (a 4xx would have the sender retry it for days)
        raise Unreadable("The message is not MIME this forge can read (%s)."
                         % type(error).__name__)
    return ParsedMail(sender=sender, subject=subject, text=strip_quotes(body),
                      full_text=body, message_id=header_text(message, "Message-ID")[:250],
                      attachments=attachments, automatic=automatic_reason(message))


def header_text(message, name):
    """A header as one line of decoded text ("" when missing or unreadable)."""
    try:
        value = message.get(name)
    except (HeaderParseError, ValueError, IndexError):
        return ""
    return " ".join(str(value or "").split())


def header_address(message, name):
    addresses = email.utils.getaddresses([header_text(message, name)])
    address = addresses[0][1] if addresses else ""
    return address.strip().lower() if "@" in address else ""


def automatic_reason(message):
    """Why this message was sent by a program (auto-reply, bulk, bounce), or "":
    such mail is never applied, so two robots cannot mail each other forever."""
    auto = header_text(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "Auto-Submitted: %s" % auto
    precedence = header_text(message, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return "Precedence: %s" % precedence
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = header_text(message, name)
        if value and (name != "X-Auto-Response-Suppress" or "all" in value.lower()
                      or "autoreply" in value.lower()):
            return "%s: %s" % (name, value)
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    return ""


def part_text(part):
    """The decoded text of a text part, whatever its declared charset."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def body_text(message):
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\x00", "")


# what mail clients wrap the quoted message in: Gmail, Apple Mail and
# Thunderbird (blockquote), Gmail's attribution line, Outlook's header block
QUOTE_XPATH = ("//blockquote | //div[contains(concat(' ', @class, ' '), ' gmail_quote ')]"
               " | //div[@id='divRplyFwdMsg'] | //div[@id='appendonsend']")


def html_to_text(html):
    """Text of an HTML body without its quoted part (lxml's cleaner drops
    scripts, styles and comments; ``html_text`` lays out the rest)."""
    if not html.strip():
        return ""
    tree = html_text.parse_html(html)
    for quoted in tree.xpath(QUOTE_XPATH):
        parent = quoted.getparent()
        if parent is not None:
            following = quoted.getnext()
            parent.remove(quoted)
            # Outlook puts the quoted mail after its header block, as siblings
            if quoted.get("id") in ("divRplyFwdMsg", "appendonsend"):
                while following is not None:
                    after = following.getnext()
                    parent.remove(following)
                    following = after
    return html_text.extract_text(tree, guess_layout=True)


def strip_quotes(text):
    """What the person wrote: the newest reply, without quotes or signature."""
    if not text.strip():
        return ""
    try:
        replies = reply_parser_message(text).read().replies
    except Exception:        # a third-party parser: never let it lose the message
        return text.strip()
    body = replies[0].body if replies else text
    return without_quoted_lines(body or "")


@functools.lru_cache(maxsize=1)
def _reply_parser_setup():
    """The languages ``EmailReplyParser`` keeps of ours, and the patterns it
    compiles for them (the same for every message, but built again by each of
    its messages: a third of what cutting quotes cost)."""
    languages = EmailReplyParser(languages=list(REPLY_LANGUAGES)).languages
    template = ReplyParserMessage(text="", languages=list(languages))
    return languages, {"_header_regex": template.HEADER_REGEX,
                       "_disclaimers_regex": template.DISCLAIMERS_REGEX,
                       "_signature_regex": template.SIGNATURE_REGEX}


def reply_parser_message(text):
    """``EmailReplyParser(languages=REPLY_LANGUAGES)``'s message for ``text``
    (call ``read()``), with the patterns compiled once per process."""
    languages, patterns = _reply_parser_setup()
    return ReplyParserMessage(text=text, languages=list(languages), **patterns)


def without_quoted_lines(text):
    """The text less ``>`` lines and an attribution line left at its end (a
    reply that is nothing but a quote is empty, not a copy of the quote)."""
    # ">From " is a line that began with "From " escaped by an mbox-minded
    # sender (Python's smtplib does it), not a quote
    lines = [line[1:] if line.startswith(">From ") else line for line in text.splitlines()
             if line.startswith(">From ") or not line.lstrip().startswith(">")]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and ATTRIBUTION.match(lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()


def attachments_of(message):
    """Each attached file (a part with a file name, or a non-text part that is
    not the body), as bytes; nested messages come as ``.eml`` files."""
    for number, part in enumerate(message.iter_attachments(), 1):
        content_type = part.get_content_type()
        if part.is_multipart() and content_type != "message/rfc822":
            continue
        filename = part.get_filename() or ""
        if content_type == "message/rfc822":
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
            filename = filename or "message-%d.eml" % number
        else:
            data = part.get_payload(decode=True) or b""
            filename = filename or "attachment-%d" % number
        yield Attachment(filename=filename, content_type=content_type, data=data)
