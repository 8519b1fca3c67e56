"""The command line: check, fix, rules (and emulate). Exit codes follow ruff:
0 nothing to report, 1 findings remain (for ``fix --diff``: a diff exists), 2 usage,
configuration or internal error."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import os
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence, Tuple

import click

from . import __version__
from .report import ALIASES as FORMAT_ALIASES
from .report import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: Optional[str]) -> Tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


def _common(func: Callable) -> Callable:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--target", metavar="MODEL", help="Model to migrate to (default: gpt-image-2)."),
        click.option("--today", metavar="YYYY-MM-DD", help="Date that decides which models are retired (default: today)."),
        click.option("--catalog", "catalog_path", type=click.Path(path_type=Path, dir_okay=False), help="A newer catalogue of models (TOML)."),
        click.option("--select", metavar="CODES", help="Comma-separated rule codes or prefixes to run (default: DM)."),
        click.option("--ignore", metavar="CODES", help="Comma-separated rule codes or prefixes to skip."),
        click.option("--exclude", metavar="GLOB", multiple=True, help="File or folder names to skip (repeatable)."),
        click.option(
            "--format", "--output-format", "output_format", type=click.Choice([*FORMATS, *FORMAT_ALIASES]), default="text",
            show_default=True, callback=lambda ctx, param, value: FORMAT_ALIASES.get(value, value),
            help="Report format (`--output-format` as ruff spells it; `full` and `concise` are the text report).",
        ),
        click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of each finding."),
        click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to a file."),
        click.option("--unsafe-fixes", is_flag=True, default=None, help="Include fixes that change working behaviour."),
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Read settings from this file instead of the nearest pyproject.toml."),
        click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
        click.option("--force-exclude", is_flag=True, help="Apply the excludes to files named on the command line too (for pre-commit)."),
        click.option("--stdin-filename", metavar="PATH", help="With `-`: the name the code on standard input has (its kind, and the report's path)."),
        click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Processes for the files that need parsing (default: the CPU count; few files stay in one process)."),
        click.option("--no-progress", "progress", flag_value=False, default=True, help="No progress line on standard error."),
        click.option("--no-cache", "cache", flag_value=False, default=True, help="Neither read nor write the cache of what the project's files import (.dalle_migrate_cache)."),
        click.option("-q", "--quiet", is_flag=True, help="Print nothing on success."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _observed() -> bool:
    """Whether a profiler, a tracer or a coverage tool watches the process: through the old
    hooks, or (Python 3.12 and newer: cProfile on 3.13, coverage) through ``sys.monitoring``."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(tool) is not None for tool in range(6))


# Set by the installed command, which ends the process with the run (``os._exit``): the run need
# not collect the garbage of its last analysis (0.02 s after a large module), nothing outlives it.
_PROCESS_ENDS = False


def run_command() -> None:
    """The installed command (and ``python -m dalle_migrate``): ``main``, then an exit that skips
    tearing the interpreter down. Freeing every object a run built (parsed modules, the
    project's index) one by one at exit was a tenth of a pre-commit run on a large module;
    the output is flushed first, and nothing the run writes waits for the exit."""
    global _PROCESS_ENDS
    _PROCESS_ENDS = True
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message"): printed, exit status 1, as the interpreter does
            print(exc.code, file=sys.stderr)
            code = 1
    if _observed():
        sys.exit(code)  # a profiler or a coverage tool writes its report at exit: let it
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can be shown
            pass
    os._exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dalle-migrate")
def main() -> None:
    """Find OpenAI image API calls on retired models and rewrite them for gpt-image-2."""


@main.command()
@_common
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add `# noqa: DMxxx` to the line of every current finding (adopting the gate on a large "
    "repository: only new findings fail it); files without comments are listed with the "
    "per-file-ignores entry that would silence them.",
)
def check(add_noqa: bool = False, **options) -> None:
    """Report image calls that fail or will fail; change no file (but `--add-noqa`). What it
    learns of the project is kept in .dalle_migrate_cache/ (--no-cache: nothing)."""
    sys.exit(_guarded(lambda: _run("check", add_noqa=add_noqa, **options)))


