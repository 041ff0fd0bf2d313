"""Splink's training chatter stays out of the CLI's output and is available at DEBUG."""

import logging

from traceability.linkage.persons import quiet_splink


def test_splink_warnings_routed_to_debug(capsys, caplog):
    target = logging.getLogger("traceability.linkage.splink")
    with caplog.at_level(logging.DEBUG, logger="traceability.linkage.splink"):
        quiet_splink()
        logging.getLogger("splink.internals.expectation_maximisation").warning(
            "WARNING:\nLevel exact on comparison x not observed in dataset, unable to train m value\n")
    err = capsys.readouterr().err
    assert "not observed" not in err
    rec = [r for r in caplog.records if r.name == target.name]
    assert rec and rec[0].levelno == logging.DEBUG
    assert rec[0].getMessage() == "Level exact on comparison x not observed in dataset, unable to train m value"


def test_quiet_by_default(capsys):
    logging.getLogger("traceability.linkage.splink").setLevel(logging.NOTSET)
    quiet_splink()
    logging.getLogger("splink").warning("Level y not observed in dataset")
    assert "not observed" not in capsys.readouterr().err
    assert len([h for h in logging.getLogger("splink").handlers]) == 1
