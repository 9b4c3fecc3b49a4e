"""The set-up files agree with each other: pins, Binder, CI and the README's two commands."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", re.MULTILINE)


def _pins(path) -> dict[str, str]:
    return {name.lower(): version for name, version in PIN.findall(path.read_text())}


def test_requirements_pin_exact_versions():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    loose = [line for line in lines if line != "-e ." and "==" not in line]
    assert not loose, f"unpinned requirements: {loose}"
    pins = _pins(ROOT / "requirements.txt")
    assert pins["torch"] == "2.13.0"
    assert pins["jupyter-book"].startswith("1.")
    assert pins["numpy"].startswith("2.")


def test_binder_uses_the_same_versions():
    book, binder = _pins(ROOT / "requirements.txt"), _pins(ROOT / "binder" / "requirements.txt")
    assert binder["torch"].endswith("+cpu"), "Binder must get the CPU-only build of PyTorch"
    assert "jupytext" in binder, "Binder needs jupytext to open the .md sources as notebooks"
    for name, version in binder.items():
        assert name in book, f"{name} is pinned for Binder but not in requirements.txt"
        assert version.split("+")[0] == book[name], f"{name}: {version} vs {book[name]}"


def test_ci_runs_the_readme_commands_verbatim():
    """.ci/run reads its two commands out of the README, so they cannot drift apart."""
    script = ROOT / ".ci" / "run"
    extract = (
        f'source <(sed -n "/^readme_command()/,/^}}/p" {script}); '
        "readme_command install-and-build; readme_command test"
    )
    result = subprocess.run(
        ["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True, check=True
    )
    commands = result.stdout.strip().splitlines()
    assert len(commands) == 2, commands
    readme = (ROOT / "README.md").read_text()
    for command in commands:
        assert f"```bash\n{command}\n```" in readme
    assert commands[1] == ".venv/bin/python -m pytest"
    assert "pip install -r requirements.txt" in commands[0]
    assert "jupyter-book build ." in commands[0]
