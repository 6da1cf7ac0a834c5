"""Golden files: each NAME.md edited as NAME.edit says gives NAME.expected.md byte for byte,
or is refused with the words in NAME.refused."""

from pathlib import Path

import pytest

from reviewer.core.frontmatter_text import UNSET, EditError, set_keys

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name[: -len(".edit")] for p in GOLDEN.glob("*.edit"))


def changes_of(name: str) -> dict:
    changes = {}
    for line in (GOLDEN / f"{name}.edit").read_text().splitlines():
        key, _, value = line.partition(": ")
        changes[key] = {"true": True, "false": False, "unset": UNSET}.get(value)
        if changes[key] is None:
            changes[key] = int(value)
    return changes


@pytest.mark.parametrize("name", CASES)
def test_golden_edit(name):
    text = (GOLDEN / f"{name}.md").read_bytes().decode("utf-8")
    refused = GOLDEN / f"{name}.refused"
    if refused.exists():
        with pytest.raises(EditError, match=refused.read_text()):
            set_keys(text, changes_of(name))
        return
    expected = (GOLDEN / f"{name}.expected.md").read_bytes()
    assert set_keys(text, changes_of(name)).encode("utf-8") == expected


def test_every_case_has_an_outcome():
    assert len(CASES) >= 10
    for name in CASES:
        assert (GOLDEN / f"{name}.expected.md").exists() != (GOLDEN / f"{name}.refused").exists(), name
