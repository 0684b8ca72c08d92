"""URL state and number parsing: the validation rules every page shares."""
import pytest

from app.state import (
    MAX_NOTES_SHOWN,
    BoolProp,
    ChoiceProp,
    FloatProp,
    IntListProp,
    IntProp,
    StateTable,
    embed_requested,
    notes_text,
    parse_number,
    parse_whole_number,
)

TABLE = StateTable(
    FloatProp("lr", 0.1, low=1e-5, high=10, label="learning rate"),
    IntProp("depth", 5, low=2, high=30, label="depth"),
    ChoiceProp("act", "tanh", choices=("tanh", "relu"), label="activation"),
    BoolProp("skip", False, label="residual"),
    IntListProp("layers", (4, 4), low=1, high=16, label="layers"),
)


@pytest.mark.parametrize("text, value", [("0.6", 0.6), ("−0.4", -0.4), ("1e-3", 1e-3), (" 2 ", 2.0), ("0,5", 0.5), ("-0", 0.0)])
def test_parse_number_accepts_what_people_type(text, value):
    assert parse_number(text) == value


def test_parse_number_reads_numbers_as_the_pages_write_them():
    # engine.text writes tiny and huge values as 3×10⁻⁵ and ticks as 10⁶: a learner may type one
    # back, and predict mode reads the factors shown on screen (lesson 1 panel 4 raised on them).
    from engine.text import fixed, plain
    for value in (3e-5, -2.5e4, 1e6, 1e-6, -1.234e-12, 6.02e23):
        assert parse_number(plain(value)) == pytest.approx(value, rel=1e-3)
        assert parse_number(fixed(value)) == pytest.approx(value, rel=1e-3)
    assert parse_number("10⁶") == 1e6 and parse_number("−10⁻³") == -1e-3
    for text in ["×10⁵", "2×10", "2×10⁵⁻", "10⁶⁶⁶"]:
        with pytest.raises(ValueError):
            parse_number(text)


def test_a_value_question_from_tiny_factors_on_screen_takes_their_product():
    from app.predict import shown_product_tolerance
    from engine.text import plain
    assert shown_product_tolerance(6e-5, [plain(3e-5), plain(2.0)]) == pytest.approx(1e-3)


@pytest.mark.parametrize("text", ["", "abc", "nan", "NaN", "inf", "-inf", "1e999", "<img src=x>", "9" * 100])
def test_parse_number_refuses_with_a_message(text):
    with pytest.raises(ValueError) as info:
        parse_number(text)
    assert str(info.value)


def test_round_trip_keeps_every_value():
    values = {"lr": 0.03, "depth": 12, "act": "relu", "skip": True, "layers": (8, 2, 3)}
    query = TABLE.to_query(values)
    restored, notes = TABLE.from_query(query)
    assert restored == values and notes == []


def test_minus_zero_is_written_as_zero():
    table = StateTable(FloatProp("w", 2.0, low=-5, high=5, label="weight"))
    values, notes = table.from_query("w=-0")
    assert notes == [] and table.to_query(values) == "?w=0"
    assert table.to_query({"w": -0.0}) == "?w=0"
    assert table.to_query({"w": -0.25}) == "?w=-0.25"


def test_defaults_give_an_empty_query():
    assert TABLE.to_query(TABLE.defaults()) == ""


def test_hostile_values_fall_back_with_plain_text_notes():
    query = "?lr=NaN&depth=1e308&act=%3Cscript%3Ealert(1)%3C/script%3E&skip=maybe&layers=99,x&bogus=1&embed=1"
    values, notes = TABLE.from_query(query)
    assert values["lr"] == 0.1 and values["act"] == "tanh" and values["skip"] is False
    assert values["depth"] == 30  # clamped, not rejected
    assert values["layers"] == (4, 4)
    assert len(notes) == 6
    assert not any("<script" in note for note in notes)


def test_out_of_range_is_clamped_with_a_note():
    values, notes = TABLE.from_query("lr=100&layers=20,0")
    assert values["lr"] == 10 and values["layers"] == (16, 1)
    assert "above" in notes[0]


def test_very_long_values_are_refused():
    values, notes = TABLE.from_query("act=" + "a" * 10_000)
    assert values["act"] == "tanh" and "too long" in notes[0]


# ------------------------------------------------------------------ links that used to stop a page

@pytest.mark.parametrize("layers", ["%C2%B2", "4,1%E2%82%82", "%EF%BC%94,2%C2%B9"])
def test_digits_that_int_refuses_fall_back_with_a_note(layers):
    # "²".isdigit() is True but int("²") raises: the page used to crash reading such a link.
    values, notes = TABLE.from_query(f"layers={layers}")
    assert values["layers"] == (4, 4) and len(notes) == 1 and "layers" in notes[0]


@pytest.mark.parametrize("text, value", [("12", 12), (" 3 ", 3), ("1e1", 10), ("4.0", 4), ("１２", 12)])
def test_whole_numbers_are_read_as_float_reads_them(text, value):
    # One rule for every number in a link: whatever parse_number (float) reads, whole.
    assert parse_whole_number(text) == value


@pytest.mark.parametrize("text", ["²", "1₂", "2.5", "nan", "", "0x10"])
def test_whole_numbers_refuse_the_rest(text):
    with pytest.raises(ValueError):
        parse_whole_number(text)


