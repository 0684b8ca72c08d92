"""URL state and number parsing: the validation rules every page shares."""
import pytest

from app.state import Prop, StateTable, parse_number

TABLE = StateTable(
    Prop("lr", "float", 0.1, low=1e-5, high=10, label="learning rate"),
    Prop("depth", "int", 5, low=2, high=30, label="depth"),
    Prop("act", "choice", "tanh", choices=("tanh", "relu"), label="activation"),
    Prop("skip", "bool", False, label="residual"),
    Prop("layers", "intlist", (4, 4), low=1, high=16, label="layers"),
)


@pytest.mark.parametrize("text, value", [("0.6", 0.6), ("−0.4", -0.4), ("1e-3", 1e-3), (" 2 ", 2.0), ("0,5", 0.5), ("-0", 0.0)])
def test_parse_number_accepts_what_people_type(text, value):
    assert parse_number(text) == value


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
