"""The set-up files agree with each other: pins, Binder, CI and the README's two commands."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib import metadata

import jupytext
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


def _canonical(requirement: str) -> str:
    """The normalised distribution name of a requirement such as ``"numba-cuda==0.30.4"``."""
    name = re.match(r"[A-Za-z0-9_.\-]+", requirement).group()
    return re.sub(r"[-_.]+", "-", name).lower()


def _with_dependencies(names: list[str]) -> set[str]:
    """The distributions ``names`` and everything they require (without extras), installed."""
    seen: set[str] = set()
    todo = [_canonical(name) for name in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_canonical(r) for r in requirements if "extra ==" not in r]
    return seen


def _required_imports(source: str) -> set[str]:
    """Top-level modules a piece of code imports, except those it tries (optional ones)."""
    tree = ast.parse("\n".join(line for line in source.splitlines()
                               if not line.lstrip().startswith(("%", "!"))))
    optional = {id(node) for t in ast.walk(tree) if isinstance(t, ast.Try)
                for stmt in t.body for node in ast.walk(stmt)}
    modules = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"nnlib", "__future__"}


def test_the_book_extra_provides_everything_the_chapters_import():
    """`pip install -e .[book]` (with `[cuda]` for the CUDA path) runs every chapter."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    provided = _with_dependencies(project["dependencies"] + extras["book"] + extras["cuda"])
    sources = [cell.source for folder in ("chapters", "exercises")
               for md in sorted((ROOT / folder).glob("*.md"))
               for cell in jupytext.read(md).cells if cell.cell_type == "code"]
    sources += [path.read_text() for path in sorted((ROOT / "nnlib").rglob("*.py"))]
    imported = set().union(*map(_required_imports, sources))
    distributions = metadata.packages_distributions()
    missing = {module: distributions.get(module) for module in sorted(imported)
               if not provided & {_canonical(d) for d in distributions.get(module, [])}}
    assert not missing, f"imported, but not provided by pyproject's dependencies: {missing}"
