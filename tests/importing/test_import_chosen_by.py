"""The stakeholders import's optional ``chosen_by`` column: who chose each stakeholder to be
asked about his account (kam, manager or organisation; empty: organisation)."""

from __future__ import annotations

from sqlalchemy import select

from kamscore.models import ChosenBy, Stakeholder

HEADER = "account,email,name,role,chosen_by\n"


def _chosen(db) -> dict[str, ChosenBy]:
    with db.session() as session:
        return dict(session.execute(select(Stakeholder.email, Stakeholder.chosen_by)).all())


def test_the_examples_record_who_chose_each_stakeholder(org, db):
    chosen = _chosen(db)
    assert chosen["procurement@st-anna.example.org"] is ChosenBy.KAM
    assert chosen["oncology@riverside.example.org"] is ChosenBy.MANAGER
    assert chosen["m.keller@st-anna.example.org"] is ChosenBy.ORGANISATION
    assert chosen["pharmacy@st-anna.example.org"] is ChosenBy.ORGANISATION  # empty cell


def test_chosen_by_is_set_changed_and_left_alone_without_the_column(org, run_import, db):
    report = run_import("stakeholders", HEADER
                        + "A003,new.one@riverside.example.org,Ida New,nurse,KAM\n"
                        + "A001,m.keller@st-anna.example.org,Prof. Martin Keller,physician,"
                          "manager\n")
    assert (report.tables["stakeholder"].created, report.tables["stakeholder"].updated) == (1, 1)
    chosen = _chosen(db)
    assert chosen["new.one@riverside.example.org"] is ChosenBy.KAM  # case does not matter
    assert chosen["m.keller@st-anna.example.org"] is ChosenBy.MANAGER
    # a file without the column leaves who chose alone; a new row is the organisation's
    run_import("stakeholders", "account,email,name,role\n"
               "A001,m.keller@st-anna.example.org,Prof. Martin Keller,physician\n"
               "A003,other@riverside.example.org,Ola Other,nurse\n")
    chosen = _chosen(db)
    assert chosen["m.keller@st-anna.example.org"] is ChosenBy.MANAGER
    assert chosen["other@riverside.example.org"] is ChosenBy.ORGANISATION


def test_an_unknown_chooser_refuses_the_file_at_its_line_and_column(org, rejected, db):
    before = _chosen(db)
    errors = rejected("stakeholders", HEADER
                      + "A003,fine@riverside.example.org,Fine Row,nurse,kam\n"
                      + "A001,m.keller@st-anna.example.org,Prof. Martin Keller,physician,"
                        "himself\n")
    assert errors == {(3, "chosen_by"): "must be one of: kam, manager, organisation"}
    assert _chosen(db) == before  # nothing written, the good row neither


def test_the_cli_names_file_line_and_column(org, runner, tmp_path, db):
    bad = tmp_path / "stakeholders.csv"
    bad.write_text(HEADER + "A003,x@riverside.example.org,Xavier,nurse,crm\n")
    result = runner.invoke(args=["import", "stakeholders", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{bad}:2: chosen_by: must be one of: kam, manager, organisation")
    assert "x@riverside.example.org" not in _chosen(db)
