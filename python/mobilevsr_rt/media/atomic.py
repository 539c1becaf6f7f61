"""Outputs that appear whole or not at all: everything is written to a temporary sibling (same folder, so the final
``os.replace`` is a rename on one file system) and moved under the final name only when the writing succeeded.
On any exception, KeyboardInterrupt included, the temporary file or folder is removed."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import MediaError, MediaUsageError, describe

TEMP_TAG = ".partial"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output_folder(folder: Path) -> None:
    """Raise MediaError when ``folder`` cannot receive an output (missing, not a folder)."""
    if not folder.exists():
        raise MediaError(f"output folder does not exist: {folder}")
    if not folder.is_dir():
        raise MediaError(f"output folder is not a folder: {folder}")


@contextmanager
def atomic_file(final: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``final`` (same suffix, so writers infer the format); rename it to ``final``
    when the block ends normally, delete it otherwise."""
    final = Path(final)
    if final.is_dir():
        raise MediaUsageError(f"output is a folder, expected a file: {final}")
    folder = final.parent if str(final.parent) else Path(".")
    check_output_folder(folder)
    try:  # creating the temp file proves the folder is writable before any work is done
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{final.stem}.", suffix=f"{TEMP_TAG}{final.suffix}")
    except OSError as error:
        raise MediaError(f"cannot write to output folder {folder}: {describe(error)}") from error
    os.close(fd)
    temp = Path(name)
    os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; the output gets the usual permissions
    try:
        yield temp
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(final: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder next to ``final``; when the block ends normally its files move into ``final``
    (created if missing; existing files of the same name are replaced), else the temporary folder is deleted."""
    final = Path(final)
    if final.exists() and not final.is_dir():
        raise MediaUsageError(f"output is a file, expected a folder: {final}")
    parent = final.parent if str(final.parent) else Path(".")
    check_output_folder(parent)
    try:
        temp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{final.name}.", suffix=TEMP_TAG))
    except OSError as error:
        raise MediaError(f"cannot write to output folder {parent}: {describe(error)}") from error
    os.chmod(temp, 0o777 & ~_umask())
    try:
        yield temp
        if not final.exists():
            os.replace(temp, final)
        else:
            for item in sorted(temp.iterdir()):
                os.replace(item, final / item.name)
            temp.rmdir()
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
