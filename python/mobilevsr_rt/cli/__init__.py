"""``mobilevsr-rt``: command line of the runtime. One module per subcommand, registered in COMMANDS."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib import import_module

# name -> module defining add_arguments(parser) and run(args) -> int
COMMANDS: dict[str, str] = {
    "info": "mobilevsr_rt.cli.info",
    "bench": "mobilevsr_rt.cli.bench",
    "upscale": "mobilevsr_rt.cli.upscale",
    "demo": "mobilevsr_rt.cli.demo",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="mobilevsr-rt", description="Real-time video super-resolution runtime")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module_name in COMMANDS.items():
        module = import_module(module_name)
        command = sub.add_parser(name, help=module.__doc__.strip().splitlines()[0], description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mobilevsr-rt`` console script."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (ValueError, RuntimeError, OSError) as error:
        print(f"mobilevsr-rt {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
