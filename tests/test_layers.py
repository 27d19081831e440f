"""The import contracts of pyproject.toml hold, and they catch what they are there to catch.

`make lint` runs the same contracts (`lint-imports`); these tests keep them honest: the real
code keeps them, an upward import between any two neighbouring layers breaks them, and so does
an import of another app's private name.
"""

import copy
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter import api
from importlinter.contracts.layers import LayersContract

from tests.import_contracts import PrivateNamesContract, private_imports

ROOT = Path(__file__).resolve().parents[1]
CONFIGURATION = api.read_configuration(str(ROOT / "pyproject.toml"))
SESSION = CONFIGURATION["session_options"]
APPS = SESSION["root_packages"]


def contract_options(contract_id: str) -> dict:
    (options,) = (c for c in CONFIGURATION["contracts_options"] if c["id"] == contract_id)
    return {k: v for k, v in options.items() if k not in ("id", "name", "type")}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*APPS, cache_dir=None)


def test_the_apps_keep_every_import_contract():
    result = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_layers_run_from_config_down_to_school():
    assert contract_options("layers")["layers"] == [
        "config",
        "exams",
        "courses",
        "notifications",
        "school",
    ]


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("school", "notifications"),
        ("notifications", "courses"),
        ("courses", "exams"),
        ("exams", "config"),
        ("school", "config"),
    ],
)
def test_an_upward_import_breaks_the_layers(graph, lower, higher):
    contract = LayersContract(
        name="layers", session_options=SESSION, contract_options=contract_options("layers")
    )
    assert contract.check(graph, verbose=False).kept

    upward = copy.deepcopy(graph)
    upward.add_import(
        importer=f"{lower}.apps", imported=f"{higher}.apps", line_number=1, line_contents="x"
    )
    assert not contract.check(upward, verbose=False).kept


def test_a_downward_import_keeps_the_layers(graph):
    contract = LayersContract(
        name="layers", session_options=SESSION, contract_options=contract_options("layers")
    )
    downward = copy.deepcopy(graph)
    downward.add_import(
        importer="notifications.apps", imported="school.apps", line_number=1, line_contents="x"
    )
    assert contract.check(downward, verbose=False).kept


def found(source: str, importer: str = "exams.services") -> list[tuple[int, str]]:
    return [
        (each.line_number, each.imported)
        for each in private_imports(source, importer=importer, apps=APPS)
    ]


@pytest.mark.parametrize(
    ("source", "imported"),
    [
        ("from courses.services import _lesson_hours", "courses.services._lesson_hours"),
        ("from courses.services import lesson_cancel, _hours", "courses.services._hours"),
        ("from courses.services._timetable import slot", "courses.services._timetable"),
        ("import courses._internal", "courses._internal"),
        ("import school._tools.dates as dates", "school._tools.dates"),
        ("from courses import _imports", "courses._imports"),
        ("def f():\n    from school.models import _Base", "school.models._Base"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from config._x import y",
            "config._x",
        ),
    ],
)
def test_importing_another_apps_private_name_is_found(source, imported):
    assert [name for _line, name in found(source)] == [imported]


@pytest.mark.parametrize(
    "source",
    [
        "from courses.services import lesson_cancel",
        "from exams._shared import helper",  # its own app
        "from exams.services import _private",  # its own app
        "from . import _private",  # relative: its own app
        "from ._timetable import slot",
        "from courses import __version__",  # a dunder is not private
        "from django.db import _private",  # not an app
        "import coursesx._private",  # not an app, only a longer name
    ],
)
def test_public_names_and_own_private_names_are_not_found(source):
    assert found(source) == []


def test_a_private_import_reports_its_line():
    source = "import datetime\n\nfrom courses.imports import Problem, _date\n"
    assert found(source, importer="exams.imports") == [(3, "courses.imports._date")]


def test_the_private_names_contract_lists_no_exception_that_no_longer_occurs(graph):
    options = contract_options("private-names")
    contract = PrivateNamesContract(
        name="private", session_options=SESSION, contract_options=options
    )
    assert contract.check(graph, verbose=False).kept

    stale = {**options, "ignore_imports": [*options.get("ignore_imports", []), "a.b -> c._d"]}
    contract = PrivateNamesContract(name="private", session_options=SESSION, contract_options=stale)
    check = contract.check(graph, verbose=False)
    assert not check.kept
    assert check.metadata["stale_ignores"] == ["a.b -> c._d"]


def test_the_private_names_contract_breaks_on_an_exception_it_no_longer_lists(graph):
    options = contract_options("private-names")
    if not options.get("ignore_imports"):
        pytest.skip("no known exception left to take away")
    fewer = {**options, "ignore_imports": options["ignore_imports"][1:]}
    contract = PrivateNamesContract(name="private", session_options=SESSION, contract_options=fewer)
    check = contract.check(graph, verbose=False)
    assert not check.kept
    dropped = options["ignore_imports"][0]
    assert [f"{f.importer} -> {f.imported}" for f in check.metadata["private_imports"]] == [dropped]
