"""The arrays of a snapshot payload read straight from it, as np.load reads them."""

from __future__ import annotations

import io

import numpy as np
import pytest

from kamscore.facts.stored_arrays import StoredArrays, stored_arrays

ARRAYS = {
    "ids": np.array([3, 1, 2], dtype=np.int64),
    "small": np.array([-1, 0, 7], dtype=np.int8),
    "value": np.array([1.5, np.nan, -0.0]),
    "flags": np.array([True, False, True]),
    "days": np.array(["2026-01-01", "NaT", "2026-03-31"], dtype="datetime64[D]"),
    "grid": np.arange(6, dtype=np.int32).reshape(2, 3),
    "fortran": np.asfortranarray(np.arange(6, dtype=np.float64).reshape(3, 2)),
    "empty": np.empty(0, dtype=np.int64),
    "labels": np.frombuffer(b'["a", "\\u00e9"]', dtype=np.uint8),
}


def _payload(save=np.savez) -> bytes:
    out = io.BytesIO()
    save(out, **ARRAYS)
    return out.getvalue()


@pytest.mark.parametrize("as_file", [False, True])
def test_stored_arrays_read_as_np_load_reads_them(as_file):
    data = _payload()
    with stored_arrays(io.BytesIO(data) if as_file else data) as arrays:
        assert isinstance(arrays, StoredArrays)
        assert sorted(arrays.files) == sorted(ARRAYS) and "value" in arrays
        for name, expected in ARRAYS.items():
            got = arrays[name]
            assert got.dtype == expected.dtype and got.shape == expected.shape, name
            assert np.array_equal(got, expected, equal_nan=expected.dtype.kind in "fM"), name
            assert not got.flags.writeable  # the snapshot's arrays are not changed in place
        assert np.signbit(arrays["value"][2])


def test_a_compressed_payload_is_read_by_np_load():
    with stored_arrays(_payload(np.savez_compressed)) as arrays:
        assert not isinstance(arrays, StoredArrays)
        assert np.array_equal(arrays["grid"], ARRAYS["grid"])


def test_an_array_of_objects_is_refused():
    out = io.BytesIO()
    np.savez(out, texts=np.array(["a", None], dtype=object))
    with stored_arrays(out.getvalue()) as arrays, pytest.raises(ValueError, match="objects"):
        arrays["texts"]


def test_a_payload_cut_short_is_refused():
    data = _payload()
    with stored_arrays(data) as arrays:
        offset, size = arrays._members["ids"]
        arrays._members["ids"] = (offset, size - 8)  # as if the member were shorter
        with pytest.raises(ValueError, match="longer than its member"):
            arrays["ids"]
