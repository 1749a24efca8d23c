"""The hot command (``cairn search``) parsed without typer's parameter machinery.

Why: typer 0.29 builds a pydantic ``TypeAdapter`` for every parameter of the command at each run (~90 ms
CPU) after importing pydantic (~20 ms): a tenth of a fresh ``cairn search`` at 1M chunks, which has to
answer in 1.5 s including unlock.  The command stays the function typer registers; its signature (the
``Annotated`` typer metadata) is still the one definition of its options, read here.  Only the plain forms
are handled: ``--opt value``, ``--opt=value``, flags, repeated list options, one positional argument.
Anything else (``--help``, an unknown or repeated option, a bad or missing value, ``--``, a value that
starts with ``-``) returns ``None`` and typer parses the line as before, with its help and its errors.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOT = {"search": ("app.commands.search_cmd", "search")}  # command -> (module, function)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_SCALARS: dict[Any, Callable[[str], Any]] = {str: str, Path: Path, int: int}


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    kind: Any  # str, int, Path, bool, or list (of str)
    positional: bool


def fast_command(argv: Sequence[str]) -> Callable[[], None] | None:
    """The call that runs ``argv`` (the arguments after ``cairn``), or ``None``: let typer parse it."""
    if not argv or argv[0] not in HOT:
        return None
    module, name = HOT[argv[0]]
    command = getattr(importlib.import_module(module), name)
    kwargs = parse(command, argv[1:])
    if kwargs is None:
        return None
    return lambda: _run(lambda: command(**kwargs))


def parse(command: Callable[..., Any], args: Sequence[str]) -> dict[str, Any] | None:
    """The keyword arguments typer would call ``command`` with (those given), or ``None`` (not plain)."""
    options = _options(command)
    return None if options is None else _parse(command, options, list(args))


def _run(call: Callable[[], None]) -> None:
    """What typer does with what a command raises (the ones this command can raise)."""
    import typer

    try:
        call()
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def _options(command: Callable[..., Any]) -> dict[str, _Param] | None:
    """Every spelling (``--k``, ``-k``, positional ``""``) → its parameter; ``None`` if one is not plain."""
    from typer.models import ArgumentInfo, OptionInfo
    from typer.utils import get_params_from_function  # typer's own reading of the signature

    found: dict[str, _Param] = {}
    for name, meta in get_params_from_function(command).items():
        info, kind = meta.default, _kind(meta.annotation)
        if not isinstance(info, ArgumentInfo | OptionInfo) or kind is None or info.callback is not None \
                or info.envvar is not None or info.is_eager or getattr(info, "prompt", False):
            return None
        if isinstance(info, ArgumentInfo):
            if "" in found or kind not in (str, Path, int):
                return None
            found[""] = _Param(name, kind, positional=True)
            continue
        for spelling in list(info.param_decls or ()) or [_flag_name(name, kind)]:
            for flag in spelling.split("/"):
                flag = flag.strip()
                if not flag.startswith("-") or flag in found:
                    return None
                found[flag] = _Param(name, (flag, spelling) if kind is bool else kind, positional=False)
    return found


def _flag_name(name: str, kind: Any) -> str:
    flag = "--" + name.replace("_", "-")
    return f"{flag}/--no-{name.replace('_', '-')}" if kind is bool else flag


def _kind(annotation: Any) -> Any:
    """str, int, Path, bool or list (of str) for a plain annotation (``X | None`` too), else ``None``."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return None
        annotation, args = rest[0], typing.get_args(rest[0])
    if typing.get_origin(annotation) is list:
        return list if args == (str,) else None
    return annotation if annotation in (str, int, Path, bool) else None


def _parse(command: Callable[..., Any], options: dict[str, _Param], args: list[str]) -> dict[str, Any] | None:
    kwargs: dict[str, Any] = {}
    seen: set[str] = set()
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg == "-":
            param = options.get("")
            if param is None or param.name in seen:
                return None
            value = _convert(param.kind, arg)
        else:
            flag, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
            param = options.get(flag)
            if param is None or (param.name in seen and param.kind is not list):
                return None  # unknown (or --help, --): typer says what is wrong
            if isinstance(param.kind, tuple):  # a bool flag: which spelling of "on/off" it was
                if eq:
                    return None
                spelling = param.kind[1]  # "--x/--no-x": the part before the slash turns it on
                value = flag == spelling.split("/")[0].strip()
            else:
                text = inline if eq else (args.pop(0) if args else None)
                if text is None or (not eq and text.startswith("-")):
                    return None
                value = _convert(str if param.kind is list else param.kind, text)
                if param.kind is list:
                    value = [*kwargs.get(param.name, []), value] if value is not None else None
        if value is None:
            return None
        kwargs[param.name] = value
        seen.add(param.name)
    for name, parameter in inspect.signature(command).parameters.items():
        if name not in kwargs and parameter.default is inspect.Parameter.empty:
            return None  # a required one is missing: typer's error
    return kwargs


def _convert(kind: Any, text: str) -> Any:
    if kind is int:
        return int(text) if _INTEGER.fullmatch(text) else None
    convert = _SCALARS.get(kind)
    return None if convert is None else convert(text)
