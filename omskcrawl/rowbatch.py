"""Rows (dicts) to an Arrow record batch, the same as ``pa.RecordBatch.from_pylist`` gives,
without making pyarrow import pandas.

``pa.array`` of a Python list asks pandas whether the list is a pandas object, and so imports
it: ~40 MB of RSS in a crawl that never uses pandas (BENCHMARKS.md, "Memory baseline, second
pass"). The schema's types (strings, integers, microsecond timestamps, dates, lists, structs)
are built here from their buffers instead: offsets, values and validity bitmaps, as Arrow lays
them out.
A column holding anything else (a value of another Python type, a type not handled here) goes
through ``pa.array`` as before, so every value and every error is pyarrow's own;
``tests/test_rowbatch.py`` compares the two on real items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pyarrow as pa

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # pyarrow reads a naive datetime as UTC
_EPOCH_DAY = date(1970, 1, 1)
_MAX_OFFSET = 2**31 - 1  # int32 offsets of string and list arrays


class _NotHandled(Exception):
    """This column is left to pa.array."""


def record_batch(rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    """``pa.RecordBatch.from_pylist(rows, schema=schema)`` (a missing key is a null)."""
    arrays = []
    for field in schema:
        values = [row.get(field.name) for row in rows]
        try:
            arrays.append(_array(values, field.type))
        except _NotHandled:
            arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _array(values: list[Any], type_: pa.DataType) -> pa.Array:
    if pa.types.is_string(type_):
        return _strings(values, type_)
    if pa.types.is_integer(type_):
        return _integers(values, type_)
    if pa.types.is_timestamp(type_) and type_.unit == "us":
        return _fixed_width(values, type_, np.int64, _microseconds)
    if pa.types.is_date32(type_):
        return _fixed_width(values, type_, np.int32, _days)
    if pa.types.is_list(type_):
        return _lists(values, type_)
    if pa.types.is_struct(type_):
        return _structs(values, type_)
    raise _NotHandled


def _validity(values: list[Any]) -> tuple[pa.Buffer | None, int]:
    """The validity bitmap (None when nothing is null) and the null count."""
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    nulls = len(values) - int(valid.sum())
    if not nulls:
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), nulls


def _offsets(lengths: list[int]) -> pa.Buffer:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] > _MAX_OFFSET:
        raise _NotHandled  # pyarrow splits it into chunks
    return pa.py_buffer(offsets.astype(np.int32))


def _strings(values: list[Any], type_: pa.DataType) -> pa.Array:
    encoded = []
    for value in values:
        if value is None:
            encoded.append(b"")
        elif type(value) is str:
            encoded.append(value.encode())
        else:
            raise _NotHandled
    validity, nulls = _validity(values)
    data = pa.py_buffer(b"".join(encoded))
    offsets = _offsets([len(e) for e in encoded])
    return pa.Array.from_buffers(type_, len(values), [validity, offsets, data], null_count=nulls)


def _fixed_width(
    values: list[Any], type_: pa.DataType, dtype: Any, number: Callable[[Any], int]
) -> pa.Array:
    """A column of one number per value (`number` raises _NotHandled for a value it cannot
    take: pyarrow converts, or rejects, that column itself)."""
    data = pa.py_buffer(np.array([0 if v is None else number(v) for v in values], dtype=dtype))
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(type_, len(values), [validity, data], null_count=nulls)


def _integers(values: list[Any], type_: pa.DataType) -> pa.Array:
    dtype = np.dtype(type_.to_pandas_dtype())
    limits = np.iinfo(dtype)

    def number(value: Any) -> int:
        if type(value) is not int or not limits.min <= value <= limits.max:
            raise _NotHandled  # pyarrow's conversion (or its overflow error)
        return value

    return _fixed_width(values, type_, dtype, number)


def _microseconds(value: Any) -> int:
    if type(value) is not datetime:
        raise _NotHandled
    aware = value.tzinfo is not None and value.utcoffset() is not None
    delta = value - (_EPOCH if aware else _NAIVE_EPOCH)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _days(value: Any) -> int:
    if type(value) is not date:
        raise _NotHandled  # a datetime, say: pyarrow's own rules
    return (value - _EPOCH_DAY).days


def _lists(values: list[Any], type_: pa.DataType) -> pa.Array:
    lengths = []
    flat: list[Any] = []
    for value in values:
        if value is None:
            lengths.append(0)
        elif type(value) is list or type(value) is tuple:
            lengths.append(len(value))
            flat.extend(value)
        else:
            raise _NotHandled
    child = _array(flat, type_.value_type)
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(
        type_, len(values), [validity, _offsets(lengths)], null_count=nulls, children=[child]
    )


def _structs(values: list[Any], type_: pa.DataType) -> pa.Array:
    names = [type_.field(i).name for i in range(type_.num_fields)]
    for value in values:
        if value is not None and (type(value) is not dict or not value.keys() <= set(names)):
            raise _NotHandled
    children = [
        _array([None if v is None else v.get(name) for v in values], type_.field(i).type)
        for i, name in enumerate(names)
    ]
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(
        type_, len(values), [validity], null_count=nulls, children=children
    )
