"""Names, nicknames, Spanish phonetics, CURP and RFC validation."""

from datetime import date

from traceability.linkage.curp import check_digit, is_valid_curp, parse_curp, rfc_key, with_check_digit
from traceability.linkage.names import given_key, given_tokens, name_upper, phonetic


def test_name_upper_keeps_enye():
    assert name_upper("  José  Ñúñez-Peña ") == "JOSE ÑUÑEZ PEÑA"
    assert name_upper("") is None


def test_nicknames_and_compound_names():
    assert given_key("PANCHO") == given_key("PACO") == given_key("FRANCISCO") == "FRANCISCO"
    assert given_key("LUPE") == given_key("MARIA GUADALUPE") == "GUADALUPE"
    assert given_key("PEPE") == "JOSE" and given_key("CHUCHO") == "JESUS" and given_key("CHAVA") == "SALVADOR"
    assert given_key("MEMO") == "GUILLERMO" and given_key("NACHO") == "IGNACIO" and given_key("LALO") == "EDUARDO"
    assert given_tokens("CHEMA") == ("JOSE", "MARIA")  # JOSE MARIA: both devotional, both kept
    assert set(given_tokens("BETO")) == {"ALBERTO", "ROBERTO", "HUMBERTO"}
    assert given_key("JOSE LUIS") == "LUIS" and given_key("MARIA DEL CARMEN") == "CARMEN"


def test_spanish_phonetics():
    assert phonetic("VELAZQUEZ") == phonetic("BELASQUES")
    assert phonetic("HERNANDEZ") == phonetic("ERNANDES")
    assert phonetic("YAÑEZ") == phonetic("LLANES")
    assert phonetic("XIMENEZ") == phonetic("JIMENEZ")
    assert phonetic("CERVANTES") == phonetic("SERBANTES")
    assert phonetic("GUERRERO") != phonetic("HERRERO")
    assert phonetic("DE LA CRUZ") == phonetic("CRUZ")


def test_curp_check_digit_and_contents():
    c = with_check_digit("GOHM850312HDFNRR0")
    p = parse_curp(c)
    assert p is not None and p.birth_date == date(1985, 3, 12) and p.sex == "H" and p.state == "DF"
    assert not is_valid_curp(c[:17] + str((int(c[17]) + 1) % 10))       # wrong check digit
    assert not is_valid_curp(with_check_digit("GOHM851312HDFNRR0"))    # month 13
    assert not is_valid_curp(with_check_digit("GOHM850312HZZNRR0"))    # no such state
    assert parse_curp(with_check_digit("GOHM050312MDFNRRA")).birth_date == date(2005, 3, 12)  # letter: 2000s
    # hand-computed: weights 18..2 over the 17 characters
    s = "GOHM850312HDFNRR0"
    alphabet = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
    total = sum(alphabet.index(ch) * (18 - i) for i, ch in enumerate(s))
    assert check_digit(s) == (10 - total % 10) % 10


def test_rfc_key():
    assert rfc_key("GOHM850312AB1") == "GOHM850312"
    assert rfc_key("GOHM850312") == "GOHM850312"
    assert rfc_key("ABC010101XY9") == "ABC010101XY9"
    assert rfc_key("no") is None
