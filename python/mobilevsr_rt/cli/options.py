"""Conventions both command lines (``mobilevsr-rt`` and ``mobilevsr-train``) share: exit codes, one-line errors,
``--json [PATH|-]``, ``HxW`` sizes, ``--threads``, ``--debug``/``--verbose``, ``--version``.

Exit codes: 0 success, 1 a runtime error (one line on stderr; ``--debug`` adds the traceback), 2 a usage error (the
command line itself: an unknown option, a missing argument, a value of the wrong form), 130 interrupted (Ctrl-C or
SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DISTRIBUTION = "mobilevsr-rt"
"""The pip distribution: ``pip install mobilevsr-rt`` / ``"mobilevsr-rt[train]"``."""
STDOUT = "-"

# Exceptions a user's input or environment causes; anything else is a bug and says so.
_USER_ERRORS = (ValueError, RuntimeError, OSError, KeyError, ImportError)


class UsageError(ValueError):
    """The command line cannot work (a value the parser could not check): exit code 2."""


def version_text(prog: str) -> str:
    """``PROG VERSION (ai-edge-litert X, numpy Y)``: what a bug report needs."""
    parts = []
    for dist in ("ai-edge-litert", "numpy"):
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist} missing")
    return f"{prog} {package_version()} ({', '.join(parts)})"


def package_version() -> str:
    """The installed distribution's version (the package's ``__version__`` when run from a source tree)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        from .. import __version__

        return __version__


def common_options(verbose: bool) -> argparse.ArgumentParser:
    """A parent parser with ``--debug`` (and ``--verbose``), accepted before and after the subcommand name."""
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's default must not overwrite the value given before the subcommand name.
    parent.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="print the traceback of an error")
    if verbose:
        parent.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                            help="show what LiteRT and the GPU stack print, and why the GPU was not used")
    return parent


def frame_size(text: str) -> tuple[int, int]:
    """argparse type of every size option: ``"180x320"`` -> ``(180, 320)`` (height x width, positive)."""
    try:
        height, width = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are HxW (e.g. 180x320), got {text!r}") from None
    if height < 1 or width < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive, got {text!r}")
    return height, width


def positive_int(text: str) -> int:
    """argparse type of counts that must be at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """``--threads N``; without it the runtime takes the cores this process may use."""
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="CPU threads (default: the cores this process may use)")


def add_json_argument(parser: argparse.ArgumentParser, what: str = "the results") -> None:
    """``--json [PATH|-]``: ``--json`` or ``--json -`` prints one JSON document on stdout instead of the text;
    ``--json PATH`` writes it to PATH as well as printing the text."""
    parser.add_argument("--json", dest="json", nargs="?", const=STDOUT, default=None, metavar="PATH|-",
                        help=f"{what} as JSON: to stdout instead of the text (--json or --json -) or into PATH")


def json_to_stdout(args: argparse.Namespace) -> bool:
    """Whether ``--json`` asked for JSON on stdout (then print no text)."""
    return getattr(args, "json", None) == STDOUT


def write_json(document: Any, target: str | Path | None) -> None:
    """Write ``document`` where ``--json`` said: stdout for ``-``, else the file (nothing for None)."""
    if target is None:
        return
    text = json.dumps(document, indent=2, default=str)
    if str(target) == STDOUT:
        print(text)
    else:
        Path(target).write_text(text + "\n")


def one_line(error: BaseException) -> str:
    """An exception as one line: its message's lines joined (the type name when the message is empty)."""
    text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    message = "; ".join(lines) or type(error).__name__
    if not isinstance(error, _USER_ERRORS):
        message = f"internal error ({type(error).__name__}): {message} (--debug shows the traceback)"
    return message


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while the block runs: the same cleanup, the same exit code."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_main(prog: str, parse: Callable[[], argparse.Namespace],
             on_error: Callable[[BaseException], str | None] | None = None) -> int:
    """Parse the command line and run ``args.run`` under the exit-code convention (SIGTERM counts as Ctrl-C from the
    start); ``on_error`` may turn an exception into the one-line message."""
    with sigterm_as_interrupt():
        try:
            args = parse()
        except KeyboardInterrupt:
            print(f"\n{prog}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        args.debug = getattr(args, "debug", False)
        return run_command(prog, args, args.run, on_error)


def run_command(prog: str, args: argparse.Namespace, run: Callable[[argparse.Namespace], int],
                on_error: Callable[[BaseException], str | None] | None = None) -> int:
    """Run a subcommand under the exit-code convention; ``on_error`` may turn an exception into a message."""
    where = f"{prog} {args.command}"
    try:
        with sigterm_as_interrupt():
            return run(args)
    except KeyboardInterrupt:
        print(f"\n{where}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - every failure becomes one line and an exit code
        if getattr(args, "debug", False):
            traceback.print_exc()
        message = (on_error(error) if on_error is not None else None) or one_line(error)
        print(f"{where}: error: {message}", file=sys.stderr)
        return EXIT_USAGE if isinstance(error, UsageError) else EXIT_ERROR
