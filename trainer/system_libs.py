"""Before Qt starts on an X display: are the system libraries of its xcb platform installed?

Qt aborts with a misleading message when one is missing (it names libxcb-cursor0 whatever is
absent), so `./dev app` runs this first: `python -m trainer.system_libs` prints the exact
`apt-get install` line for what is missing and exits 1. Qt-free and quick: it asks `ldd` which of
the plugin's libraries cannot be found, or the linker cache (`ldconfig -p`) when the plugin or
`ldd` is not there.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# What Qt 6.12's xcb platform plugin and its GL integrations load (their NEEDED entries, measured
# with objdump -p and ldd), beyond the libraries every Qt application needs, with the Debian and
# Ubuntu package that provides each.
XCB_LIBRARIES: Mapping[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
LINKER_CACHE = re.compile(r"^\s*(\S+)\s+\(", re.MULTILINE)

Lookup = Callable[[], set[str]]  # the sonames that cannot be loaded


def needs_xcb(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt will use its xcb platform: on Linux, unless another one is asked for."""
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    return platform.startswith("linux") and chosen in ("", "xcb")


def xcb_plugins() -> list[Path]:
    """The xcb plugin and its GL integrations in the installed PySide6 (found without Qt)."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    plugins = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins"
    found = [plugins / "platforms" / "libqxcb.so"]
    found += sorted((plugins / "xcbglintegrations").glob("*.so"))
    return [p for p in found if p.is_file()]


def _output(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def missing_by_ldd() -> set[str] | None:
    """The sonames `ldd` cannot find for the plugins, or None when it cannot be asked."""
    plugins = xcb_plugins()
    if not plugins:
        return None
    out = _output(["ldd", *map(str, plugins)])
    return None if out is None else set(NOT_FOUND.findall(out))


def missing_by_linker_cache() -> set[str]:
    """The listed sonames the dynamic linker's cache does not know."""
    out = _output(["ldconfig", "-p"]) or _output(["/sbin/ldconfig", "-p"])
    if out is None:
        return set()  # nothing to go by: let Qt try
    return set(XCB_LIBRARIES) - set(LINKER_CACHE.findall(out))


def missing_libraries() -> set[str]:
    found = missing_by_ldd()
    return missing_by_linker_cache() if found is None else found


def install_line(missing: set[str], root: bool) -> str:
    """E.g. 'sudo apt-get install libxcb-icccm4 libxcb-keysyms1' (packages sorted, no repeats)."""
    packages = sorted({XCB_LIBRARIES.get(name, name) for name in missing})
    return ("" if root else "sudo ") + "apt-get install " + " ".join(packages)


def check(
    lookup: Lookup = missing_libraries,
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    root: bool | None = None,
) -> tuple[int, str]:
    """(exit status, message): 0 and '' when Qt can start; 1 and what to install when not."""
    if not needs_xcb(environ, platform):
        return 0, ""
    missing = lookup()
    if not missing:
        return 0, ""
    if root is None:
        root = hasattr(os, "geteuid") and os.geteuid() == 0
    return 1, (
        "Qt cannot open a window here: its xcb platform needs system libraries that are not "
        f"installed ({', '.join(sorted(missing))}). Install them with:\n"
        f"  {install_line(missing, root)}\n"
        "(or run headless with QT_QPA_PLATFORM=offscreen)"
    )


def main() -> int:
    status, message = check()
    if message:
        print(message, file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