@main.command()
@_common
@click.option("--diff", is_flag=True, help="Print the changes as a unified diff; write nothing.")
def fix(**options) -> None:
    """Apply safe fixes in place (--unsafe-fixes for the rest)."""
    sys.exit(_guarded(lambda: _run("fix", **options)))


def _guarded(run) -> int:
    """The run's exit code; 2 for a bug of ours outside any one file's analysis (a traceback's
    own exit code, 1, would read as findings to a CI gate)."""
    try:
        return run()
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt, SystemExit):
        raise
    except Exception:  # noqa: BLE001 - reported whole, with the exit code the contract gives it
        import traceback

        click.echo(f"dalle-migrate: internal error, please report it:\n{traceback.format_exc()}", err=True)
        return EXIT_ERROR


@main.command()
@click.argument("code", required=False)
@click.option("--markdown", is_flag=True, help="Print every rule's page as one Markdown document.")
def rules(code: Optional[str], markdown: bool) -> None:
    """List the rules, or print one rule's page."""
    from .rules import ALL_RULES, RULES_BY_CODE
    from .rules.base import rules_document

    if markdown:
        click.echo(rules_document(), nl=False)
        return
    if code:
        rule = RULES_BY_CODE.get(code.upper()) or next((r for r in ALL_RULES if r.name == code), None)
        if rule is None:
            raise click.UsageError(f"unknown rule {code!r}; `dalle-migrate rules` lists them")
        click.echo(rule.page(), nl=False)
        return
    for rule in ALL_RULES:
        fix = {"safe": "fix", "unsafe": "unsafe fix"}.get(getattr(rule.fix_applicability, "value", ""), "no fix")
        click.echo(f"{rule.code}  {rule.name:<24} {rule.severity.value:<8} {fix:<11} {rule.summary}")


