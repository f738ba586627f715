"""Comments are scrubbed of staff first names, with or without a surname, through the public `scrub`
function (its internals are being rewritten: these tests say only what must not come out)."""

from surveys.scrub import scrub

STAFF = {"first_names": {"Dave", "Priya"}, "last_names": {"Okafor", "Smith"}, "staff_numbers": {"T00042"}}


def test_first_name_and_surname_are_removed():
    out = scrub("Thanks to Dave Smith for sorting the rota.", **STAFF)
    assert "Dave" not in out and "Smith" not in out
    assert out.startswith("Thanks to [name removed]") and out.endswith("for sorting the rota.")


def test_a_first_name_alone_is_removed():
    out = scrub("Priya told us the new tool is fine for residents' emails.", **STAFF)
    assert "Priya" not in out
    assert out == "[name removed] told us the new tool is fine for residents' emails."


def test_a_first_name_mid_sentence_is_removed():
    out = scrub("The training was rushed, ask Dave.", **STAFF)
    assert "Dave" not in out
    assert out.startswith("The training was rushed, ask [name removed]")
