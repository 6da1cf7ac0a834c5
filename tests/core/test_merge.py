"""The front-matter merge: key by key, the body by git merge-file, byte for byte elsewhere."""

import os
import random

import pytest

from reviewer.core.frontmatter_text import read, set_keys
from reviewer.core.merge import BODY, Unmergeable, merge_files, merge_texts
from tests.helpers import CORPUS, EXAMPLES

BASE = """---
title: "Robots in Lisbon"
quality: 50
heat: 3
published: false
topics:
- AI
- Robotics
---
The body.
"""


def test_neighbouring_keys_changed_on_each_side_merge():
    ours = BASE.replace("quality: 50", "quality: 80")
    theirs = BASE.replace("heat: 3", "heat: 9")
    merged = merge_texts(BASE, ours, theirs)
    assert merged.clean
    assert merged.text == BASE.replace("quality: 50", "quality: 80").replace("heat: 3", "heat: 9")


def test_a_list_key_is_one_block_and_a_key_added_on_one_side_lands_where_it_was_added():
    ours = BASE.replace("published: false", "published: true")
    theirs = BASE.replace("- Robotics\n", "- Robotics\n- Lisbon\n").replace("heat: 3\n", "heat: 3\nlogo: x.png\n")
    merged = merge_texts(BASE, ours, theirs)
    assert merged.clean
    expected = BASE.replace("published: false", "published: true").replace("- Robotics\n", "- Robotics\n- Lisbon\n")
    assert merged.text == expected.replace("heat: 3\n", "heat: 3\nlogo: x.png\n")


def test_a_key_removed_on_one_side_and_left_alone_on_the_other_is_removed():
    ours = BASE.replace("quality: 50", "quality: 60")
    theirs = BASE.replace("published: false\n", "")
    assert merge_texts(BASE, ours, theirs).text == ours.replace("published: false\n", "")


@pytest.mark.parametrize("gap", ["", "\n", "\n# old note\n"])
def test_a_comment_theirs_wrote_above_a_key_ours_deleted_is_kept_or_a_conflict(gap):
    base = f"---\na: 1\n{gap}k: 2\nz: 3\n---\nBody\n"
    ours = "---\na: 1\nz: 3\n---\nBody\n"
    theirs = f"---\na: 1\n{gap}# a new note\nk: 2\nz: 3\n---\nBody\n"
    merged = merge_texts(base, ours, theirs)
    assert "# a new note" in merged.text or [c.key for c in merged.conflicts] == ["(comments before k)"]
    rng = random.Random(len(gap))
    for _ in range(200):  # the same shape around other keys and comments
        keys = [f"k{i}: {i}\n" for i in range(6)]
        gone = rng.randrange(6)
        base = "---\n" + "".join(("\n" if rng.random() < 0.5 else "") + k for k in keys) + "---\n"
        lines = base.splitlines(keepends=True)
        at = lines.index(keys[gone])
        ours = "".join(lines[:at] + lines[at + 1 :])
        theirs = "".join(lines[:at] + ["# added\n"] + lines[at:])
        merged = merge_texts(base, ours, theirs)
        assert "# added" in merged.text or merged.conflicts


def test_the_same_key_set_to_different_values_is_a_conflict_of_that_key_only():
    ours = BASE.replace("quality: 50", "quality: 80").replace("heat: 3", "heat: 4")
    theirs = BASE.replace("quality: 50", "quality: 20")
    merged = merge_texts(BASE, ours, theirs, path="a.md")
    assert [(c.path, c.key, c.base, c.ours, c.theirs) for c in merged.conflicts] == [
        ("a.md", "quality", "quality: 50\n", "quality: 80\n", "quality: 20\n")
    ]
    settled = merge_texts(BASE, ours, theirs, chosen={"quality": "quality: 20\n"})
    assert settled.clean
    assert settled.text == BASE.replace("quality: 50", "quality: 20").replace("heat: 3", "heat: 4")


def test_the_same_change_on_both_sides_is_no_conflict():
    ours = theirs = BASE.replace("quality: 50", "quality: 80")
    assert merge_texts(BASE, ours, theirs).text == ours


def test_bodies_merge_by_lines_and_a_body_conflict_is_named():
    base = BASE + "line 2\nline 3\nline 4\n"
    ours = base.replace("The body.", "The body, edited.")
    theirs = base.replace("line 4", "line four")
    assert merge_texts(base, ours, theirs).text == base.replace("The body.", "The body, edited.").replace(
        "line 4", "line four"
    )
    clash = merge_texts(base, ours, base.replace("The body.", "Another body."))
    assert [c.key for c in clash.conflicts] == [BODY]


def test_crlf_and_a_bom_are_kept():
    base = "\ufeff" + BASE.replace("\n", "\r\n")
    ours = base.replace("quality: 50", "quality: 70")
    theirs = base.replace("heat: 3", "heat: 1")
    assert merge_texts(base, ours, theirs).text == base.replace("quality: 50", "quality: 70").replace(
        "heat: 3", "heat: 1"
    )


def test_a_side_that_cannot_be_read_or_names_a_key_twice_is_unmergeable():
    with pytest.raises(Unmergeable):
        merge_texts(BASE, "no front matter\n", BASE)
    with pytest.raises(Unmergeable):
        merge_texts(BASE, BASE.replace("heat: 3\n", "heat: 3\nheat: 4\n"), BASE)


