"""`./dev app` names the missing X libraries and the apt-get line before Qt can abort."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from trainer import system_libs
from trainer.system_libs import XCB_LIBRARIES, check, install_line, needs_xcb

LDD_OUTPUT = """\
/x/plugins/platforms/libqxcb.so:
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f65)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
/x/plugins/xcbglintegrations/libqxcb-glx-integration.so:
\tlibxcb-icccm.so.4 => not found
\tlibxcb-glx.so.0 => /lib/x86_64-linux-gnu/libxcb-glx.so.0 (0x00007f65)
"""


def never(*_args: object) -> set[str]:
    raise AssertionError("the libraries should not be looked up")


@pytest.mark.parametrize(
    ("platform_env", "platform", "expected"),
    [
        (None, "linux", True),
        ("xcb", "linux", True),
        ("xcb:nodbus", "linux", True),
        ("offscreen", "linux", False),
        ("wayland", "linux", False),
        (None, "darwin", False),
        (None, "win32", False),
    ],
)
def test_only_the_xcb_platform_on_linux_is_checked(
    platform_env: str | None, platform: str, expected: bool
) -> None:
    environ = {} if platform_env is None else {"QT_QPA_PLATFORM": platform_env}
    assert needs_xcb(environ, platform) is expected


def test_missing_libraries_give_the_exact_apt_get_line() -> None:
    status, message = check(
        lambda: {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}, {}, "linux", root=False
    )
    assert status == 1
    assert "\n  sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n" in message
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in message
    assert "libxcb-cursor0" not in message  # Qt's own message blames it wrongly


def test_as_root_the_line_has_no_sudo() -> None:
    _, message = check(lambda: {"libxcb-icccm.so.4"}, {}, "linux", root=True)
    assert "\n  apt-get install libxcb-icccm4\n" in message


def test_nothing_missing_starts_qt() -> None:
    assert check(set, {}, "linux") == (0, "")


def test_offscreen_and_other_systems_are_not_looked_up() -> None:
    assert check(never, {"QT_QPA_PLATFORM": "offscreen"}, "linux") == (0, "")
    assert check(never, {}, "darwin") == (0, "")


def test_an_unknown_library_is_named_as_it_is() -> None:
    assert install_line({"libfoo.so.2", "libxcb-util.so.1"}, root=True) == (
        "apt-get install libfoo.so.2 libxcb-util1"
    )


def test_ldd_output_is_read_for_what_it_cannot_find(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_libs, "xcb_plugins", lambda: [Path("/x/libqxcb.so")])
    monkeypatch.setattr(system_libs, "_output", lambda _command: LDD_OUTPUT)
    assert system_libs.missing_libraries() == {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}


def test_without_the_plugin_the_linker_cache_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    known = [n for n in XCB_LIBRARIES if n != "libxcb-keysyms.so.1"]
    cache = "\n".join(f"\t{n} (libc6,x86-64) => /lib/x86_64-linux-gnu/{n}" for n in known)
    monkeypatch.setattr(system_libs, "xcb_plugins", list)
    monkeypatch.setattr(
        system_libs, "_output", lambda _command: f"{len(known)} libs found\n{cache}"
    )
    assert system_libs.missing_libraries() == {"libxcb-keysyms.so.1"}


def test_the_table_covers_every_library_the_installed_plugin_needs() -> None:
    objdump = shutil.which("objdump")
    plugins = system_libs.xcb_plugins()
    if objdump is None or not plugins:
        pytest.skip("needs objdump (binutils) and PySide6's xcb plugin")
    out = subprocess.run([objdump, "-p", *map(str, plugins)], capture_output=True, text=True)
    needed = set(re.findall(r"NEEDED\s+(\S+)", out.stdout))
    system = {n for n in needed if not n.startswith("libQt6")}
    basic = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1"}
    assert system - basic - XCB_LIBRARIES.keys() == set()


def test_the_readme_lists_every_package() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = {p for p in XCB_LIBRARIES.values() if not re.search(rf"\b{re.escape(p)}\b", readme)}
    assert missing == set()


def test_the_module_runs_as_dev_app_runs_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "trainer.system_libs"],
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_dev_app_runs_the_check_before_the_application() -> None:
    dev = (ROOT / "dev").read_text(encoding="utf-8")
    line = next(x for x in dev.splitlines() if x.strip().startswith("app)"))
    assert line.index("trainer.system_libs &&") < line.index('there trainer "$@"')
