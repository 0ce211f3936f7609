"""CSV rosters: full name, optional username, e-mail and date of birth; every row checked before any is saved."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from lms.accounts import services
from lms.accounts.errors import AccountError
from lms.accounts.models import SchoolClass, User
from lms.extensions import db

MAX_ROWS = 500

# Header cells we recognise (lowercase, English and Vietnamese); a first row of them is skipped.
HEADER_NAMES = {
    "full_name": {"full name", "full_name", "name", "họ và tên", "họ tên", "ho va ten", "ho ten"},
    "username": {"username", "user name", "login", "tên đăng nhập", "ten dang nhap"},
    "email": {"email", "e-mail", "thư điện tử"},
    "date_of_birth": {"date of birth", "date_of_birth", "dob", "birthday", "ngày sinh", "ngay sinh"},
}
COLUMNS = ("full_name", "username", "email", "date_of_birth")


@dataclass(frozen=True)
class RowError:
    """A rejected row: its line number in the file, the cells as given, the reason (msgid + params)."""

    line: int
    cells: tuple[str, ...]
    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RosterRow:
    line: int
    full_name: str
    username: str | None
    email: str | None
    date_of_birth: date | None


@dataclass
class RosterResult:
    """What an import did: the students created with their first passwords, or the rejected rows."""

    created: list[tuple[User, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_date(raw: str) -> date:
    """ISO dates (2014-09-05) or the Vietnamese day/month/year (05/09/2014)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


def _read_rows(csv_text: str) -> list[tuple[int, list[str]]]:
    text = csv_text.lstrip("\ufeff")
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    for cells in reader:
        cells = [c.strip() for c in cells]
        if any(cells):
            rows.append((reader.line_num, cells))
    if rows and rows[0][1][0].lower() in HEADER_NAMES["full_name"]:
        rows = rows[1:]
    return rows


def _check_row(line: int, cells: list[str], seen_usernames: set[str], seen_emails: set[str],
               taken_usernames: set[str], taken_emails: set[str]):
    """A RosterRow, or a RowError saying what is wrong with the row (``taken_*``: already in the database)."""
    def error(message: str, **params: object) -> RowError:
        return RowError(line, tuple(cells), message, params)

    if len(cells) > len(COLUMNS):
        return error("Too many columns: expected full name, username, e-mail, date of birth.")
    full_name, username, email, birth = (cells + [""] * len(COLUMNS))[:len(COLUMNS)]
    if not full_name:
        return error("The full name is missing.")
    if len(full_name) > 200:
        return error("The full name is too long (at most 200 characters).")
    username = services.normalize_username(username) or None
    if username:
        try:
            services.check_username(username)
        except AccountError as exc:
            return error(exc.message)
        if username in seen_usernames:
            return error("The username %(username)s appears twice in the file.", username=username)
        if username in taken_usernames:
            return error("The username %(username)s is already taken.", username=username)
    email = services.normalize_email(email)
    if email:
        try:
            services.check_email(email)
        except AccountError as exc:
            return error(exc.message)
        if email in seen_emails:
            return error("The e-mail address %(email)s appears twice in the file.", email=email)
        if email in taken_emails:
            return error("The e-mail address %(email)s is already used by another account.", email=email)
    date_of_birth = None
    if birth:
        try:
            date_of_birth = parse_date(birth)
        except ValueError:
            return error("The date of birth %(value)s is not a date (use 2014-09-05 or 05/09/2014).", value=birth)
        if not date(1900, 1, 1) <= date_of_birth <= date.today():
            return error("The date of birth %(value)s is not plausible.", value=birth)
    return RosterRow(line, full_name, username, email, date_of_birth)


def _taken(rows: list[tuple[int, list[str]]]) -> tuple[set[str], set[str]]:
    """The usernames and e-mail addresses of the file that accounts already use (two queries for the file)."""
    usernames = {services.normalize_username(cells[1]) for _line, cells in rows if len(cells) > 1} - {""}
    emails = {services.normalize_email(cells[2]) for _line, cells in rows if len(cells) > 2} - {None}
    taken_usernames = set(db.session.scalars(select(User.username).where(User.username.in_(usernames))))
    taken_emails = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    return taken_usernames, taken_emails


def check_roster(csv_text: str) -> tuple[list[RosterRow], list[RowError]]:
    """Every row checked against the database and the rest of the file; nothing is written."""
    rows = _read_rows(csv_text)
    if not rows:
        return [], [RowError(0, (), "The roster is empty.")]
    if len(rows) > MAX_ROWS:
        return [], [RowError(0, (), "The roster has more than %(limit)s rows.", {"limit": MAX_ROWS})]
    good, errors = [], []
    seen_usernames: set[str] = set()
    seen_emails: set[str] = set()
    taken_usernames, taken_emails = _taken(rows)
    for line, cells in rows:
        checked = _check_row(line, cells, seen_usernames, seen_emails, taken_usernames, taken_emails)
        if isinstance(checked, RowError):
            errors.append(checked)
            continue
        good.append(checked)
        if checked.username:
            seen_usernames.add(checked.username)
        if checked.email:
            seen_emails.add(checked.email)
    return good, errors


def import_roster(school_class: SchoolClass, csv_text: str, commit: bool = True) -> RosterResult:
    """Create every student of the roster, or none: any bad row rejects the whole file."""
    rows, errors = check_roster(csv_text)
    if errors:
        return RosterResult(errors=errors)
    reserved = {row.username for row in rows if row.username}
    result = RosterResult()
    try:
        for row in rows:
            username = row.username or services.suggest_username(row.full_name, reserved)
            reserved.add(username)
            user, password = services.add_student(school_class, row.full_name, username, row.email,
                                                  row.date_of_birth, commit=False)
            result.created.append((user, password))
    except AccountError as exc:
        # Only a concurrent change can get here (every row was checked): keep nothing.
        db.session.rollback()
        return RosterResult(errors=[RowError(row.line, (), exc.message, exc.params)])
    if commit:
        db.session.commit()
    return result
