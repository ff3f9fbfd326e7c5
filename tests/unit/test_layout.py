"""The package's layout keeps its promises: names in docstrings exist, one exception tree, one
entry point. (The import rules themselves are contracts in pyproject.toml, run by `make test`.)"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import crane_ctrl
import hmi
import simulators

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (crane_ctrl, hmi, simulators)
CROSS_REFERENCE = re.compile(
    r":(?:mod|class|func|meth|data|attr|exc|obj):`~?((?:crane_ctrl|hmi|simulators)(?:\.\w+)*)`"
)


def all_modules() -> Iterator[ModuleType]:
    for package in PACKAGES:
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not info.name.endswith("__main__"):
                yield importlib.import_module(info.name)


def resolves(target: str) -> bool:
    """Whether a dotted name is a module, or an attribute (or annotated field) reached from one."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                # a dataclass field or an attribute documented on its class, or nothing
                return isinstance(obj, type) and any(
                    name in getattr(c, "__annotations__", {}) for c in obj.__mro__
                )
            obj = getattr(obj, name)
        return True
    return False


def test_every_dotted_cross_reference_in_a_docstring_names_something_that_exists() -> None:
    found: list[str] = []
    broken: list[str] = []
    for package in PACKAGES:
        for path in sorted(Path(package.__path__[0]).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for target in CROSS_REFERENCE.findall(line):
                    found.append(target)
                    if not resolves(target):
                        broken.append(f"{path.relative_to(ROOT)}:{number}: {target}")
    assert len(found) > 100, "the pattern no longer finds the references"
    assert broken == []


def test_every_exception_class_is_defined_in_errors() -> None:
    elsewhere = [
        f"{module.__name__}.{name}"
        for module in all_modules()
        for name, cls in vars(module).items()
        if inspect.isclass(cls)
        and issubclass(cls, BaseException)
        and cls.__module__ == module.__name__
        and module.__name__ != "crane_ctrl.errors"
    ]
    assert elsewhere == []


def test_the_console_script_is_the_cli_main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    module, _, name = project["scripts"]["crane-ctrl"].partition(":")
    entry = getattr(importlib.import_module(module), name)
    from crane_ctrl.cli.main import main

    assert entry is main
