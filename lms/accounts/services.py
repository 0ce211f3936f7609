"""The work of the accounts feature: create and change users, schools and classes. Never sees ``request``."""
from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date

from sqlalchemy import func, select

from lms.accounts import passwords
from lms.accounts.errors import AccountError
from lms.accounts.models import ROLES, School, SchoolClass, User, class_student, utcnow
from lms.extensions import db

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CLASS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def normalize_username(raw: str) -> str:
    return raw.strip().lower()


def normalize_email(raw: str | None) -> str | None:
    value = (raw or "").strip().lower()
    return value or None


def check_username(username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise AccountError("A username has 3 to 32 characters: lowercase letters a-z, digits, dot, dash "
                           "or underscore.")


def check_email(email: str | None) -> None:
    if email is not None and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        raise AccountError("This e-mail address is not valid.")


def username_taken(username: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.username == username)) > 0


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) > 0


def _check_new_identity(username: str, email: str | None) -> None:
    check_username(username)
    check_email(email)
    if username_taken(username):
        raise AccountError("The username %(username)s is already taken.", username=username)
    if email and email_taken(email):
        raise AccountError("The e-mail address %(email)s is already used by another account.", email=email)


def _finish(commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def create_user(username: str, password: str, role: str, full_name: str = "", email: str | None = None,
                school: School | None = None, must_change_password: bool = True,
                date_of_birth: date | None = None, commit: bool = True) -> User:
    """Create an account. With ``must_change_password`` the password is a first password: it is kept
    encrypted (for login cards) until the user changes it at the first login."""
    username, email = normalize_username(username), normalize_email(email)
    if role not in ROLES:
        raise AccountError("Unknown role %(role)s.", role=role)
    _check_new_identity(username, email)
    if len(full_name.strip()) > 200:
        raise AccountError("The full name is too long (at most 200 characters).")
    user = User(username=username, email=email, full_name=full_name.strip(), role=role, school=school,
                date_of_birth=date_of_birth, password_hash=passwords.hash_password(password),
                must_change_password=must_change_password, is_active=True, session_version=1,
                initial_password_encrypted=(passwords.encrypt_first_password(password)
                                            if must_change_password else None))
    db.session.add(user)
    _finish(commit)
    return user


def create_admin(username: str, password: str, commit: bool = True) -> User:
    """The administrator account made by ``lms init``; the operator chose the password, so no change is forced."""
    passwords.check_new_password(password, username)
    return create_user(username, password, "admin", full_name="", must_change_password=False, commit=commit)


def create_school(name: str, code: str, province: str = "", commit: bool = True) -> School:
    name, code = name.strip(), code.strip().upper()
    if not name or len(name) > 200:
        raise AccountError("A school needs a name (at most 200 characters).")
    if not re.match(r"^[A-Z0-9_-]{2,32}$", code):
        raise AccountError("A school code has 2 to 32 characters: letters, digits, dash or underscore.")
    if db.session.scalar(select(func.count()).select_from(School).where(School.code == code)):
        raise AccountError("The school code %(code)s is already used.", code=code)
    school = School(name=name, code=code, province=province.strip()[:100])
    db.session.add(school)
    _finish(commit)
    return school


def _new_class_code() -> str:
    while True:
        code = "".join(secrets.choice(CLASS_CODE_ALPHABET) for _ in range(6))
        if not db.session.scalar(select(func.count()).select_from(SchoolClass).where(SchoolClass.code == code)):
            return code


def create_class(school: School, name: str, teacher: User, code: str | None = None, school_year: str = "",
                 commit: bool = True) -> SchoolClass:
    """A class of ``school`` taught by ``teacher``; the short code is made up when not given."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("A class needs a name (at most 100 characters).")
    if teacher.role not in ("teacher", "manager", "admin"):
        raise AccountError("Only a teacher, school manager or admin can teach a class.")
    if code is not None:
        code = code.strip().upper()
        if not re.match(r"^[A-Z0-9]{3,16}$", code):
            raise AccountError("A class code has 3 to 16 letters or digits.")
        if db.session.scalar(select(func.count()).select_from(SchoolClass).where(SchoolClass.code == code)):
            raise AccountError("The class code %(code)s is already used.", code=code)
    school_class = SchoolClass(school=school, name=name, code=code or _new_class_code(),
                               school_year=school_year.strip()[:16])
    school_class.teachers.append(teacher)
    db.session.add(school_class)
    _finish(commit)
    return school_class


def add_teacher(school_class: SchoolClass, teacher: User, commit: bool = True) -> None:
    if teacher.role != "teacher" or teacher.school_id != school_class.school_id:
        raise AccountError("Only a teacher of the same school can be added to this class.")
    if teacher not in school_class.teachers:
        school_class.teachers.append(teacher)
    _finish(commit)


def _ascii_words(full_name: str) -> list[str]:
    text = full_name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.findall(r"[a-z0-9]+", text)


def suggest_username(full_name: str, reserved: set[str] | None = None) -> str:
    """Vietnamese custom: given name then initials, 'Nguyễn Văn An' -> 'annv' (then annv2, annv3 ...)."""
    words = _ascii_words(full_name) or ["hocsinh"]
    base = (words[-1] + "".join(w[0] for w in words[:-1]))[:28]
    if len(base) < 3:
        base = (base + "hs")[:28]
    reserved = reserved or set()
    candidate, number = base, 1
    while candidate in reserved or username_taken(candidate):
        number += 1
        candidate = f"{base}{number}"
    return candidate


def add_student(school_class: SchoolClass, full_name: str, username: str | None = None,
                email: str | None = None, date_of_birth: date | None = None,
                commit: bool = True) -> tuple[User, str]:
    """Create a student in the class with a generated first password; returns (user, first password)."""
    full_name = full_name.strip()
    if not full_name:
        raise AccountError("The full name is required.")
    username = normalize_username(username) if username and username.strip() else suggest_username(full_name)
    password = passwords.generate_first_password()
    user = create_user(username, password, "student", full_name=full_name, email=email,
                       school=school_class.school, date_of_birth=date_of_birth, commit=False)
    school_class.students.append(user)
    _finish(commit)
    return user, password


def remove_student(school_class: SchoolClass, student: User, commit: bool = True) -> None:
    """Take a student out of a class (the account stays, with its records)."""
    db.session.execute(class_student.delete().where(class_student.c.class_id == school_class.id,
                                                    class_student.c.user_id == student.id))
    db.session.expire(school_class, ["students"])
    _finish(commit)


def change_password(user: User, current_password: str, new_password: str, commit: bool = True) -> None:
    """The user's own change: checks the current password, ends every other session."""
    ok, _ = passwords.verify_password(user.password_hash, current_password)
    if not ok:
        raise AccountError("The current password is not correct.")
    if new_password == current_password:
        raise AccountError("The new password must be different from the current one.")
    passwords.check_new_password(new_password, user.username)
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = False
    user.initial_password_encrypted = None
    user.session_version += 1
    _finish(commit)


def reset_password(user: User, commit: bool = True) -> str:
    """A new first password (shown once, printable on cards until changed); ends the user's sessions."""
    password = passwords.generate_first_password()
    user.password_hash = passwords.hash_password(password)
    user.must_change_password = True
    user.initial_password_encrypted = passwords.encrypt_first_password(password)
    user.session_version += 1
    _finish(commit)
    return password


def end_all_sessions(user: User, commit: bool = True) -> None:
    """Log out everywhere: every session carrying the old version is refused by the user loader."""
    user.session_version += 1
    _finish(commit)


def set_active(user: User, active: bool, commit: bool = True) -> None:
    user.is_active = active
    if not active:
        user.session_version += 1
    _finish(commit)


def set_role(user: User, role: str, school: School | None, commit: bool = True) -> None:
    """Change role and school together (a manager, teacher or student belongs to a school)."""
    if role not in ROLES:
        raise AccountError("Unknown role %(role)s.", role=role)
    if role in ("manager", "teacher") and school is None:
        raise AccountError("A school manager or teacher must belong to a school.")
    user.role = role
    user.school = school
    # New rights take effect at once: the next request reloads the user; old pages stay old.
    _finish(commit)


def record_login(user: User, new_hash: str | None, commit: bool = True) -> None:
    user.last_login_at = utcnow()
    if new_hash:
        user.password_hash = new_hash
    _finish(commit)


def find_by_login(identifier: str) -> User | None:
    """The account named by a username or an e-mail address (both case-insensitive)."""
    value = identifier.strip().lower()
    if not value:
        return None
    column = User.email if "@" in value else User.username
    return db.session.scalar(select(User).where(column == value))


def import_roster(school_class: SchoolClass, csv_text: str, commit: bool = True):
    """All-or-nothing CSV import (see lms.accounts.roster); returns a RosterResult."""
    from lms.accounts.roster import import_roster as _import

    return _import(school_class, csv_text, commit=commit)
