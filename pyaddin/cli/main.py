"""The `beian` command line: the group that turns every failure into exit 2 with one line on
stderr, and the list of commands (each in `pyaddin/cli/commands/`)."""

from __future__ import annotations

import os
import sys
import traceback

import click

from ..errors import BeianError
from ..version import __version__
from .commands import (
    COMMANDS,
    zh_click,  # noqa: F401  (click's own words in Chinese)
)
from .commands.common import EXIT_CANNOT_RUN


class BeianGroup(click.Group):
    """Turns every failure into exit 2 with one line on stderr and no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BeianError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_CANNOT_RUN)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            # `beian … | head`: the reader left; say nothing more and exit as a shell would (128 + SIGPIPE)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except OSError as exc:
            # an output folder made by a command (history/, bags/ …) or a file the OS refused: name
            # the path and the reason, never 内部错误
            from ..adapters.output_files import os_reason

            where = f"“{exc.filename}”" if exc.filename else ""
            click.echo(f"无法读写{where}：{os_reason(exc)}，请检查该路径（或换一个 --out 文件夹）后重试。 "
                       f"/ {exc.strerror or exc}", err=True)
            sys.exit(EXIT_CANNOT_RUN)
        except KeyboardInterrupt:
            click.echo("已中断。 / Interrupted.", err=True)
            sys.exit(EXIT_CANNOT_RUN)
        except BaseException as exc:  # noqa: BLE001 - never show a traceback to a user
            # (BaseException: a Rust panic from a native library is pyo3's PanicException, which
            # `except Exception` never sees; the reader turns its own into "cannot read" lines)
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            if os.environ.get("BEIAN_DEBUG"):
                traceback.print_exc()
            click.echo(f"内部错误：{type(exc).__name__}: {exc}；请设置 BEIAN_DEBUG=1 重试并把输出发给维护者。 "
                       f"/ Internal error.", err=True)
            sys.exit(EXIT_CANNOT_RUN)


@click.group(cls=BeianGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="beian")
def main() -> None:
    """beian：营销活动备案台账助手（校验、到期提醒、文书、归档、周报）。"""


for _command in COMMANDS:
    main.add_command(_command)


def entry() -> None:
    """The process entry point (`beian`, `python -m pyaddin`). A run is a short-lived process that
    builds about a million objects (cells, rows, findings) and frees them at exit: the objects from
    imports are moved out of the cyclic collector's way and it runs less often (~4 % of `check`)."""
    import gc

    from ..adapters.output_files import remove_temps_on_sigterm

    remove_temps_on_sigterm()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    main()
