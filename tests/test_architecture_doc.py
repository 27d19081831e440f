"""docs/architecture.md names real code: every module.function in its table of rules (and any
other dotted name or file the page names) exists, so the page cannot drift from the code."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "architecture.md").read_text()
APPS = ("school", "courses", "exams", "notifications", "config")
DOTTED = re.compile(rf"^(?:{'|'.join(APPS)})(?:\.\w+)+$")


def resolve(dotted: str) -> object:
    """The object a dotted name points at: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


def rule_table() -> dict[str, list[str]]:
    """The rows of "Where each rule is written": rule -> the names in its second column."""
    section = PAGE.split("## Where each rule is written", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("rule", "---"):
            continue
        rows[cells[0]] = re.findall(r"`([^`]+)`", cells[1])
    return rows


def test_the_table_names_twenty_rules_each_with_its_code():
    rows = rule_table()
    assert len(rows) >= 20
    assert [rule for rule, names in rows.items() if not names] == []
    assert [name for names in rows.values() for name in names if not DOTTED.match(name)] == []


@pytest.mark.parametrize("name", sorted({n for names in rule_table().values() for n in names}))
def test_every_rule_in_the_table_is_a_real_object(name):
    assert resolve(name) is not None


def test_every_dotted_name_and_file_on_the_page_exists():
    quoted = set(re.findall(r"`([^`\s]+)`", PAGE))
    missing = [name for name in sorted(quoted) if DOTTED.match(name) and not _resolves(name)]
    paths = [q for q in quoted if "/" in q and re.match(r"^\w[\w./]*$", q)]
    missing += [path for path in sorted(paths) if not (ROOT / path).exists()]
    assert missing == []


def _resolves(name: str) -> bool:
    try:
        resolve(name)
    except (ImportError, AttributeError):
        return False
    return True
