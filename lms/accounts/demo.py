"""Demo people for `lms demo`: a school, its manager, a teacher and a class of ten pupils."""
from __future__ import annotations

from lms.accounts import services
from lms.extensions import db

# Fixed, printed by `lms demo` so a newcomer can log in at once. Demo databases only.
DEMO_PASSWORD = "demo1234"
DEMO_PUPILS = (
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức",
    "Vũ Thị Hà", "Đặng Quốc Huy", "Bùi Ngọc Lan", "Đỗ Thành Long", "Ngô Phương Mai",
)


def build_demo_people(with_admin: bool = False) -> dict:
    """Create the demo people in one transaction; returns them and their logins (username/password/role)."""
    school = services.create_school("Trường THCS Kim Đồng", "KIMDONG", "Hà Nội", commit=False)
    manager = services.create_user("hieutruong", DEMO_PASSWORD, "manager", full_name="Nguyễn Thị Hạnh",
                                   school=school, must_change_password=False, commit=False)
    teacher = services.create_user("giaovien", DEMO_PASSWORD, "teacher", full_name="Trần Văn Minh",
                                   school=school, must_change_password=False, commit=False)
    school_class = services.create_class(school, "Lớp 7A", teacher, code="LOP7A", school_year="2026-2027",
                                         commit=False)
    people = [("manager", manager), ("teacher", teacher)]
    students = []
    for number, full_name in enumerate(DEMO_PUPILS, start=1):
        student = services.create_user(f"hocsinh{number:02d}", DEMO_PASSWORD, "student", full_name=full_name,
                                       school=school, must_change_password=False, commit=False)
        school_class.students.append(student)
        students.append(student)
        people.append(("student", student))
    admin = None
    if with_admin:
        admin = services.create_user("admin", DEMO_PASSWORD, "admin", full_name="Quản trị viên",
                                     must_change_password=False, commit=False)
        people.insert(0, ("admin", admin))
    db.session.commit()
    logins = [{"username": u.username, "password": DEMO_PASSWORD, "role": role, "full_name": u.full_name}
              for role, u in people]
    return {"school": school, "class": school_class, "manager": manager, "teacher": teacher,
            "students": students, "admin": admin, "logins": logins}
