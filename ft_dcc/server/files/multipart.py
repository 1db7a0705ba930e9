"""The parts of one multipart upload on disk, and their composition into one file.

An upload's folder ``.incoming/<upload id>/`` holds ``upload.json`` (the announced layout),
``data`` (the assembly file, ``file_size`` bytes, sparse until written) and one receipt per
received part, ``part-NNNNN.json`` (MD5, size, and the offset in ``data`` or none when the part has
a file of its own, ``part-NNNNN``). The announced layout is ``parts`` equal parts of
``ceil(file_size / parts)`` bytes with a shorter last one; a part of exactly its layout length is
written at its offset in ``data`` as it arrives, so completing an upload whose parts all did is a
rename. Parts of any other length are joined in order at completion (in the kernel with
``os.copy_file_range`` where it can, memory stays flat either way).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from ft_dcc.server.files.records import UploadRecord

ASSEMBLY = "data"
COPY_BLOCK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Receipt:
    """A received part: its MD5 (hex), size, and offset in the assembly file (or ``None``)."""

    number: int
    md5: str
    size: int
    offset: Optional[int]
    folder: Path

    @property
    def path(self) -> Path:
        """Where its bytes are: the assembly file, or the part's own file."""
        if self.offset is None:
            return part_path(self.folder, self.number)
        return self.folder / ASSEMBLY


def layout_part_size(file_size: Optional[int], parts: int) -> int:
    """The part size of the announced layout (0: none, e.g. the size is unknown)."""
    if not file_size:
        return 0
    return -(-file_size // parts)


def layout_offset(record: UploadRecord, number: int, declared: Optional[str]) -> Optional[int]:
    """Where part ``number`` goes in the assembly file, if its declared length fits the layout."""
    part_size = int(record.get("part_size") or 0)
    if not part_size or declared is None or not declared.isdigit():
        return None
    offset = (number - 1) * part_size
    expected = min(part_size, int(record["file_size"] or 0) - offset)
    if expected <= 0 or int(declared) != expected:
        return None
    return offset


def create_assembly(folder: Path, size: int) -> None:
    """The (sparse) assembly file of ``size`` bytes."""
    with open(folder / ASSEMBLY, "wb") as handle:
        handle.truncate(size)


def part_path(folder: Path, number: int) -> Path:
    return folder / f"part-{number:05d}"


def _receipt_path(folder: Path, number: int) -> Path:
    return folder / f"part-{number:05d}.json"


def forget_part(folder: Path, number: int) -> None:
    """Drop the receipt of part ``number`` before it is received (again)."""
    _receipt_path(folder, number).unlink(missing_ok=True)


def write_receipt(folder: Path, number: int, md5: str, size: int, offset: Optional[int]) -> None:
    """Record a completely received part (atomically)."""
    target = _receipt_path(folder, number)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"md5": md5, "size": size, "offset": offset}), encoding="ascii")
    os.replace(tmp, target)
    if offset is not None:
        part_path(folder, number).unlink(missing_ok=True)


def read_receipt(folder: Path, number: int) -> Optional[Receipt]:
    """The receipt of part ``number``, or ``None`` when it was not (completely) received."""
    try:
        data = json.loads(_receipt_path(folder, number).read_text(encoding="ascii"))
        offset = data.get("offset")
        return Receipt(
            number,
            str(data["md5"]),
            int(data["size"]),
            None if offset is None else int(offset),
            folder,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


class AssemblyWriter:
    """Writes a part's bytes at its offset in the assembly file; ``sync()`` makes them durable
    (the caller runs it off the event loop), ``close()`` releases the file."""

    def __init__(self, folder: Path, offset: int) -> None:
        self.position = offset
        self.fd = os.open(folder / ASSEMBLY, os.O_WRONLY)

    def write(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            written = os.pwrite(self.fd, view, self.position)
            self.position += written
            view = view[written:]

    def sync(self) -> None:
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def in_place(receipts: List[Receipt]) -> bool:
    """Whether the receipts are the assembly file, whole and in order."""
    position = 0
    for receipt in receipts:
        if receipt.offset != position:
            return False
        position += receipt.size
    return position == (receipts[0].path.stat().st_size if receipts else -1)


def compose(folder: Path, receipts: List[Receipt], target: Path) -> Path:
    """The file holding the parts in order: the assembly file itself when every part is in
    place (no byte read), else ``target`` with the parts copied in."""
    if in_place(receipts):
        return folder / ASSEMBLY
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for receipt in receipts:
            source = os.open(receipt.path, os.O_RDONLY)
            try:
                _copy_range(source, out, receipt.offset or 0, receipt.size)
            finally:
                os.close(source)
        os.fsync(out)
    finally:
        os.close(out)
    return target


def _copy_range(source: int, out: int, offset: int, length: int) -> None:
    """Append ``length`` bytes of ``source`` from ``offset`` to ``out``: in the kernel where
    ``os.copy_file_range`` works, else through one small buffer."""
    remaining = length
    try:
        while remaining:
            copied = os.copy_file_range(source, out, min(remaining, 1 << 30), offset)
            if copied == 0:
                break
            offset += copied
            remaining -= copied
    except (AttributeError, OSError):
        pass
    while remaining:
        block = os.pread(source, min(remaining, COPY_BLOCK), offset)
        if not block:
            raise OSError(f"part file ended {remaining} bytes early")
        os.write(out, block)  # a regular file takes the whole block
        offset += len(block)
        remaining -= len(block)


def composite_md5(receipts: List[Receipt]) -> str:
    """``md5(concatenated part digests)-N``, the checksum S3 gives multipart objects."""
    joined = b"".join(bytes.fromhex(receipt.md5) for receipt in receipts)
    return f"{hashlib.md5(joined).hexdigest()}-{len(receipts)}"
