"""Classes and rosters: a teacher creates a class, adds students one by one or from a CSV (all or nothing)."""
from __future__ import annotations

from tests.accounts.factories import login


def _class_students(db, class_id):
    from lms.accounts.models import SchoolClass

    db.session.expire_all()
    return db.session.get(SchoolClass, class_id).students


def test_teacher_creates_a_class_with_a_code(client, world, db):
    """Issue 5: a teacher creates a class; it belongs to the teacher's school and has a short code."""
    from lms.accounts.models import SchoolClass

    login(client, world.usernames["own_teacher"])
    response = client.post("/classes/new", data={"name": "Lớp 6A3", "school_year": "2026-2027"})
    assert response.status_code == 302
    created = db.session.query(SchoolClass).filter_by(name="Lớp 6A3").one()
    assert created.school_id == world.school_id
    assert [t.username for t in created.teachers] == [world.usernames["own_teacher"]]
    assert len(created.code) == 6
    assert created.code in client.get(response.headers["Location"]).get_data(as_text=True)


def test_manager_creates_a_class_for_a_teacher_of_the_school_only(client, world, db):
    login(client, world.usernames["manager"])
    ok = client.post("/classes/new", data={"name": "Lớp 7B", "teacher": world.usernames["other_teacher"]})
    assert ok.status_code == 302
    client.post("/logout")
    login(client, world.usernames["other_manager"])
    refused = client.post("/classes/new", data={"name": "Lớp 7C", "teacher": world.usernames["own_teacher"]})
    assert refused.status_code == 200
    assert "Giáo viên này không thuộc trường của bạn." in refused.get_data(as_text=True)


def test_add_one_student_generates_username_and_first_password(client, world, db):
    login(client, world.usernames["own_teacher"])
    response = client.post(f"/classes/{world.class_a_id}/students",
                           data={"full_name": "Nguyễn Văn An", "date_of_birth": "2014-09-05"})
    assert response.status_code == 302
    new = [s for s in _class_students(db, world.class_a_id) if s.full_name == "Nguyễn Văn An"][0]
    assert new.username == "annv"
    assert new.must_change_password and new.initial_password_encrypted
    assert new.school_id == world.school_id
    assert str(new.date_of_birth) == "2014-09-05"


def test_roster_with_bad_rows_is_rejected_row_by_row_and_imports_nothing(client, world, db):
    """Issue 5 acceptance: the import shows every row it rejected and why, and imports nothing half-way."""
    from lms.accounts.models import User

    before = db.session.query(User).count()
    roster = (
        "Họ và tên,Tên đăng nhập,Email,Ngày sinh\n"
        "Nguyễn Văn An,,,05/09/2014\n"              # line 2: good
        ",khongten,,\n"                             # line 3: no name
        "Trần Thị Bình,hocsinh1,,\n"                # line 4: username taken (world student)
        "Lê Văn Cường,cuong.le,cuong@@x,\n"         # line 5: bad e-mail
        "Phạm Dung,,,31/02/2014\n"                  # line 6: not a date
        "Hoàng Đức,duc.hoang,,\n"                   # line 7: good
        "Hoàng Đức Em,duc.hoang,,\n"                # line 8: username twice in the file
        "Vũ Hà,,,2099-01-01\n"                      # line 9: implausible birth date
        "Đặng Huy,,,,extra\n"                       # line 10: too many columns
    )
    login(client, world.usernames["own_teacher"])
    response = client.post(f"/classes/{world.class_a_id}/roster", data={"csv_text": roster})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Chưa nhập gì: cần sửa 7 dòng trước." in body
    assert body.count('class="rejected"') == 7
    for line, reason in [(3, "Thiếu họ và tên."), (4, "Tên đăng nhập hocsinh1 đã có người dùng."),
                         (5, "Địa chỉ thư điện tử không hợp lệ."), (6, "31/02/2014"),
                         (8, "Tên đăng nhập duc.hoang xuất hiện hai lần trong tệp."),
                         (9, "2099-01-01"), (10, "Quá nhiều cột")]:
        assert f"<td>{line}</td>" in body and reason in body, (line, reason)
    db.session.expire_all()
    assert db.session.query(User).count() == before
    assert len(_class_students(db, world.class_a_id)) == 1


def test_good_roster_imports_everyone_with_generated_usernames(client, world, db):
    roster = ("Nguyễn Văn An;;;05/09/2014\n"
              "Nguyễn Văn An;;;\n"
              "Trần Thị Bình;binh.tran;Binh@Example.vn;2014-03-21\n")
    login(client, world.usernames["own_teacher"])
    response = client.post(f"/classes/{world.class_a_id}/roster", data={"csv_text": roster})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cards")
    usernames = {s.username: s for s in _class_students(db, world.class_a_id)}
    assert {"annv", "annv2", "binh.tran", world.student_username} == set(usernames)
    assert usernames["binh.tran"].email == "binh@example.vn"


def test_roster_file_upload_must_be_utf8(client, world, db):
    from io import BytesIO

    login(client, world.usernames["own_teacher"])
    good = client.post(f"/classes/{world.class_a_id}/roster", content_type="multipart/form-data",
                       data={"csv_file": (BytesIO("\ufefffull_name\nĐỗ Thành Long\n".encode("utf-8")), "lop.csv")})
    assert good.status_code == 302
    bad = client.post(f"/classes/{world.class_a_id}/roster", content_type="multipart/form-data",
                      data={"csv_file": (BytesIO("Thành Long\n".encode("latin-1")), "lop.csv")})
    assert bad.status_code == 400
    assert "UTF-8" in bad.get_data(as_text=True)


def test_empty_roster_is_refused(client, world, db):
    login(client, world.usernames["own_teacher"])
    response = client.post(f"/classes/{world.class_a_id}/roster", data={"csv_text": "\n\n"})
    assert response.status_code == 400
    assert "Danh sách trống." in response.get_data(as_text=True)


def test_export_lists_students_without_passwords(client, world, db):
    login(client, world.usernames["own_teacher"])
    client.post(f"/classes/{world.class_a_id}/students", data={"full_name": "Ngô Phương Mai"})
    export = client.get(f"/classes/{world.class_a_id}/students.csv")
    assert export.mimetype == "text/csv"
    text = export.get_data(as_text=True)
    assert "Ngô Phương Mai" in text and world.student_username in text
    assert "password" not in text.lower()