def test_the_driver_writes_ours_when_clean_and_exits_1_on_a_conflict(tmp_path):
    files = {}
    for name, text in (
        ("base", BASE),
        ("ours", BASE.replace("quality: 50", "quality: 80")),
        ("theirs", BASE.replace("heat: 3", "heat: 9")),
    ):
        files[name] = tmp_path / name
        files[name].write_bytes(text.encode())
    assert merge_files(str(files["base"]), str(files["ours"]), str(files["theirs"]), "a.md") == 0
    assert files["ours"].read_text() == BASE.replace("quality: 50", "quality: 80").replace("heat: 3", "heat: 9")
    files["theirs"].write_text(BASE.replace("quality: 50", "quality: 10"))
    before = files["ours"].read_bytes()
    assert merge_files(str(files["base"]), str(files["ours"]), str(files["theirs"]), "a.md") == 1
    assert files["ours"].read_bytes() == before


def _articles():
    roots = [EXAMPLES] + ([CORPUS] if CORPUS.is_dir() else [])
    return sorted(p for root in roots for p in root.rglob("*.md") if p.name != "SOURCE.md")


def _change(rng, metadata, exclude):
    keys = [k for k in ("quality", "heat", "published") if k not in exclude]
    key = rng.choice(keys)
    current = metadata.get(key)
    if key == "published":
        value = not current if isinstance(current, bool) else rng.choice([True, False])
    else:
        value = (current if isinstance(current, int) and not isinstance(current, bool) else 0) + rng.randint(1, 500)
    return key, value


def _without(text, *keys):
    return "".join(line for line in text.splitlines(keepends=True) if line.split(":")[0] not in keys)


def test_the_driver_on_every_article_with_random_changes_on_both_sides():
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; only the bundled examples are merged")
    rng = random.Random(int(os.environ.get("REVIEWER_MERGE_SEED", "12")))
    merged_files = 0
    for path in _articles():
        base = path.read_bytes().decode("utf-8")
        try:
            metadata = read(base)[1]
        except Exception:
            continue  # not an article (a page without front matter)
        for _ in range(3):
            key_a, value_a = _change(rng, metadata, ())
            key_b, value_b = _change(rng, metadata, (key_a,))
            ours = set_keys(base, {key_a: value_a})
            theirs = set_keys(base, {key_b: value_b})
            expected = set_keys(ours, {key_b: value_b})
            merged = merge_texts(base, ours, theirs, path=str(path))
            assert merged.clean, (path, key_a, key_b)
            assert read(merged.text)[1] == read(expected)[1]
            # byte for byte outside the two keys' lines (where two added keys go may differ)
            assert _without(merged.text, key_a, key_b) == _without(base, key_a, key_b), (path, key_a, key_b)
            if key_a in metadata and key_b in metadata:
                assert merged.text == expected, (path, key_a, key_b)
            merged_files += 1
    assert merged_files >= 100


def test_any_text_on_either_side_merges_or_is_a_conflict_never_an_error(tmp_path):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    lines = st.sampled_from(
        ["quality: 80\n", "heat: 9\n", "published: true\n", "title: [\n", "- x\n", "  nested: 1\n", "---\n",
         "# note\n", "\n", "key: 'quote\n", "\r\n", "title: A\n", "x: !!int abc\n", "a: &x 1\n"]
    )  # fmt: skip

    @settings(max_examples=300, deadline=None)
    @given(st.lists(lines, max_size=8), st.lists(lines, max_size=8))
    def check(ours_lines, theirs_lines):
        ours = "---\n" + "".join(ours_lines) + "---\nbody\n"
        theirs = "---\n" + "".join(theirs_lines) + "---\nbody\n"
        for name, text in (("base", BASE), ("ours", ours), ("theirs", theirs)):
            (tmp_path / name).write_text(text, newline="")
        before = (tmp_path / "ours").read_bytes()
        result = merge_files(*(str(tmp_path / n) for n in ("base", "ours", "theirs")), "a.md")
        assert result in (0, 1)
        if result == 1:
            assert (tmp_path / "ours").read_bytes() == before  # left as git gave it
        else:  # a clean merge reads back as the base with both sides' changes
            with open(tmp_path / "ours", encoding="utf-8", newline="") as fh:
                merged = read(fh.read())[1]
            base = read(BASE)[1]
            expected = dict(base)
            for side in (read(ours)[1], read(theirs)[1]):
                for key in set(base) | set(side):
                    if key not in side:
                        expected.pop(key, None)
                    elif base.get(key) != side[key] or key not in base:
                        expected[key] = side[key]
            assert merged == expected

    check()


def test_a_whole_file_conflict_shows_the_first_line_where_the_sides_differ():
    from reviewer.core.merge import WHOLE_FILE, KeyConflict

    base = "title: News\nurl: https://a.example\nlang: en\n"
    ours = "title: News\nurl: https://a.example\nlang: fr\n"
    theirs = "title: News\nurl: https://a.example\nlang: de\nextra: 1\n"
    assert KeyConflict("_config.yml", WHOLE_FILE, base, ours, theirs).shown() == (
        "line 3: lang: en", "line 3: lang: fr", "line 3: lang: de"
    )  # fmt: skip
    shown = KeyConflict("_config.yml", WHOLE_FILE, "", "a\n", "a\nb\n").shown()
    assert shown == ("", "line 2: (the file ends)", "line 2: b")
    assert KeyConflict("x.md", "quality", "quality: 1\n", "quality: 2\n", "quality: 3\n").shown()[1] == "quality: 2\n"
