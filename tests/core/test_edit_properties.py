"""Property: on any generated front matter, an edit changes only the key's line and reads back as intended."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.core.frontmatter_text import EditError, parse, set_keys, split
from tests.helpers import changed_lines, key_of

KEYS = ["title", "excerpt", "type", "heat", "category", "webUrl"]
safe_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20)


@st.composite
def scalar_line(draw, key):
    style = draw(st.sampled_from(["plain", "single", "double", "int", "flow", "empty"]))
    if style == "int":
        value = str(draw(st.integers(-5, 500)))
    elif style == "flow":
        value = "[" + ", ".join(draw(st.lists(st.sampled_from(["AI", "ML", "'x y'"]), max_size=3))) + "]"
    elif style == "empty":
        value = ""
    else:
        text = draw(safe_text)
        if style == "single":
            value = "'" + text.replace("'", "''") + "'"
        elif style == "double":
            value = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        else:
            value = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' if text else "word"
    comment = draw(st.sampled_from(["", "  # note", " #"]))
    trailing = draw(st.sampled_from(["", " ", "\t"]))
    return f"{key}:{' ' if value else ''}{value}{comment if value else ''}{trailing}"


@st.composite
def documents(draw):
    lines = []
    for key in draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=6)):
        lines.append(draw(scalar_line(key)))
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# a comment"])))
    for key, values in (("quality", st.integers(0, 400)), ("published", st.booleans())):
        if draw(st.booleans()):
            value = draw(values)
            written = str(value).lower() if isinstance(value, bool) else str(value)
            lines.insert(
                draw(st.integers(0, len(lines))), f"{key}: {written}{draw(st.sampled_from(['', ' # c', '  ']))}"
            )
    if draw(st.booleans()):
        lines.append("topics:\n  - AI\n  - 'Computer Vision'")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = "\ufeff" if draw(st.booleans()) else ""
    body = draw(st.sampled_from(["", "Body text.\n", "---\nquality: 3\n"]))
    end = draw(st.sampled_from([newline, ""])) if not body else newline
    text = (
        bom
        + "---"
        + newline
        + newline.join("\n".join(lines).split("\n"))
        + (newline if lines else "")
        + "---"
        + end
        + body
    )
    return text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents(), quality=st.integers(0, 10_000), published=st.booleans())
def test_edit_changes_only_the_key_lines(text, quality, published):
    sp = split(text)
    old = parse(sp.yaml_text(text))
    try:
        new_text = set_keys(text, {"quality": quality, "published": published}, old)
    except EditError:
        return  # refusing is always allowed; a wrong edit is not
    new_sp = split(new_text)
    new = parse(new_sp.yaml_text(new_text))
    assert new == {**old, "quality": quality, "published": published}
    removed, added = changed_lines(text.encode(), new_text.encode())
    assert {key_of(line) for line in added} <= {"quality", "published"}
    assert {key_of(line) for line in removed} <= {"quality", "published"}
    differing = [
        k
        for k, v in (("quality", quality), ("published", published))
        if k not in old or old[k] != v or type(old[k]) is not type(v)
    ]
    assert len(added) == len(differing)
    assert new_text.startswith("\ufeff") == text.startswith("\ufeff")
    assert text[sp.body_start :] == new_text[new_sp.body_start :]
    if sp.newline == "\r\n":
        front = new_text[: new_sp.body_start]
        assert front.count("\n") == front.count("\r\n")


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents())
def test_fast_parse_equals_the_safe_loader(text):
    import yaml

    from reviewer.core.frontmatter_text import Loader

    sp = split(text)
    expected = yaml.load(sp.yaml_text(text), Loader=Loader) or {}
    got = parse(sp.yaml_text(text))
    assert got == expected
    assert repr(got) == repr(expected)
