"""An import-linter contract type: no app imports another app's private names.

A name or module whose last part starts with one underscore (`_helper`, `services/_common.py`)
belongs to its app. Inside the app anything goes; from another app it is an error, whether it is
a module (`import courses._mod`, `from courses.services._mod import x`, `from courses import
_mod`) or a name (`from courses.services import _helper`).

import-linter's own contract types see modules, not the names imported from them, so this one
reads each module's source with `ast`. The apps are the contract's `apps`, or else the root
packages of `[tool.importlinter]`. `ignore_imports` lists known exceptions as
`importer -> imported` (`exams.views -> courses.views_office._id`); one that no longer occurs
breaks the contract too, so the list only shrinks. `make lint` runs it through `lint-imports`.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class PrivateImport(NamedTuple):
    importer: str
    line_number: int
    imported: str


def is_private(name: str) -> bool:
    """`_x` is private; a dunder such as `__version__` is not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(source: str, *, importer: str, apps: Iterable[str]) -> Iterator[PrivateImport]:
    """Each import in `source` (the module `importer`) of another app's private module or name."""
    own_app = importer.split(".")[0]
    other_apps = set(apps) - {own_app}

    def in_other_app(module: str) -> bool:
        return module.split(".")[0] in other_apps

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if in_other_app(alias.name) and any(map(is_private, alias.name.split("."))):
                    yield PrivateImport(importer, node.lineno, alias.name)
        # A relative import (level > 0) never leaves its own app.
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not in_other_app(node.module):
                continue
            if any(map(is_private, node.module.split("."))):
                yield PrivateImport(importer, node.lineno, node.module)
                continue
            for alias in node.names:
                if is_private(alias.name):
                    yield PrivateImport(importer, node.lineno, f"{node.module}.{alias.name}")


def source_file(module: str) -> Path | None:
    """The file of `module`, found from its top-level package without importing the module."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    if not rest:
        return origin
    base = origin.parent.joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


class PrivateNamesContract(Contract):
    """No app imports a module or name that another app keeps private (a leading `_`)."""

    apps = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.StringField(), required=False)

    def _apps(self) -> list[str]:
        if self.apps:  # type: ignore[attr-defined]
            return list(self.apps)  # type: ignore[attr-defined]
        return list(self.session_options.get("root_packages") or [])

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        apps = self._apps()
        found: list[PrivateImport] = []
        for module in sorted(graph.modules):
            if module.split(".")[0] not in apps:
                continue
            path = source_file(module)
            if path is None:
                continue
            output.verbose_print(verbose, f"Reading {module}")
            found.extend(
                private_imports(path.read_text(encoding="utf-8"), importer=module, apps=apps)
            )
        ignored = {
            " -> ".join(part.strip() for part in line.split("->"))
            for line in self.ignore_imports or ()  # type: ignore[attr-defined]
        }
        broken = [each for each in found if f"{each.importer} -> {each.imported}" not in ignored]
        stale = sorted(ignored - {f"{each.importer} -> {each.imported}" for each in found})
        return ContractCheck(
            kept=not broken and not stale,
            metadata={"private_imports": broken, "stale_ignores": stale},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        if check.metadata["private_imports"]:
            output.print_error("These import another app's private names:", bold=False)
            output.new_line()
            for found in check.metadata["private_imports"]:
                output.print_error(
                    f"- {found.importer} -> {found.imported} (l.{found.line_number})", bold=False
                )
            output.new_line()
            output.print(
                "Make the name public in its app (drop the underscore), or call a public "
                "function that uses it."
            )
            output.new_line()
        if check.metadata["stale_ignores"]:
            output.print_error("These ignore_imports no longer occur; remove them:", bold=False)
            output.new_line()
            for line in check.metadata["stale_ignores"]:
                output.print_error(f"- {line}", bold=False)
            output.new_line()
