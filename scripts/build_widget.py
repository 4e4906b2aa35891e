"""Build the web chat widget (widget/ -> widget/dist/) only when its inputs changed.

python scripts/build_widget.py            # npm ci if needed, npm run build if needed
python scripts/build_widget.py --force    # both, whatever the timestamps say

`npm ci` runs when widget/node_modules is missing or older than package-lock.json;
`npm run build` when a file in widget/dist is missing or older than anything in
widget/src, widget/demo, package.json, package-lock.json or build.mjs.
"""

from __future__ import annotations

import argparse
import fcntl
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "widget"
OUTPUTS = ("bank-chat.js", "bank-chat.css")
BUILD_INPUTS = ("src", "demo", "package.json", "package-lock.json", "build.mjs")
# npm writes this file on every install; it dates node_modules better than the folder.
INSTALL_STAMP = Path("node_modules") / ".package-lock.json"


class WidgetBuildError(RuntimeError):
    """Node/npm is missing or an npm command failed."""


@dataclass(frozen=True)
class WidgetPaths:
    root: Path = WIDGET

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def outputs(self) -> list[Path]:
        return [self.dist / name for name in OUTPUTS]

    @property
    def lock_file(self) -> Path:
        return self.root / "package-lock.json"

    @property
    def install_stamp(self) -> Path:
        return self.root / INSTALL_STAMP


def shown(path: Path) -> str:
    """`path` relative to the checkout when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from (file for file in path.rglob("*") if file.is_file())
        elif path.is_file():
            yield path


def install_reason(paths: WidgetPaths) -> str | None:
    """Why `npm ci` must run, or None when node_modules is current."""
    if not paths.install_stamp.exists():
        return "node_modules is missing"
    if paths.install_stamp.stat().st_mtime < paths.lock_file.stat().st_mtime:
        return "package-lock.json is newer than node_modules"
    return None


def build_reason(paths: WidgetPaths) -> str | None:
    """Why `npm run build` must run, or None when dist/ is current."""
    missing = [output.name for output in paths.outputs if not output.exists()]
    if missing:
        return f"dist/{missing[0]} is missing"
    oldest_output = min(output.stat().st_mtime for output in paths.outputs)
    inputs = list(_files([paths.root / name for name in BUILD_INPUTS]))
    newer = [file for file in inputs if file.stat().st_mtime > oldest_output]
    if newer:
        return f"{newer[0].relative_to(paths.root)} changed since the last build"
    return None


def npm_executable() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise WidgetBuildError(
            "building the web widget needs Node.js 18+ and npm on the PATH "
            f"(node: {node or 'not found'}, npm: {npm or 'not found'}); "
            "install them (https://nodejs.org or your package manager) and retry"
        )
    return npm


def run_npm(npm: str, args: list[str], cwd: Path) -> None:
    print(f"[widget] npm {' '.join(args)}", flush=True)
    result = subprocess.run([npm, *args], cwd=cwd, check=False)
    if result.returncode != 0:
        raise WidgetBuildError(f"`npm {' '.join(args)}` failed in {cwd} (exit {result.returncode})")


@contextmanager
def build_lock(paths: WidgetPaths) -> Iterator[None]:
    """One build at a time (`make run` and a test session may start together)."""
    with open(paths.root / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_built(paths: WidgetPaths | None = None, force: bool = False) -> Path:
    """Install and build the widget if its inputs changed; return widget/dist."""
    paths = paths or WidgetPaths()
    with build_lock(paths):
        install = "forced" if force else install_reason(paths)
        build = "forced" if force else build_reason(paths)
        if install is None and build is None:
            print(f"[widget] up to date: {shown(paths.dist)}", flush=True)
            return paths.dist
        npm = npm_executable()
        if install is not None:
            print(f"[widget] installing packages ({install})", flush=True)
            run_npm(npm, ["ci", "--no-audit", "--no-fund"], paths.root)
        if build is not None or install is not None:
            print(f"[widget] building ({build or 'packages reinstalled'})", flush=True)
            run_npm(npm, ["run", "build", "--silent"], paths.root)
    return paths.dist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the web chat widget when needed.")
    parser.add_argument("--force", action="store_true", help="npm ci and build regardless")
    args = parser.parse_args(argv)
    try:
        dist = ensure_built(force=args.force)
    except WidgetBuildError as error:
        print(f"[widget] error: {error}", file=sys.stderr)
        return 1
    for output in WidgetPaths().outputs:
        print(f"[widget] {shown(output)} ({output.stat().st_size:,} bytes)")
    print(f"[widget] the Rasa server serves {shown(dist)}/ at /webhooks/bank_web/widget/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
