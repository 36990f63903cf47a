"""`pip install .` (not editable) gives a working meetbot: every package and the seeds ship.

The wheel is built from a copy of the tree with the build tools of this virtualenv
(--no-build-isolation: no network), unpacked, and run from a folder that has no seeds/ next to
it, against an empty data folder: the first answer must come from the seed meeting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_naghiyev_kauma.yaml"


def _setuptools_config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]


def test_every_package_of_the_tree_is_listed_for_the_wheel() -> None:
    listed = set(_setuptools_config()["packages"])  # type: ignore[arg-type]
    in_tree = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "storage")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert in_tree <= listed, f"add to [tool.setuptools] packages: {sorted(in_tree - listed)}"


def test_the_seeds_folder_is_package_data() -> None:
    config = _setuptools_config()
    assert config["package-dir"] == {"bot.seeds": "seeds"}  # type: ignore[comparison-overlap]
    patterns = config["package-data"]["bot.seeds"]  # type: ignore[index]
    assert {"*.yaml", "*.yml", "*.json"} <= set(patterns)


def test_an_installed_wheel_answers_from_its_seeds(tmp_path: Path) -> None:
    pytest.importorskip("wheel", reason="building a wheel offline needs the wheel package")
    source = _mkdir(tmp_path / "src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("bot", "storage", "seeds"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("meetbot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert f"bot/seeds/{SEED}" in archive.namelist()
        archive.extractall(tmp_path / "site")
    shutil.rmtree(source)  # no seeds/ beside the unpacked package, as after `pip install .`

    cwd, data = _mkdir(tmp_path / "elsewhere"), _mkdir(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEETBOT_", "DATABASE_"))}
    # The unpacked wheel comes first on the path, before this checkout's editable install.
    env.update(PYTHONPATH=str(tmp_path / "site"), MEETBOT_DATA_DIR=str(data))
    code = (
        "import sys, bot, bot.cli; assert bot.__file__.startswith(sys.argv[1]), bot.__file__; "
        "sys.exit(bot.cli.main(['ask', 'who met the OSCE PA president?']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "site")],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Ali Naghiyev" in done.stdout and "Pia Kauma" in done.stdout
    assert (data / "meetbot.db").exists()


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_eval_without_the_evaluation_set_says_so_in_one_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        ["make", "-s", "eval", f"EVAL={tmp_path / 'eval'}", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    said = [line for line in done.stderr.splitlines() if not line.startswith("make:")]
    assert len(said) == 1 and "evaluation set" in said[0] and str(tmp_path / "eval") in said[0]
    assert not (tmp_path / "venv").exists()  # nothing was installed first
