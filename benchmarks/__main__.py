"""``python -m benchmarks [--quick] [NAME ...]`` — run the benchmarks and print ratios."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from rich.console import Console
from rich.table import Table

import benchmarks
from benchmarks.harness import Result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="just bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller inputs")
    parser.add_argument("names", nargs="*", help="only these groups (e.g. planning link)")
    args = parser.parse_args(argv)
    console = Console()
    if not console.is_terminal:  # logs and CI: wide enough to keep each figure on one line
        console = Console(width=max(console.width, 180))
    results: list[Result] = []
    modules = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    for name in modules:
        group = name.removeprefix("bench_")
        if args.names and group not in args.names:
            continue
        console.print(f"[bold]running {group}…[/bold]")
        module = importlib.import_module(f"benchmarks.{name}")
        results.extend(module.run(quick=args.quick))
    table = Table(title="Overwatch benchmarks (ratios against a baseline from this same run)")
    for column in ("group", "figure", "value", "baseline", "ratio", "target", "met"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.group,
            r.name,
            f"{r.value:.4g} {r.unit}",
            f"{r.baseline_name}: {r.baseline_value:.4g} {r.unit}",
            f"{r.ratio:.3g}×",
            r.target,
            "[green]yes[/green]" if r.ok else "[red]NO[/red]",
        )
        if r.note:
            table.add_row("", f"  {r.note}", "", "", "", "", "")
    console.print(table)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