@main.command()
@click.option("--today", metavar="YYYY-MM-DD", help="Date that decides which models are retired (default: the configuration's, else today).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
def server(today: Optional[str], isolated: bool) -> None:
    """Run the language server (stdio): findings and fixes in your editor as you type.

    Needs `pip install 'dalle-migrate[server]'`. The README shows the setup for VS Code, Neovim
    and Helix.
    """
    try:
        import pygls  # noqa: F401
    except ImportError:
        raise click.UsageError("the language server needs pygls: pip install 'dalle-migrate[server]'") from None
    from .server import serve

    try:
        day = _dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise click.BadParameter(f"{today!r} is not a date written YYYY-MM-DD", param_hint="--today") from exc
    serve(day, isolated)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--target", "models", metavar="MODEL", multiple=True, help="Serve only these models (repeatable; default: every model still served on --today).")
@click.option("--today", metavar="YYYY-MM-DD", help="Date that decides which models are retired (default: today).")
@click.option("--catalog", "catalog_path", type=click.Path(path_type=Path, dir_okay=False), help="A newer catalogue of models (TOML).")
def emulate(host: str, port: int, models: Tuple[str, ...], today: Optional[str], catalog_path: Optional[Path]) -> None:
    """Run a local stand-in of the Images API for your tests (no network, no cost).

    It rejects what the real API rejects (retired models, unknown parameters, bad sizes and
    qualities) with the API's error bodies, answers valid requests with base64 PNGs, and logs
    every request with the parameter that made it fail. Point the SDK at it with
    OPENAI_BASE_URL=http://HOST:PORT/v1 and any OPENAI_API_KEY.
    """
    import time

    from .emulator import serve

    settings = _settings(None, today, catalog_path, False)
    for model in models:
        if not settings.catalog.is_known(model):
            raise click.BadParameter(f"unknown model '{model}'", param_hint="--target")
    try:
        server = serve(settings.catalog, settings.today, host=host, port=port, models=list(models) or None, log_stream=sys.stderr)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Images API stand-in on {server.base_url} serving: {', '.join(server.api.models)}", err=True)
    click.echo(f"  export OPENAI_BASE_URL={server.base_url} OPENAI_API_KEY=test", err=True)
    click.echo("Press Ctrl+C to stop.", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def _settings(target: Optional[str], today: Optional[str], catalog_path: Optional[Path], unsafe_fixes: bool, azure_deployments=(), cache: bool = True):
    from .settings import Settings, SettingsError

    try:
        settings, warning = Settings.checked(target, today, catalog_path, unsafe_fixes, azure_deployments, cache)
    except SettingsError as exc:
        if exc.option is not None:
            raise click.BadParameter(str(exc), param_hint=exc.option) from exc
        raise click.UsageError(str(exc)) from exc
    if warning:
        click.echo(f"warning: {warning}", err=True)
    return settings


def _base_folder(paths) -> str:
    """The folder the run was given: the one holding every path it was given (a file's own
    folder), or the current one when none was."""
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths] or [os.getcwd()]
    try:
        return os.path.commonpath(folders)
    except ValueError:  # (paths on different drives)
        return ""


def _add_noqa(report, quiet: bool) -> int:
    from .add_noqa import add_noqa, per_file_ignores
    from .report.common import display_path

    outcome = add_noqa([r for r in report.results if r.findings], display_path)
    if not quiet:
        click.echo(f"Added {outcome.added} noqa comment(s) in {outcome.files} file(s).")
    if outcome.left:
        click.echo(f"{len(outcome.left)} finding(s) could not get a comment:")
        for path, finding, why in outcome.left:
            click.echo(f"  {path}:{finding.row}:{finding.column}: {finding.code} ({why})")
        entries = per_file_ignores(outcome.left)
        click.echo("To accept them, add to [tool.dalle-migrate] in pyproject.toml:")
        click.echo("  per-file-ignores = { " + ", ".join(f'"{p}" = {codes!r}'.replace("'", '"') for p, codes in entries.items()) + " }")
    for r in report.errors:
        click.echo(f"{display_path(r.path)}: error: {r.error}", err=True)
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if outcome.left else EXIT_CLEAN


def _run(command: str, **options) -> int:
    """A run between the start and the end of its questions to git: what was asked ahead and
    never read is ended however the run ends."""
    from . import discover

    discover.begin_run()
    try:
        return _run_files(command, **options)
    finally:
        discover.end_run()


def _run_files(
    command: str,
    paths: Sequence[Path],
    target: Optional[str],
    today: Optional[str],
    catalog_path: Optional[Path],
    select: Optional[str],
    ignore: Optional[str],
    exclude: Sequence[str],
    output_format: str,
    output: Optional[Path],
    unsafe_fixes: Optional[bool],
    config_file: Optional[Path],
    isolated: bool,
    force_exclude: bool,
    statistics: bool,
    stdin_filename: Optional[str],
    jobs: Optional[int],
    progress: bool,
    cache: bool,
    quiet: bool,
    diff: bool = False,
    add_noqa: bool = False,
) -> int:
    from . import discover
    from .config import ConfigError, resolve
    from .discover import DEFAULT_EXCLUDES, Discovery
    from .findings import FileResult
    from .report import renderer
    from .report.common import RunReport, display_path
    from .runner import IMPORTERS_MAX_FILES, run as run_files
    from .selection import Selection, rule_codes
    try:
        config = resolve(config_file, isolated)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    discovery = Discovery(
        folder_excludes=DEFAULT_EXCLUDES if config.exclude is None else (),
        excludes=tuple(config.exclude or ()) + tuple(config.extend_exclude) + tuple(exclude),
        root=config.root,
        force_exclude=force_exclude,
    )
    reading_stdin = list(paths) == [Path("-")]
    if not reading_stdin:
        discovery.ask_git(list(paths) or [Path(".")])  # git answers while the catalogue loads
        if not force_exclude and 0 < len(paths) <= IMPORTERS_MAX_FILES and all(p.is_file() for p in paths):
            # A few files given: their project is walked for its index later (with
            # --force-exclude, the run's own walk asks git about their work tree already).
            discover.prefetch_git(Path(os.path.abspath(paths[0])).parent)
    try:
        unsafe_fixes = bool(config.unsafe_fixes) if unsafe_fixes is None else unsafe_fixes
        settings = _settings(
            target or config.target, today or config.today, catalog_path or config.catalog, unsafe_fixes, config.azure_deployments, cache
        )
        selection = Selection(
            select=_codes(select) or config.select or ("DM",),
            ignore=_codes(ignore) or config.ignore,
            per_file_ignores=config.per_file_ignores,
            root=config.root,
        )
        known = rule_codes()
        for code in selection.select + selection.ignore + tuple(c for _, codes in selection.per_file_ignores for c in codes):
            if not any(c.startswith(code) for c in known):
                source = f"in {config.path}" if config.path and code not in _codes(select) + _codes(ignore) else "in --select/--ignore"
                raise click.UsageError(f"no rule code starts with {code!r} ({source})")
    except BaseException:
        discovery.close()
        raise

    if reading_stdin:
        return _run_stdin(command, stdin_filename, settings, selection, output_format, diff)
    # What is imported by now lives as long as the run: the collector need not look at it again.
    gc.freeze()
    try:
        files = discovery.files(list(paths) or [Path(".")])
    finally:
        discovery.close()
    if command == "fix" and not diff:
        for stale in discovery.stale_temp_files:  # a killed run's half-written copies: ours to remove
            try:
                os.unlink(stale)
            except OSError:
                pass
    settings = dataclasses.replace(settings, base=_base_folder(paths))
    report = RunReport(command=command, unsafe_fixes=unsafe_fixes, diff_only=diff)
    show_progress = progress and output_format == "text" and not quiet and not statistics and sys.stderr.isatty()
    report.results = run_files(
        files, settings, selection, fix=command == "fix", write=not diff, display=display_path, jobs=jobs,
        progress=show_progress, excluded=discovery.excludes_file, ends_process=_PROCESS_ENDS,
    )
    report.results += [FileResult(Path(folder), error=why) for folder, why in discovery.errors]

    if add_noqa:
        return _add_noqa(report, quiet)
    if diff:
        diffs = "".join(r.diff for r in report.results)
        click.echo(diffs, nl=False)
        changed = sum(1 for r in report.results if r.changed)
        if not quiet:
            click.echo(f"Would fix {report.fixed_count} finding(s) in {changed} file(s).", err=True)
        for r in report.errors:
            click.echo(f"{display_path(r.path)}: error: {r.error}", err=True)
        if report.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if changed else EXIT_CLEAN

    if statistics:
        from .report.text import statistics as render_statistics

        rendered = render_statistics(report)
    else:
        rendered = renderer(output_format)(report)
    if output_format != "text" or statistics:
        # Machine formats hold findings; what could not be processed is said on standard error.
        for r in report.errors:
            click.echo(f"{display_path(r.path)}: error: {r.error}", err=True)
    remaining = len(report.findings)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
    elif not (quiet and remaining == 0 and not report.errors):
        click.echo(rendered, nl=False)
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if remaining else EXIT_CLEAN


def _run_stdin(command: str, filename: Optional[str], settings, selection, output_format: str, diff: bool) -> int:
    """`-`: read code from standard input; `fix` writes the fixed code to standard output and
    the report to standard error (as ruff does for editors)."""
    from .engine import run_text, unified_diff
    from .findings import FileResult
    from .report import renderer
    from .report.common import RunReport
    from .source import SourceError, SourceText

    name = filename or "-"
    data = sys.stdin.buffer.read()
    try:
        source = SourceText.decode(data)
    except SourceError as exc:
        raise click.UsageError(f"standard input cannot be decoded: {exc}") from exc
    result = run_text(source.text, filename or "stdin.py", settings, selection.for_file(Path(name)), fix=command == "fix", newline=source.newline)
    file_result = FileResult(Path(name), findings=result.findings, fixed=result.fixed, changed=result.text != source.text)
    report = RunReport(command=command, results=[file_result], unsafe_fixes=settings.unsafe_fixes, diff_only=diff)
    if command == "fix":
        if diff:
            click.echo(unified_diff(source.text, result.text, name), nl=False)
            return EXIT_FINDINGS if file_result.changed else EXIT_CLEAN
        sys.stdout.buffer.write(source.encode(result.text))
        sys.stdout.flush()
        click.echo(renderer(output_format)(report), nl=False, err=True)
    else:
        click.echo(renderer(output_format)(report), nl=False)
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    main()
