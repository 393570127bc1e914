"""Opening an archive someone gave us: nothing in it is trusted.

``ArchiveReader`` refuses, before any record is read, a file that is not a zip
(or is cut short), members with unsafe or unexpected names, links, sizes
beyond the limits (zip bombs), a manifest of another format or version, and
members the manifest does not list (or lists and are missing); ``verify``
then reads every member once and compares its SHA-256.
"""
import hashlib
import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass

from .container import FORMAT, FORMAT_VERSION, MANIFEST

# the only member names an archive may hold: never a path of the archive's choosing
MEMBER = re.compile(
    r"^(?:manifest\.json|SCHEMA\.md|schema/[a-z][a-z0-9_]{0,60}\.schema\.json"
    r"|records/[a-z][a-z0-9_]{0,60}\.jsonl|files/(?:[0-9a-f]{24}|[0-9a-f]{32})"
    r"|parts/[0-9a-f]{24}/[a-z][a-z0-9_]{0,40}/[A-Za-z0-9][A-Za-z0-9._-]{0,100})$")
MAX_MANIFEST = 16 * 1024 * 1024
MAX_LINE = 64 * 1024 * 1024


class ArchiveError(Exception):
    """What is wrong with an archive, naming the member or record."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what an archive may unpack to (zip bombs)."""

    max_member_bytes: int = 4 * 1024 ** 3
    max_total_bytes: int = 64 * 1024 ** 3
    # deflate reaches ~1000:1 only on degenerate input (applied to files and parts:
    # near-identical JSON Lines records legitimately compress very well)
    max_ratio: int = 200
    ratio_from_bytes: int = 1024 * 1024


class ArchiveReader:
    def __init__(self, path, limits=Limits()):
        self.path = path
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ArchiveError("There is no file %s." % path)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ArchiveError("%s is not a readable archive (truncated or not a zip "
                               "file): %s" % (path, error))
        try:
            self._check_members()
            self.manifest = self._read_manifest()
        except BaseException:
            self.zip.close()
            raise

    def close(self):
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check_members(self):
        total = 0
        names = set()
        for info in self.zip.infolist():
            name = info.filename
            if not MEMBER.match(name):
                raise ArchiveError("Unsafe or unexpected member name %r." % name)
            if name in names:
                raise ArchiveError("The member %r appears twice." % name)
            names.add(name)
            file_type = stat.S_IFMT(info.external_attr >> 16)
            if info.is_dir() or (file_type and file_type != stat.S_IFREG):
                raise ArchiveError("The member %r is not a regular file." % name)
            if info.flag_bits & 0x1:
                raise ArchiveError("The member %r is encrypted." % name)
            if info.file_size > self.limits.max_member_bytes:
                raise ArchiveError("The member %r unpacks to %d bytes, over the limit "
                                   "of %d." % (name, info.file_size,
                                               self.limits.max_member_bytes))
            # records are only ever streamed; files and parts are written out, and
            # a member that unpacks far beyond what deflate gives real files is a bomb
            if name.startswith(("files/", "parts/")) and \
                    info.file_size > self.limits.ratio_from_bytes and \
                    info.file_size > self.limits.max_ratio * max(info.compress_size, 1):
                raise ArchiveError("The member %r unpacks to %d bytes from %d (a zip "
                                   "bomb?)." % (name, info.file_size, info.compress_size))
            total += info.file_size
        if total > self.limits.max_total_bytes:
            raise ArchiveError("The archive unpacks to %d bytes, over the limit of %d."
                               % (total, self.limits.max_total_bytes))
        self.names = names

    def _read_manifest(self):
        if MANIFEST not in self.names:
            raise ArchiveError("The archive has no manifest.json.")
        if self.zip.getinfo(MANIFEST).file_size > MAX_MANIFEST:
            raise ArchiveError("manifest.json is too large.")
        try:
            manifest = json.loads(self._read_all(MANIFEST))
        except ValueError as error:
            raise ArchiveError("manifest.json is not JSON: %s" % error)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError("manifest.json does not describe a %s." % FORMAT)
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise ArchiveError("The archive's format version is %r; this forge reads "
                               "version %d." % (version, FORMAT_VERSION))
        members = manifest.get("members")
        if not isinstance(members, dict):
            raise ArchiveError("manifest.json lists no members.")
        for name in self.names - {MANIFEST}:
            if name not in members:
                raise ArchiveError("The member %r is not listed in the manifest." % name)
        for name, facts in members.items():
            if name not in self.names:
                raise ArchiveError("The member %r listed in the manifest is missing."
                                   % name)
            if not isinstance(facts, dict) or not re.match(
                    r"^[0-9a-f]{64}$", str(facts.get("sha256"))):
                raise ArchiveError("The manifest has no checksum for %r." % name)
        for key in ("root", "kinds", "counts"):
            if key not in manifest:
                raise ArchiveError("manifest.json has no %r." % key)
        return manifest

    def _read_all(self, name):
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, EOFError, OSError, zlib_error()) as error:
            raise ArchiveError("The member %r is damaged: %s" % (name, error))

    def verify(self):
        """Read every member once and compare its checksum and size."""
        for name, facts in self.manifest["members"].items():
            digest = hashlib.sha256()
            size = 0
            try:
                with self.zip.open(name) as stream:
                    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                        digest.update(chunk)
                        size += len(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, zlib_error()) as error:
                raise ArchiveError("The member %r is damaged: %s" % (name, error))
            if digest.hexdigest() != facts["sha256"] or size != facts.get("size", size):
                raise ArchiveError("Checksum mismatch in %r." % name)

    def has(self, name):
        return name in self.names

    def lines(self, kind):
        """``(line number, text)`` of ``records/<kind>.jsonl``, one at a time."""
        name = "records/%s.jsonl" % kind
        if name not in self.names:
            return
        try:
            with self.zip.open(name) as raw:
                for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), 1):
                    if len(line) > MAX_LINE:
                        raise ArchiveError("%s line %d is too long." % (name, number))
                    if line.strip():
                        yield number, line
        except (zipfile.BadZipFile, EOFError, zlib_error()) as error:
            raise ArchiveError("The member %r is damaged: %s" % (name, error))
        except UnicodeDecodeError as error:
            raise ArchiveError("%s is not UTF-8: %s" % (name, error))

    def open(self, name):
        return self.zip.open(name)


def zlib_error():
    import zlib
    return zlib.error
