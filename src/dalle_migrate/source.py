"""Source files as bytes and text: decoding that can be undone exactly, positions, safe writes.

A file is decoded once (BOM and PEP 263 cookie honoured), edited as text, and encoded back with
the same encoding and BOM; line endings are never normalised. Writes go through a temporary file
in the same folder and ``os.replace``, so a file is either replaced whole or left as it was.
"""

from __future__ import annotations

import bisect
import codecs
import io
import itertools
import operator
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """The bytes of a file cannot be decoded as Python source."""


@dataclass
class SourceText:
    """A decoded source file that remembers how to turn back into the same bytes."""

    text: str
    encoding: str = "utf-8"
    bom: bool = False

    @classmethod
    def decode(cls, data: bytes, python: bool = True) -> "SourceText":
        """Python sources honour a PEP 263 cookie; other files (notebooks, configuration) are
        UTF-8, whatever their first lines say."""
        bom = data.startswith(codecs.BOM_UTF8)
        encoding = "utf-8"
        if python:
            try:
                encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            except SyntaxError as exc:
                raise SourceError(str(exc)) from exc
        if encoding == "utf-8-sig":
            encoding = "utf-8"
        body = data[len(codecs.BOM_UTF8) :] if bom else data
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"cannot decode as {encoding}: {exc}") from exc
        return cls(text=text, encoding=encoding, bom=bom)

    def encode(self, text: Optional[str] = None) -> bytes:
        body = (self.text if text is None else text).encode(self.encoding)
        return codecs.BOM_UTF8 + body if self.bom else body

    @property
    def newline(self) -> str:
        """The file's own line ending, used for any line the tool inserts."""
        return first_newline(self.text)


def first_newline(text: str) -> str:
    """The text's first line ending ("\\n" when it has none): the file's own, and the one LibCST
    takes as a module's default."""
    match = _NEWLINE.search(text)
    return match.group(0) if match else "\n"


class LineIndex:
    """Converts between (1-based line, 0-based column) positions and string offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" in text:
            self.starts: List[int] = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        else:  # (each line's length, summed in C: a third of the time for a large JSON file)
            self.starts = list(itertools.accumulate(map(operator.add, map(len, text.split("\n")), itertools.repeat(1)), initial=0))[:-1]

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def position(self, offset: int) -> Tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1]

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end]


# Files an editor holds open, by absolute path: their text as the editor has it, saved or not.
# Every read of a project file asks here first (``buffered``); only the language server fills it.
BUFFERS: Dict[str, bytes] = {}


def buffered(path: Union[str, "os.PathLike[str]"]) -> Optional[bytes]:
    """The editor's bytes of ``path`` when it holds the file open, else None (read the disk)."""
    if not BUFFERS:
        return None
    return BUFFERS.get(os.path.abspath(path))


def buffer_stamp(data: bytes) -> Tuple[int, int, int, int]:
    """A stamp (``index.stamp_of``'s shape) for an editor's bytes: no file on disk has it (its
    times are negative), and other bytes get another one."""
    import hashlib  # (only the language server's runs get here: a run's start-up does without it)

    digest = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")
    return (-2, -digest - 2, len(data), -2)


def read_bytes(path: Path) -> bytes:
    """The whole file (or an editor's unsaved text), with plain system calls: ``open().read()``
    sets up a buffered reader for each file (a tenth more over a course's 4,600 files). Chunks
    of 64 KiB: most source files fit in one, and a larger buffer is a fresh mapping of memory
    each time."""
    data = buffered(path)
    if data is not None:
        return data
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # (Windows: no newline translation)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError as exc:  # (a folder opens, and fails here: named as open() names it)
        if exc.filename is None:
            exc.filename = os.fspath(path)
        raise
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace ``path`` with ``data`` in one step, keeping its permission bits.

    When ``expected`` is given and the file no longer holds those bytes (someone changed it while
    we worked), nothing is written and ``FileChangedError`` is raised.
    """
    path = Path(path)
    info = os.stat(path)
    import tempfile  # only a run that writes needs it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chown(tmp, info.st_uid, info.st_gid)  # before chmod: chown clears setuid/setgid
        except (PermissionError, AttributeError):  # not ours to give away, or not POSIX
            pass
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        if expected is not None and read_bytes(path) != expected:
            raise FileChangedError(f"{path} changed while it was being fixed; left as it is")
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable: without it a power loss may bring the old file back."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on this system (Windows): the data itself is synced
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class FileChangedError(Exception):
    pass


TEMP_SUFFIX = ".dalle-migrate.tmp"


def is_stale_temp(name: str) -> bool:
    """A temporary file of ours (``.NAME.XXXX.dalle-migrate.tmp``) that a killed run left."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)
