"""The archive file: a zip whose members are written one after another as a
stream (constant memory), each with its SHA-256 taken while it is written."""
import contextlib
import hashlib
import json
import stat
import time
import zipfile

FORMAT = "pyforge-project-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class _HashingStream:
    def __init__(self, raw):
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sha.update(data)
        self.size += len(data)
        self.raw.write(data)


class ArchiveWriter:
    """``with writer.member("records/post.jsonl") as out: out.write(line)``."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                                   compresslevel=6, allowZip64=True)
        self.members = {}

    @contextlib.contextmanager
    def member(self, name):
        info = zipfile.ZipInfo(name, date_time=time.gmtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        with self.zip.open(info, "w", force_zip64=True) as raw:
            stream = _HashingStream(raw)
            yield stream
        self.members[name] = {"sha256": stream.sha.hexdigest(), "size": stream.size}

    def copy_file(self, name, path, chunk=256 * 1024):
        with open(path, "rb") as source, self.member(name) as out:
            while True:
                data = source.read(chunk)
                if not data:
                    break
                out.write(data)

    def finish(self, manifest):
        """Write ``manifest.json`` (with every member's checksum) and close."""
        manifest = dict(manifest, members=self.members)
        with self.member(MANIFEST) as out:
            out.write(json.dumps(manifest, indent=2, sort_keys=True))
        self.zip.close()

    def abort(self):
        self.zip.close()
