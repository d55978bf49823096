"""A run's line detail stored column-wise in compressed blocks.

A score run keeps, for every KAM, what the engine saw (``in``: his attributes and every
metric's value, ``n``, no-data reason and inputs — canonical JSON, what his input hash covers)
and what it computed (``out``: per component value, segment, factor, weight, contribution...,
per gate and modifier its outcome, the plan's steps, the payout and its parts). Up to
``BLOCK_SIZE`` KAMs, in KAM-code order, make a block:

- the ``out`` values as arrays: one per plan step, one per component and field
  (``engine.statement_columns.COMPONENT_FIELDS``), gate and modifier outcome; floats are
  byte-shuffled (all first bytes, then all second bytes...) so that zlib finds the
  repetition between neighbouring numbers;
- the ``in`` records as text, one line per KAM;
- a JSON header naming the arrays, the codes, and the reasons of the KAMs that have one;

all compressed with zlib (deterministic: the same run gives the same bytes, so the result
hash — over the SHA-256 of each block's uncompressed bytes — is the same for reruns on the
same inputs). Reading one KAM's detail decodes only his block (``decode``, ``Block.detail``), and
gives exactly the dict the earlier per-line JSON text gave (``layout.expand`` reads both).
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kamscore.engine.statement_columns import COMPONENT_FIELDS, SHAPE_FIELDS, StatementColumns
from kamscore.engine.transforms import NO_SEGMENT
from kamscore.scoring import codec

#: KAMs per block: reading one KAM decodes this many.
BLOCK_SIZE = 2048
#: The format of a block (in its header).
FORMAT = 1
_LEVEL = 1  # level 6 saves 5 % more at twice the time
_STATUS = ("paid", "ineligible", "held")
#: The plan's fields in ``out`` and their arrays' dtypes.
_PLAN = (("amount", "f8"), ("amount_capped", "?"), ("eligible", "?"), ("final_factor", "f8"),
         ("plan_capped", "?"), ("plan_floored", "?"), ("plan_gate_factor", "f8"),
         ("plan_multiplier", "f8"), ("proration", "f8"), ("score", "f8"), ("status", "i1"),
         ("target", "f8"), ("variant", "i2"), ("payout_minor", "i8"))
_COMPONENT_DTYPES = {"treatment": "i1", "segment": "i2", "capped": "?", "floored": "?"}


@dataclass(frozen=True)
class EncodedBlock:
    index: int
    first_code: str
    last_code: str
    kam_count: int
    digest: bytes  # SHA-256 of the uncompressed bytes
    payload: bytes  # compressed (stored)


def _columns(sc: StatementColumns) -> dict[str, np.ndarray]:
    """Every array of ``out``, by name, over the whole population."""
    ev = sc.evaluation
    arrays: dict[str, np.ndarray] = {}
    for name, dtype in _PLAN:
        source = ev.payout_minor if name == "payout_minor" else sc.plan[name]
        arrays[name] = np.asarray(source).astype(dtype, copy=False)
    for k, component in enumerate(sc.components):
        for name in COMPONENT_FIELDS:
            column = np.asarray(component[name])
            dtype = _COMPONENT_DTYPES.get(name, "f8")
            if name == "value" and column.dtype.kind != "f":
                arrays[f"c{k}.{name}"] = column  # texts or other values: kept as tokens
            else:
                arrays[f"c{k}.{name}"] = column.astype(dtype, copy=False)
    for k, component in enumerate(sc.components):  # commissions, accelerator gates
        for name in SHAPE_FIELDS:
            if name in component:
                arrays[f"c{k}.{name}"] = np.asarray(component[name]).astype("f8", copy=False)
    for name in ("commission", "ramp"):  # the plan's commissions and ramp factor, if any
        column = getattr(ev, name)
        if column is not None:
            arrays[name] = np.asarray(column).astype("f8", copy=False)
    for k, gate in enumerate(sc.gates):
        for name in ("passed", "missing"):
            arrays[f"g{k}.{name}"] = np.asarray(gate[name]).astype("?", copy=False)
    for k, modifier in enumerate(sc.modifiers):
        arrays[f"m{k}.value"] = np.asarray(modifier["value"]).astype("f8", copy=False)
        for name in ("applied", "missing"):
            arrays[f"m{k}.{name}"] = np.asarray(modifier[name]).astype("?", copy=False)
    for name, minor in sc.parts.items():
        arrays[f"p.{name}"] = np.asarray(minor).astype("i8", copy=False)
    for name, minor in sc.horizons.items():
        arrays[f"h.{name}"] = np.asarray(minor).astype("i8", copy=False)
    return arrays


def _shuffle(array: np.ndarray) -> bytes:
    data = np.ascontiguousarray(array)
    if data.dtype.itemsize == 1:
        return data.tobytes()
    return data.view(np.uint8).reshape(-1, data.dtype.itemsize).T.tobytes()


def _unshuffle(data: bytes, dtype: str, size: int) -> np.ndarray:
    width = np.dtype(dtype).itemsize
    raw = np.frombuffer(data, dtype=np.uint8)
    if width == 1:
        return raw.view(dtype)
    return np.ascontiguousarray(raw.reshape(width, size).T).view(dtype).reshape(size)


def encode(sc: StatementColumns, inputs: Callable[[np.ndarray], Sequence[str]],
           order: np.ndarray | None = None) -> list[EncodedBlock]:
    """The blocks of a run: ``inputs(rows)`` gives the ``in`` records (canonical JSON) of the
    KAMs at population indexes ``rows``, block by block (so that only one block's texts are
    held at a time); ``order`` is the population indexes in KAM-code order."""
    ev = sc.evaluation
    codes = ev.codes
    if order is None:
        order = np.argsort(np.asarray(codes, dtype=object), kind="stable")
    columns = _columns(sc)
    decimals = ev.ruleset.rounding.decimals
    blocks = []
    for index, start in enumerate(range(0, len(order), BLOCK_SIZE)):
        rows = order[start:start + BLOCK_SIZE]
        names, body, tokens = [], [], {}
        offset = 0
        for name, column in columns.items():
            part = column[rows]
            if part.dtype.kind == "O":
                tokens[name] = "[" + ",".join(codec.tokens(part)) + "]"
                continue
            data = _shuffle(part)
            names.append([name, part.dtype.str, offset, len(data)])
            body.append(data)
            offset += len(data)
        row_list = rows.tolist()
        reasons = {str(r): list(sc.reasons[i]) for r, i in enumerate(row_list)
                   if i in sc.reasons}
        text = "\n".join(inputs(rows)).encode("utf-8")
        header = json.dumps({"format": FORMAT, "codes": [str(codes[i]) for i in row_list],
                             "decimals": decimals, "arrays": names, "tokens": tokens,
                             "reasons": reasons, "inputs": [offset, len(text)]},
                            ensure_ascii=False, sort_keys=True,
                            separators=(",", ":")).encode("utf-8")
        raw = b"".join([struct.pack("<I", len(header)), header, *body, text])
        blocks.append(EncodedBlock(index, str(codes[row_list[0]]), str(codes[row_list[-1]]),
                                   len(row_list), hashlib.sha256(raw).digest(),
                                   zlib.compress(raw, _LEVEL)))
    return blocks


def _float(x: float) -> float | None:
    return x + 0.0 if math.isfinite(x) else None  # -0.0 read as 0.0, as the JSON said


def _money(minor: int, decimals: int) -> str:
    if decimals == 0:
        return str(minor)
    whole, fraction = divmod(abs(minor), 10**decimals)
    return f"{'-' if minor < 0 else ''}{whole}.{fraction:0{decimals}d}"


def _indexed(name: str, prefix: str) -> bool:
    """Whether ``name`` is an array of a numbered component, gate or modifier (``c3.factor``)."""
    return name[0] == prefix and name[1].isdigit()


class Block:
    """A block read back: ``detail(code)`` is the KAM's line detail as the per-line JSON gave
    it; ``column(name)`` one array of ``out`` for every KAM of the block. Arrays are decoded
    when first asked for."""

    def __init__(self, payload: bytes) -> None:
        raw = zlib.decompress(payload)
        (length,) = struct.unpack_from("<I", raw)
        header = json.loads(raw[4:4 + length])
        self._body = memoryview(raw)[4 + length:]
        self.codes: list[str] = header["codes"]
        self.rows = {code: r for r, code in enumerate(self.codes)}
        self.decimals: int = header["decimals"]
        self.reasons: dict[str, list[str]] = header["reasons"]
        self._where = {name: (dtype, offset, nbytes)
                       for name, dtype, offset, nbytes in header["arrays"]}
        self._tokens: dict[str, str] = header["tokens"]
        self._inputs_at: tuple[int, int] = tuple(header["inputs"])  # type: ignore[assignment]
        self._columns: dict[str, list[Any]] = {}
        self._inputs: list[str] | None = None
        names = [*self._where, *self._tokens]
        self.components = sorted({int(n[1:].split(".")[0]) for n in names if _indexed(n, "c")})
        self.gates = sorted({int(n[1:].split(".")[0]) for n in names if _indexed(n, "g")})
        self.modifiers = sorted({int(n[1:].split(".")[0]) for n in names if _indexed(n, "m")})
        self.parts = sorted(n[2:] for n in names if n.startswith("p."))
        self.horizons = sorted(n[2:] for n in names if n.startswith("h."))

    def column(self, name: str) -> list[Any]:
        found = self._columns.get(name)
        if found is None:
            if name in self._tokens:
                found = json.loads(self._tokens[name])
            else:
                dtype, offset, nbytes = self._where[name]
                found = _unshuffle(bytes(self._body[offset:offset + nbytes]), dtype,
                                   len(self.codes)).tolist()
            self._columns[name] = found
        return found

    def inputs(self, row: int) -> dict[str, Any]:
        if self._inputs is None:
            start, nbytes = self._inputs_at
            self._inputs = bytes(self._body[start:start + nbytes]).decode("utf-8").split("\n")
        return json.loads(self._inputs[row])  # type: ignore[no-any-return]

    def __contains__(self, code: str) -> bool:
        return code in self.rows

    def detail(self, code: str) -> dict[str, Any]:
        """``{"in": ..., "out": ...}`` of KAM ``code`` (KeyError if not in this block)."""
        r = self.rows[code]
        a = self.column

        def num(name: str) -> float | None:
            return _float(a(name)[r])

        components = []
        for k in self.components:
            row: list[Any] = []
            for name in COMPONENT_FIELDS:
                value = a(f"c{k}.{name}")[r]
                if name == "segment":
                    row.append(None if value == NO_SEGMENT else value + 1)
                elif isinstance(value, float):
                    row.append(_float(value))
                else:
                    row.append(value)
            components.append(row)
        out = {
            "amount": num("amount"), "amount_capped": a("amount_capped")[r],
            "components": components, "eligible": a("eligible")[r],
            "final_factor": num("final_factor"),
            "gates": [[a(f"g{k}.passed")[r], a(f"g{k}.missing")[r]] for k in self.gates],
            "modifiers": [[num(f"m{k}.value"), a(f"m{k}.applied")[r], a(f"m{k}.missing")[r]]
                          for k in self.modifiers],
            "parts": {p: _money(a(f"p.{p}")[r], self.decimals) for p in self.parts},
            "horizons": {h: _money(a(f"h.{h}")[r], self.decimals) for h in self.horizons},
            "payout": _money(a("payout_minor")[r], self.decimals),
            "plan_capped": a("plan_capped")[r], "plan_floored": a("plan_floored")[r],
            "plan_gate_factor": num("plan_gate_factor"),
            "plan_multiplier": num("plan_multiplier"), "proration": num("proration"),
            "reasons": self.reasons.get(str(r), []), "score": num("score"),
            "status": _STATUS[a("status")[r]], "target": num("target"),
            "variant": a("variant")[r],
        }
        out.update(self._shapes(r))
        return {"in": self.inputs(r), "out": out}

    def _shapes(self, r: int) -> dict[str, Any]:
        """Commissions, accelerator gates and ramps as the per-line JSON stored them (only
        for plans that have them; per component None where one does not apply)."""
        found: dict[str, Any] = {}

        def num(name: str) -> float | None:
            return _float(self.column(name)[r]) if name in self._where else None

        if "commission" in self._where:
            found["commission"] = num("commission")
            found["commissions"] = [
                [num(f"c{k}.commission"), num(f"c{k}.rate")]
                if f"c{k}.commission" in self._where else None for k in self.components]
        if any(f"c{k}.accelerator" in self._where for k in self.components):
            found["accelerators"] = [num(f"c{k}.accelerator") for k in self.components]
        if "ramp" in self._where:
            found["ramp"] = num("ramp")
        return found
