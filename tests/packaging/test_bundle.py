"""The PyInstaller one-folder bundle builds, passes its own --self-test and stays lean.

Marked `packaging` (run by `./dev slow` and `.ci/run`, not by the default test run): it builds
the application bundle and, as the size baseline, a bare PySide6 window from the same spec.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging
ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "trainer.spec"
SIZE_TARGET = 1.2


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(tmp: Path, bare: bool) -> Path:
    env = {**os.environ, "TRAINER_BUNDLE": "bare" if bare else "app"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(tmp / "dist"),
            "--workpath",
            str(tmp / "build"),
            str(SPEC),
        ],
        check=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    name = "bare-window" if bare else "trainer"
    return tmp / "dist" / name / name


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("bundles")
    return build(tmp, bare=False), build(tmp, bare=True)


def test_the_bundle_passes_its_self_test(bundles: tuple[Path, Path], tmp_path: Path) -> None:
    app, _ = bundles
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TRAINER_DATA_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [str(app), "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test passed" in done.stdout
    assert "scenario bank" in done.stdout and "main window" in done.stdout


def test_the_bundle_carries_the_bank_and_validates_it(
    bundles: tuple[Path, Path], tmp_path: Path
) -> None:
    app, _ = bundles
    bank = app.parent / "_internal" / "scenarios"
    assert len(list(bank.rglob("*.yaml"))) >= 120
    done = subprocess.run(
        [str(app), "validate", str(bank)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_bundle_stays_lean(bundles: tuple[Path, Path]) -> None:
    app, bare = bundles
    ours, baseline = folder_size(app.parent), folder_size(bare.parent)
    ratio = ours / baseline
    print(
        f"\nbundle {ours / 1e6:.1f} MB, bare PySide6 window {baseline / 1e6:.1f} MB: {ratio:.2f}x"
    )
    assert ratio <= SIZE_TARGET
    inside = {p.name for p in app.parent.rglob("*")}
    assert not any(n.startswith(("libQt6Quick", "libQt6Qml", "libQt6WebEngine")) for n in inside)
