"""Typed access to parsed JSON, with errors that name the file and the field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

from overwatch.errors import FormatError

_T = TypeVar("_T")

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "an object"}  # fmt: skip


class JsonReader:
    """Typed access to parsed JSON with errors that say file and field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, field: str, problem: str) -> FormatError:
        return FormatError(f"{self.path}: {field}: {problem}")

    def obj(self, value: object, field: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(field or "top level", f"expected a JSON object, found {_kind(value)}")
        return value

    def get(self, obj: Mapping[str, Any], where: str, key: str, typ: type[_T]) -> _T:
        field = f"{where}.{key}" if where else key
        if key not in obj:
            raise self.error(field, "missing")
        value = obj[key]
        ok = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
        if typ is int and isinstance(value, float) and value.is_integer():
            value, ok = int(value), True
        if not ok:
            raise self.error(field, f"expected {_TYPE_NAMES[typ]}, found {_kind(value)}")
        return cast(_T, value)

    def number(self, value: object, field: str, *, nullable: bool = False) -> float:
        if value is None and nullable:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, int | float):
            expected = "a number or null" if nullable else "a number"
            raise self.error(field, f"expected {expected}, found {_kind(value)}")
        return float(value)

    def numbers(
        self, value: object, field: str, count: int, *, nullable: bool = False
    ) -> list[float]:
        if not isinstance(value, list) or len(value) != count:
            raise self.error(field, f"expected a list of {count} numbers, found {_kind(value)}")
        return [self.number(v, f"{field}[{i}]", nullable=nullable) for i, v in enumerate(value)]

    def lat_lon(self, value: object, field: str) -> tuple[float, float]:
        lat, lon = self.numbers(value, field, 2)
        return lat, lon


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return f"the string {value!r}"
    return repr(value)
