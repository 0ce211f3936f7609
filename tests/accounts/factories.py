"""Test helpers: cheap Argon2 settings, a world of people for access tests, logging in through HTTP."""
from __future__ import annotations

from dataclasses import dataclass


PASSWORD = "correct-horse-7"

def login(client, identifier: str, password: str = PASSWORD, **environ):
    """Log in through the real form; returns the response (302 on success)."""
    return client.post("/login", data={"identifier": identifier, "password": password},
                       environ_base=environ)


@dataclass
class World:
    """Two schools; school 1 has class A (own teacher, student) and class B (other teacher, other student)."""

    usernames: dict[str, str]
    user_ids: dict[str, int]
    student_public_id: str
    student_username: str
    student_name: str
    class_a_id: int
    class_a_name: str
    class_a_code: str
    class_b_id: int
    school_id: int
    other_school_id: int


def build_world() -> World:
    """Create the people of the access tests (no forced password change, password ``PASSWORD``)."""
    from lms.accounts import services

    school = services.create_school("Trường Tiểu học Hoa Sen", "HOASEN")
    other_school = services.create_school("Trường Tiểu học Sao Mai", "SAOMAI")

    def person(key: str, username: str, role: str, full_name: str, school_=None):
        return services.create_user(username, PASSWORD, role, full_name=full_name, school=school_,
                                    must_change_password=False)

    people = {
        "admin": person("admin", "quantri", "admin", "Quản Trị"),
        "manager": person("manager", "hieutruong1", "manager", "Hiệu Trưởng Một", school),
        "other_manager": person("other_manager", "hieutruong2", "manager", "Hiệu Trưởng Hai", other_school),
        "own_teacher": person("own_teacher", "giaovien1", "teacher", "Giáo Viên Một", school),
        "other_teacher": person("other_teacher", "giaovien2", "teacher", "Giáo Viên Hai", school),
        "student": person("student", "hocsinh1", "student", "Học Sinh Một", school),
        "other_student": person("other_student", "hocsinh2", "student", "Học Sinh Hai", school),
    }
    class_a = services.create_class(school, "Lớp Hoa Cúc", people["own_teacher"], code="HOACUC")
    class_b = services.create_class(school, "Lớp Hoa Lan", people["other_teacher"], code="HOALAN")
    class_a.students.append(people["student"])
    class_b.students.append(people["other_student"])
    from lms.extensions import db

    db.session.commit()
    student = people["student"]
    return World(
        usernames={k: u.username for k, u in people.items()}, user_ids={k: u.id for k, u in people.items()},
        student_public_id=student.public_id, student_username=student.username, student_name=student.full_name,
        class_a_id=class_a.id, class_a_name=class_a.name, class_a_code=class_a.code, class_b_id=class_b.id,
        school_id=school.id, other_school_id=other_school.id,
    )
