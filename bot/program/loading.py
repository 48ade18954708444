"""Loading program.yml: which file, read once per path, and every mistake in it named by its field."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence, Union

import yaml
from pydantic import ValidationError
from pydantic.error_wrappers import ErrorWrapper
from pydantic.errors import (
    DictError,
    FrozenSetError,
    ListError,
    MissingError,
    NoneIsNotAllowedError,
    SetError,
    TupleError,
)

from bot.program.schema import Program
from bot.program.values import Place, Problem

PROGRAM_FILE_ENV = "IOP_PROGRAM_FILE"
DEFAULT_PROGRAM_FILE = Path(__file__).resolve().parents[2] / "program.yml"


class ProgramError(ValueError):
    """program.yml is missing something or holds a value the assistant cannot work with."""


def load_program(path: Union[str, Path, None] = None) -> Program:
    """The program from `path`, else $IOP_PROGRAM_FILE, else program.yml at the repo root (cached)."""
    chosen = path or os.environ.get(PROGRAM_FILE_ENV) or DEFAULT_PROGRAM_FILE
    return _load(Path(chosen).resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Program:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProgramError(f"{path}: cannot read the program file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ProgramError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return parse_program(data)
    except ProgramError as exc:
        raise ProgramError("\n".join(f"{path}: {line}" for line in str(exc).splitlines())) from None


def parse_program(data: Any) -> Program:
    """Check and convert the parsed YAML; every mistake is told on its own line, naming its field."""
    if not isinstance(data, Mapping):
        raise ProgramError("the file: should be a mapping of names to values")
    try:
        return Program.validate(data)
    except ValidationError as error:
        raise ProgramError("\n".join(f"{_where(at)}: {problem}" for at, problem in _mistakes(error))) from None


# pydantic's own checks that can fail on a program.yml, in the words of the rest of the schema
_WORDING = {
    MissingError: "is missing",
    NoneIsNotAllowedError: "is missing",
    DictError: "should be a mapping of names to values",
    ListError: "should be a list",
    TupleError: "should be a list",
    SetError: "should be a list",
    FrozenSetError: "should be a list",
}


def _mistakes(error: ValidationError, at: tuple[Place, ...] = ()) -> Iterator[tuple[tuple[Place, ...], str]]:
    """Each mistake with where it is (("tracks", 1, "start")), in the order of the file's fields."""
    for wrapper in _wrappers(error.raw_errors):
        where = (*at, *(part for part in wrapper.loc_tuple() if part != "__root__"))
        if isinstance(wrapper.exc, ValidationError):
            yield from _mistakes(wrapper.exc, where)
        elif isinstance(wrapper.exc, Problem):
            yield (*where, *wrapper.exc.at), wrapper.exc.text
        else:
            yield where, _WORDING.get(type(wrapper.exc), str(wrapper.exc))


def _wrappers(raw: Sequence[Any]) -> Iterator[ErrorWrapper]:
    for item in raw:
        if isinstance(item, ErrorWrapper):
            yield item
        else:  # pydantic nests the errors of one field's items in lists
            yield from _wrappers(item)


def _where(at: Sequence[Place]) -> str:
    """'tracks[1].start' for ("tracks", 1, "start")."""
    where = ""
    for part in at:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
    return where
