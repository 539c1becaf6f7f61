"""``mobilevsr-rt``: command line of the runtime. One module per subcommand, registered in COMMANDS.

Conventions shared with ``mobilevsr-train`` (exit codes 0/1/2/130, ``--json [PATH|-]``, ``HxW`` sizes) live in
:mod:`mobilevsr_rt.cli.options`.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from .options import common_options, run_main, version_text

PROG = "mobilevsr-rt"
# name -> module defining add_arguments(parser) and run(args) -> int
COMMANDS: dict[str, str] = {
    "models": "mobilevsr_rt.cli.models",
    "info": "mobilevsr_rt.cli.info",
    "bench": "mobilevsr_rt.cli.bench",
    "upscale": "mobilevsr_rt.cli.upscale",
    "demo": "mobilevsr_rt.cli.demo",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every registered subcommand."""
    common = common_options(verbose=True)
    parser = argparse.ArgumentParser(prog=PROG, description="Real-time video super-resolution runtime",
                                     parents=[common])
    parser.add_argument("--version", action="version", version=version_text(PROG))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = import_module(module_name)
        command = sub.add_parser(name, help=module.__doc__.strip().splitlines()[0], description=module.__doc__,
                                 parents=[common])
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mobilevsr-rt`` console script; see :mod:`mobilevsr_rt.cli.options` for exit codes."""
    def parse() -> argparse.Namespace:
        args = build_parser().parse_args(argv)
        args.verbose = getattr(args, "verbose", False)
        return args

    return run_main(PROG, parse)


if __name__ == "__main__":
    sys.exit(main())
