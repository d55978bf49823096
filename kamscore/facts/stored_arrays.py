"""The arrays of an ``.npz`` payload written by ``np.savez`` (stored, not compressed), read
straight from where they lie: each array's bytes are read in one piece, after its ``.npy``
header, into the array returned (read-only), and the zip's CRC is not computed.

``np.load`` reads an array of a file-like payload 256 KB at a time through ``zipfile``,
which checks each piece's CRC, and copies each piece into the array: at 100,000 KAMs a score
run reads 300 MB of snapshots that way, and the CRC and the extra copy were a fifth of the
read. The payloads are kamscore's own snapshots, kept in the database (whose pages carry
their own checks); a payload this reader does not expect — a compressed member, a header it
does not know, an object array — is read by ``np.load`` as before.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import BinaryIO

import numpy as np

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"


class StoredArrays(Mapping[str, np.ndarray]):
    """Name → array of an ``.npz`` payload whose members are all stored (``np.savez``)."""

    def __init__(self, payload: BinaryIO, members: dict[str, tuple[int, int]]) -> None:
        self._payload = payload
        self._members = members  # name → (offset of the .npy data, its size)

    @property
    def files(self) -> list[str]:
        return list(self._members)

    def __getitem__(self, name: str) -> np.ndarray:
        offset, size = self._members[name]
        self._payload.seek(offset)
        version = np.lib.format.read_magic(self._payload)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(self._payload)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(self._payload)
        else:
            raise ValueError(f"array {name!r}: .npy version {version} not read here")
        if dtype.hasobject:
            raise ValueError(f"array {name!r} holds Python objects")
        count = int(np.prod(shape, dtype=np.int64))
        start = self._payload.tell()
        if start - offset + count * dtype.itemsize > size:
            raise ValueError(f"array {name!r} is longer than its member")
        data = self._payload.read(count * dtype.itemsize)
        array = np.frombuffer(data, dtype=dtype, count=count)
        return array.reshape(shape, order="F" if fortran else "C")

    def __iter__(self) -> Iterator[str]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)


def _members(payload: BinaryIO) -> dict[str, tuple[int, int]] | None:
    """Each ``.npy`` member's data offset and size, or None when a member is compressed."""
    with zipfile.ZipFile(payload) as archive:
        infos = archive.infolist()
    members = {}
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
            return None
        payload.seek(info.header_offset)
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(
            payload.read(_LOCAL_HEADER.size))
        if signature != _LOCAL_SIGNATURE:
            return None
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        members[info.filename[:-4]] = (start, info.file_size)
    return members


@contextmanager
def stored_arrays(data: bytes | BinaryIO) -> Iterator[Mapping[str, np.ndarray]]:
    """The arrays of the payload ``data`` (bytes, or a seekable file read an array at a
    time), as a mapping read lazily; through ``np.load`` when a member is not stored as
    ``np.savez`` stores it. Arrays read straight are read-only."""
    payload = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    members = _members(payload)
    if members is None:
        payload.seek(0)
        with np.load(payload, allow_pickle=False) as arrays:
            yield arrays
        return
    yield StoredArrays(payload, members)
