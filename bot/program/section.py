"""The base of every section of program.yml, and the declarations its fields' checks are made of."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Mapping, Optional, TypeVar

from pydantic import BaseModel, root_validator, validator

from bot.program.values import Problem

S = TypeVar("S", bound="Section")


class Section(BaseModel):
    """A mapping in program.yml: checked on the way in, immutable after."""

    what_a_key_is: ClassVar[str] = "a key here"  # for the message refusing an unknown key

    class Config:
        frozen = True  # immutable, and hashable where every field is
        allow_population_by_field_name = True  # code writes IntRange(low=1, high=2) where the file says min, max

    def __init__(__pydantic_self__, *args: Any, **data: Any) -> None:
        # As with the dataclasses these were, fields may also be given in order: IntRange(7, 30).
        super().__init__(
            **dict(zip(__pydantic_self__.__fields__, args, strict=False)), **data
        )  # fewer args than fields

    @classmethod
    def validate(cls: type[S], value: Any) -> S:
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise Problem("should be a mapping of names to values")
        return cls(**{str(key): item for key, item in value.items()})

    @root_validator(pre=True)
    def _known_keys(cls, values: dict[str, Any]) -> dict[str, Any]:
        keys = [field.alias for field in cls.__fields__.values()]
        for key in values:
            if key not in keys and key not in cls.__fields__:
                raise Problem(f"is not {cls.what_a_key_is} (they are {', '.join(keys)})", at=(key,))
        # `key:` with nothing after it is the key left out: its default applies, or it is missing.
        return {key: value for key, value in values.items() if value is not None}


def within(*fields: str, low: int, high: Optional[int] = None, after: str = "", each_item: bool = False) -> Any:
    """A validator refusing a whole number below `low` or above `high`; `after` ends the message."""

    def check(cls: Any, value: int) -> int:
        if high is None and value < low:
            raise Problem(f"{value} should be {low} or more")
        if high is not None and not low <= value <= high:
            raise Problem(f"{value} should be from {low} to {high}{after}")
        return value

    return validator(*fields, allow_reuse=True, each_item=each_item)(check)


def keyed(*fields: str, key: Callable[[Any], Any] = str) -> Any:
    """A validator refusing anything but a mapping whose keys `key` accepts (pydantic itself would make a
    mapping of a list of pairs)."""

    def check(cls: Any, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise Problem("should be a mapping of names to values")
        for name in value:
            try:
                key(name)
            except Problem as problem:
                raise problem.under(name) from None
        return value

    return validator(*fields, pre=True, allow_reuse=True)(check)


def listing(*fields: str, problem: str) -> Any:
    """A validator refusing anything but a list with at least one item, saying `problem`."""

    def check(cls: Any, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise Problem(problem)
        return value

    return validator(*fields, pre=True, allow_reuse=True)(check)
