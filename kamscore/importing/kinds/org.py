"""People (with their manager) and account teams (with their members)."""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from kamscore.importing import fields as f
from kamscore.importing.base import ImportContext, Importer, LoadedRow, unknown
from kamscore.importing.changes import Progress, TableChanges, diff, load_existing
from kamscore.importing.lookup import ids_by_code, rows_where_in
from kamscore.models import Person, Role, Team, TeamMember
from kamscore.sentences import N_, Sentence
from kamscore.texts import _l


class PersonRow(Schema):
    code = f.code(Person.code)
    name = f.text(Person.name, required=True)
    email = f.email(Person.email)
    role = f.choice(Role)
    grade = f.text(Person.grade)
    base_salary = f.number(min=0)
    currency = fields.String(
        load_default="EUR",
        validate=f.Matches(r"^[A-Z]{3}$", N_("a three-letter ISO code such as EUR")),
    )
    manager = f.code(Person.code, required=False)
    start_date = f.date()
    end_date = f.date()

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[Sentence]] = {}
        salary = data.get("base_salary")
        if salary is not None and Decimal(str(salary)).as_tuple().exponent < -2:  # type: ignore[operator]
            errors["base_salary"] = [N_("at most two decimals (cents)")]
        if data.get("manager") == data["code"]:
            errors["manager"] = [N_("a person cannot be their own manager")]
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            errors["end_date"] = [f.BEFORE_START]
        if errors:
            raise ValidationError(errors)


class PersonImporter(Importer):
    kind = "people"
    schema = PersonRow
    summary = _l("Employees by code: KAMs, managers and cross-functional colleagues.")

    #: CSV column → model column, where they differ
    COLUMNS = {"manager": "manager_id"}
    FIELDS = (
        "name",
        "email",
        "role",
        "grade",
        "base_salary",
        "currency",
        "manager",
        "start_date",
        "end_date",
    )

    def key(self, data: dict[str, Any]) -> Hashable:
        return data["code"]

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        errors = context.errors
        in_file = {row.data["code"] for row in rows}
        managers = {row.data["manager"] for row in rows if row.data.get("manager")}
        stored_ids = ids_by_code(session, Person, managers | in_file)
        unknown(errors, rows, "manager", "person", {**stored_ids, **dict.fromkeys(in_file, 0)})
        self._refuse_cycles(session, rows, context)

        compared = [self.COLUMNS.get(c, c) for c in self.FIELDS if context.has(c)]
        existing = load_existing(
            session, Person, ["code"], compared, among=(Person.code, list(in_file))
        )
        incoming = {}
        self.pending_managers: list[tuple[str, str]] = []  # (person, manager) both new
        for row in rows:
            values = {k: v for k, v in row.data.items() if k != "manager"}
            manager = row.data.get("manager")
            values["manager_id"] = stored_ids.get(manager) if manager else None
            if manager and manager not in stored_ids:
                self.pending_managers.append((row.data["code"], manager))
                values["manager_id"] = -1  # differs from anything stored; set after insert
            incoming[(row.data["code"],)] = (row.line, values)
        changes = diff(Person, existing, incoming, compared)
        for _, values in (*changes.inserts, *changes.updates):
            if values.get("manager_id") == -1:
                values["manager_id"] = None
        return [changes]

    def write(self, session: Session, changes: list[TableChanges], progress: Progress) -> None:
        super().write(session, changes, progress)
        if self.pending_managers:
            codes = {code for pair in self.pending_managers for code in pair}
            ids = ids_by_code(session, Person, codes)
            session.execute(
                update(Person),
                [{"id": ids[p], "manager_id": ids[m]} for p, m in self.pending_managers],
            )

    @staticmethod
    def _refuse_cycles(session: Session, rows: list[LoadedRow], context: ImportContext) -> None:
        """A chain of managers must end: A → B → A would make every roll-up loop forever."""
        if not context.has("manager"):
            return
        boss = aliased(Person)
        manager_of: dict[str, str | None] = dict(
            session.execute(
                select(Person.code, boss.code).outerjoin(boss, Person.manager_id == boss.id)
            ).all()
        )
        for row in rows:
            manager_of[row.data["code"]] = row.data.get("manager")
        for row in rows:
            seen = {row.data["code"]}
            current = manager_of.get(row.data["code"])
            while current is not None:
                if current in seen:
                    context.errors.add(
                        row.line, "manager",
                        N_("the chain of managers loops back through %(person)s", person=current),
                    )
                    break
                seen.add(current)
                current = manager_of.get(current)


