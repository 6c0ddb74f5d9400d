"""The built wheel, installed into a fresh virtualenv, runs the offline demo from any folder.

The fresh venv sees the already-installed dependencies through a `.pth` file (the tests run
offline and installing pyarrow/pandas/Scrapy again would cost a minute), so pip's resolver
still checks every declared pin against them, and omskcrawl itself — code and sample pages —
comes only from the wheel.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# A whole system per test (see `make test-system`): kept out of the fast suite.
pytestmark = pytest.mark.system

ROOT = Path(__file__).parent.parent
PIP_WHEEL = (sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation")
SOURCES = ("pyproject.toml", "requirements.txt", "README.md", "omskcrawl")


def _source_files() -> list[Path]:
    files = [ROOT / name for name in SOURCES if (ROOT / name).is_file()]
    files += [
        p
        for p in (ROOT / "omskcrawl").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]
    return sorted(files)


def copy_project(dest: Path, names: tuple[str, ...]) -> None:
    """The project's files (no caches) in `dest`: builds there leave the checkout clean."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, dest / name)


def build_wheel() -> Path:
    """The project's wheel, built once per source tree (cached by a hash of the sources)."""
    digest = hashlib.sha256()
    for path in _source_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    cache = Path(tempfile.gettempdir()) / "omskcrawl-test-wheels" / digest.hexdigest()[:16]
    found = sorted(cache.glob("omskcrawl-*.whl"))
    if found:
        return found[0]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        copy_project(src, SOURCES)
        out = Path(tmp) / "dist"
        subprocess.run(
            [*PIP_WHEEL, "--no-index", "-w", str(out), str(src)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        cache.mkdir(parents=True, exist_ok=True)
        (wheel,) = out.glob("omskcrawl-*.whl")
        shutil.copy2(wheel, cache / wheel.name)
    return cache / wheel.name


def normalized(requirement: str) -> str:
    req = Requirement(requirement)
    return f"{canonicalize_name(req.name)}{req.specifier}"


def pinned(path: Path) -> set[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text("utf-8").splitlines())
    return {normalized(line) for line in lines if line and not line.startswith("-")}


def test_wheel_declares_the_pins_and_carries_the_sample() -> None:
    wheel = build_wheel()
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        text = zf.read(metadata).decode("utf-8")
        entry_points = zf.read(metadata.replace("METADATA", "entry_points.txt")).decode()
    requires = {
        normalized(line.split(":", 1)[1].strip())
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert requires == pinned(ROOT / "requirements.txt")
    sample_pages = {
        str(p.relative_to(ROOT)) for p in (ROOT / "omskcrawl" / "sample").rglob("*") if p.is_file()
    }
    assert sample_pages and sample_pages <= set(names)
    assert "omskcrawl = omskcrawl.cli:main" in entry_points


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX venv layout")
def test_installed_wheel_replays_the_sample_from_another_folder(tmp_path: Path) -> None:
    wheel = build_wheel()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (target,) = (venv / "lib").glob("python3*/site-packages")
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (target / "_omskcrawl_test_deps.pth").write_text("\n".join(deps) + "\n")
    python = venv / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")}
    where = subprocess.run(
        [str(python), "-c", "import omskcrawl; print(omskcrawl.__file__)"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(target)
    result = subprocess.run(
        [str(venv / "bin" / "omskcrawl"), "replay", "--sample", "--spider", "gorod55"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    fixtures = len(list((ROOT / "omskcrawl" / "sample" / "sites").glob("*/*/meta.json")))
    assert f"packed {fixtures} sample pages" in result.stdout
    exports = workdir / "exports"
    df = pd.read_parquet(exports / "articles")
    assert len(df) >= 2 and set(df["source"].astype(str)) == {"gorod55"}
    (manifest,) = (exports / "runs").glob("*.json")
    assert json.loads(manifest.read_text("utf-8"))["failed_spiders"] == []