def test_thousands_of_unknown_settings_give_a_short_note():
    query = "&".join(f"k{i}=1" for i in range(32_000))
    values, notes = TABLE.from_query(query)
    assert values == TABLE.defaults()
    text = notes_text(notes)
    assert len(text) < 300 and "32,000 unknown settings" in text and "“k0”" in text


def test_notes_are_summarised_after_the_first_few():
    query = "&".join(f"{name}=bad" for name in ("lr", "depth", "act", "skip", "layers")) + "&x=1&y=2"
    _, notes = TABLE.from_query(query)
    assert len(notes) == 6
    extra = [f"note {i}" for i in range(MAX_NOTES_SHOWN - 6 + 2)]
    text = notes_text(notes + extra)
    assert text.endswith(f"{extra[-3]}; and 2 more.") and extra[-2] not in text and extra[-1] not in text


@pytest.mark.parametrize("query, embedded", [
    ("?embed=1", True), ("?lr=1&embed=1", True), ("?zembed=1", False), ("?embed=10", False),
    ("?embed=0&embed=1", False), ("?embed=", False), ("", False)])
def test_embed_mode_is_the_first_embed_parameter_being_1(query, embedded):
    assert embed_requested(query) is embedded


def test_safety_net_link_drops_the_settings_and_names_them():
    query = "?depth=%C2%B2&embed=1&unknown=3&act=relu"
    assert TABLE.state_keys_in(query) == ["depth", "act"]
    restarted = TABLE.without_state(query)
    assert restarted == "?embed=1&ignored=depth%2Cact"
    values, notes = TABLE.from_query(restarted)
    assert values == TABLE.defaults() and notes == [] and TABLE.state_keys_in(restarted) == []
    assert notes_text(notes, TABLE.ignored_in(restarted)) == (
        "The page could not start with the link's “depth”, “act”, so it left them out and started from its defaults.")
    assert notes_text(["lr: too long"], ["act"]).endswith("defaults. Some settings in the link were not valid: lr: too long.")
    # Only the page's own names are repeated in the note.
    assert TABLE.ignored_in("?ignored=%3Cb%3E,lr") == ["lr"]
    # Written by hand beside settings the page did start with: not the safety net's link.
    assert TABLE.ignored_in("?ignored=lr&lr=2") == []
    assert TABLE.without_state("?lr=2") == "?ignored=lr" and TABLE.without_state("?embed=0") == ""


@pytest.mark.parametrize("query, kept", [("?theme=dark&lr=2", {"theme": "dark"}),
                                         ("?embed=1&theme=light", {"embed": "1", "theme": "light"}),
                                         ("?theme=purple&embed=2", {})])
def test_a_links_embed_mode_and_theme_are_kept_and_are_not_settings(query, kept):
    from app.state import presentation
    assert presentation(query) == kept
    values, notes = TABLE.from_query(query)
    assert not any("theme" in note for note in notes)
    assert TABLE.to_query({"lr": 2.0}, presentation(query)) == "?" + "&".join(
        ["lr=2"] + [f"{key}={value}" for key, value in kept.items()])
    assert TABLE.without_state(query).startswith("?" + "&".join(f"{k}={v}" for k, v in kept.items())) or not kept


@pytest.mark.parametrize("typed, note", [("1e-400", True), ("−2E-999", True), ("0,000", False), ("0e50", False),
                                         ("5e-324", False), ("0.6", False)])
def test_a_number_too_small_for_a_float_is_read_as_0_with_a_note(typed, note):
    from app.state import zero_note
    value = parse_number(typed)
    assert (zero_note(typed, value) is not None) is note
    if note:
        assert value == 0 and zero_note(typed, value).startswith(f"read as 0: {typed} is too close to 0")


# Each lesson's Python view(s), by the name its link opens it with (app/state.code_view_prop).
CODE_VIEWS = {"chain_rule": [f"p{panel}code" for panel in range(1, 6)], "step_through": ["code"],
              "gradients": ["code"], "playground": ["code"], "matrix_form": ["code"]}


@pytest.mark.parametrize("lesson", sorted(CODE_VIEWS))
def test_a_link_opens_a_python_view_and_keeps_it_open(lesson):
    import importlib

    table = importlib.import_module(f"app.{lesson}_model").STATE
    assert table.view_only == tuple(CODE_VIEWS[lesson])             # only the link follows them (app/ui.py)
    for name in CODE_VIEWS[lesson]:
        assert table.defaults()[name] is False                       # closed unless the link opens it
        values, notes = table.from_query(f"?{name}=1&embed=1")
        assert values[name] is True and notes == []
        query = table.to_query(values, {"embed": "1"})
        assert query == f"?{name}=1&embed=1"                         # written back as read, embed kept
        assert table.from_query(query)[0] == values
        assert name not in table.to_query(dict(values, **{name: False}))     # closed: not in the link
        junk, notes = table.from_query(f"?{name}=<b>open</b>")
        assert junk[name] is False and notes == [f"{table.props[name].title}: expected 1 or 0; using the default"]


def test_the_playground_never_holds_its_python_view_in_its_settings():
    """ui.UrlState keeps the view; a preset, and a link read again on Back, leave it there."""
    from app import playground_model

    table = playground_model.STATE
    assert "code" not in playground_model.apply_preset("spiral", table.page_values(table.defaults()))
    query = "?code=1&dataset=xor"
    settings = playground_model.settings_from_link(table.from_query(query)[0], query)
    assert "code" not in settings and settings["dataset"] == "xor"
    assert table.page_values({"code": True, "lr": 0.3}) == {"lr": 0.3}