class TeamRow(Schema):
    team = f.code(Team.code)
    name = f.text(Team.name, required=True)
    lead = f.code(Person.code, required=False)
    member = f.code(Person.code, required=False)
    function = f.choice(Role, required=False)

    @validates_schema
    def _check(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("function") and not data.get("member"):
            raise ValidationError([N_("a function needs a member on the same row")], "function")


class TeamImporter(Importer):
    """One row per member; the team's name and lead repeat on each of its rows.

    When the file has a ``member`` column, it gives the complete membership of the teams it
    names: members who are no longer listed are removed from those teams.
    """

    kind = "teams"
    schema = TeamRow
    summary = _l("Account teams by code, one row per member (with the function they "
                 "serve).")

    def key(self, data: dict[str, Any]) -> Hashable:
        return (data["team"], data.get("member"))

    def prepare(
        self, session: Session, rows: list[LoadedRow], context: ImportContext
    ) -> list[TableChanges]:
        errors = context.errors
        people = {
            code: (id_, role)
            for code, id_, role in rows_where_in(
                session,
                [Person.code, Person.id, Person.role],
                Person.code,
                [r.data[c] for r in rows for c in ("lead", "member") if r.data.get(c)],
            )
        }
        person_ids = {code: id_ for code, (id_, _) in people.items()}
        unknown(errors, rows, "lead", "person", person_ids)
        unknown(errors, rows, "member", "person", person_ids)

        teams: dict[str, tuple[int, dict[str, Any]]] = {}
        for row in rows:
            team = {
                "code": row.data["team"],
                "name": row.data["name"],
                "lead_id": person_ids.get(row.data.get("lead", "")),
            }
            first = teams.setdefault(team["code"], (row.line, team))
            for column, attr in (("name", "name"), ("lead", "lead_id")):
                if first[1][attr] != team[attr]:
                    errors.add(
                        row.line, column, N_("differs from line %(line)s of team %(team)s",
                                             line=first[0], team=team["code"])
                    )
        compared = ["name", *(["lead_id"] if context.has("lead") else [])]
        existing_teams = load_existing(
            session, Team, ["code"], compared, among=(Team.code, list(teams))
        )
        team_changes = diff(Team, existing_teams, {(c,): v for c, v in teams.items()}, compared)
        if not context.has("member"):
            return [team_changes]

        team_ids = {code: stored["id"] for (code,), stored in existing_teams.items()}
        codes_by_id = {id_: code for code, id_ in team_ids.items()}
        stored_members = {
            (codes_by_id[team_id], person_id): {"id": id_, "function": function}
            for id_, team_id, person_id, function in rows_where_in(
                session,
                [TeamMember.id, TeamMember.team_id, TeamMember.person_id, TeamMember.function],
                TeamMember.team_id,
                list(team_ids.values()),
            )
        }
        wanted = {}
        for row in rows:
            member = row.data.get("member")
            if member is None or member not in people:
                continue
            person_id, role = people[member]
            function = row.data.get("function") or role
            wanted[(row.data["team"], person_id)] = (
                row.line,
                {
                    "team_id": team_ids.get(row.data["team"]),
                    "_team": row.data["team"],
                    "person_id": person_id,
                    "function": function,
                },
            )
        member_changes = diff(TeamMember, stored_members, wanted, ["function"])
        member_changes.deletes = [
            stored["id"] for key, stored in stored_members.items() if key not in wanted
        ]
        return [team_changes, member_changes]

    def write(self, session: Session, changes: list[TableChanges], progress: Progress) -> None:
        team_changes, *rest = changes
        team_changes.write(session, progress)
        if not rest:
            return
        (member_changes,) = rest
        new_teams = [values.pop("_team") for _, values in member_changes.inserts]
        ids = ids_by_code(session, Team, set(new_teams))
        for team_code, (_, values) in zip(new_teams, member_changes.inserts, strict=True):
            values["team_id"] = ids[team_code]
        member_changes.write(session, progress)
