"""Admin pages for people and schools: search, create, deactivate, reset, role change; all audited."""
from __future__ import annotations

import re

from tests.accounts.factories import login


def _audit(db, action):
    from lms.accounts.models import AuditLog

    db.session.expire_all()
    return db.session.query(AuditLog).filter_by(action=action).order_by(AuditLog.id).all()


def test_search_users_by_name_role_and_school(client, world, db):
    login(client, world.usernames["admin"])
    by_text = client.get("/admin/users?q=giaovien").get_data(as_text=True)
    assert "giaovien1" in by_text and "giaovien2" in by_text and "hocsinh1" not in by_text
    by_role = client.get("/admin/users?role=manager").get_data(as_text=True)
    assert "hieutruong1" in by_role and "hieutruong2" in by_role and "giaovien1" not in by_role
    by_school = client.get(f"/admin/users?school={world.other_school_id}").get_data(as_text=True)
    assert "hieutruong2" in by_school and "hieutruong1" not in by_school


def test_create_user_shows_first_password_once_and_audits_without_it(client, world, db):
    login(client, world.usernames["admin"])
    response = client.post("/admin/users/new", data={"username": "GiaoVien3", "full_name": "Đỗ Văn Ba",
                                                     "email": "ba@truong.vn", "role": "teacher",
                                                     "school_id": str(world.school_id)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    client.post("/logout")
    assert login(client, "giaovien3", password).headers["Location"].endswith("/account/password")
    [entry] = _audit(db, "user_create")
    assert (entry.actor_username, entry.target, entry.outcome) == ("quantri", "user:giaovien3", "ok")
    assert password not in repr(entry.details)


def test_create_user_with_taken_username_is_refused_and_audited(client, world, db):
    from lms.accounts.models import User

    login(client, world.usernames["admin"])
    before = db.session.query(User).count()
    response = client.post("/admin/users/new", data={"username": "hocsinh1", "full_name": "X", "role": "student",
                                                     "school_id": "0"})
    assert "Tên đăng nhập hocsinh1 đã có người dùng." in response.get_data(as_text=True)
    assert db.session.query(User).count() == before
    assert [e.outcome for e in _audit(db, "user_create")] == ["failed"]


def test_teacher_needs_a_school(client, world, db):
    login(client, world.usernames["admin"])
    response = client.post("/admin/users/new", data={"username": "lac.loi", "full_name": "Lạc Lối",
                                                     "role": "teacher", "school_id": "0"})
    assert "Quản lý trường hoặc giáo viên phải thuộc một trường." in response.get_data(as_text=True)


def test_deactivate_then_activate(client, world, app, db):
    student_pc = app.test_client()
    login(student_pc, world.student_username)
    login(client, world.usernames["admin"])
    client.post(f"/admin/users/{world.user_ids['student']}/active", data={"active": "0"})
    assert student_pc.get("/account").status_code == 302
    assert login(student_pc, world.student_username).status_code == 401
    client.post(f"/admin/users/{world.user_ids['student']}/active", data={"active": "1"})
    assert login(student_pc, world.student_username).status_code == 302
    assert [e.action for e in _audit(db, "user_deactivate") + _audit(db, "user_activate")] == [
        "user_deactivate", "user_activate"]


def test_admin_cannot_lock_themselves_out(client, world, db):
    from lms.accounts.models import User

    login(client, world.usernames["admin"])
    admin_id = world.user_ids["admin"]
    client.post(f"/admin/users/{admin_id}/active", data={"active": "0"})
    client.post(f"/admin/users/{admin_id}/role", data={"role": "teacher", "school_id": str(world.school_id)})
    db.session.expire_all()
    admin = db.session.get(User, admin_id)
    assert admin.is_active and admin.role == "admin"
    assert [e.outcome for e in _audit(db, "user_deactivate")] == ["failed"]


def test_reset_password_forces_change_and_ends_sessions(client, world, app, db):
    student_pc = app.test_client()
    login(student_pc, world.student_username)
    login(client, world.usernames["admin"])
    response = client.post(f"/admin/users/{world.user_ids['student']}/reset-password")
    password = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert student_pc.get("/account").status_code == 302
    assert login(student_pc, world.student_username, password).headers["Location"].endswith("/account/password")
    [entry] = _audit(db, "password_reset")
    assert entry.target == f"user:{world.student_username}" and password not in repr(entry.details)


def test_role_change_gives_new_rights_at_once(client, world, app, db):
    teacher_pc = app.test_client()
    login(teacher_pc, world.usernames["other_teacher"])
    assert teacher_pc.get(f"/classes/{world.class_a_id}/cards").status_code == 403
    login(client, world.usernames["admin"])
    client.post(f"/admin/users/{world.user_ids['other_teacher']}/role",
                data={"role": "manager", "school_id": str(world.school_id)})
    assert teacher_pc.get(f"/classes/{world.class_a_id}/cards").status_code == 200
    [entry] = _audit(db, "user_role_change")
    assert entry.details == {"from": "teacher", "to": "manager", "school": "HOASEN"}


def test_schools_create_and_duplicate_code(client, world, db):
    login(client, world.usernames["admin"])
    assert client.post("/admin/schools", data={"name": "Trường THCS Lê Lợi", "code": "leloi",
                                               "province": "Huế"}).status_code == 302
    page = client.get("/admin/schools").get_data(as_text=True)
    assert "Trường THCS Lê Lợi" in page and "LELOI" in page
    again = client.post("/admin/schools", data={"name": "Khác", "code": "LELOI"})
    assert "Mã trường LELOI đã được dùng." in again.get_data(as_text=True)
    assert [e.outcome for e in _audit(db, "school_create")] == ["ok", "failed"]


def test_denied_admin_access_is_audited(client, world, db):
    login(client, world.usernames["manager"])
    assert client.get("/admin/users").status_code == 403
    [entry] = _audit(db, "admin_access")
    assert (entry.actor_username, entry.target, entry.outcome) == ("hieutruong1", "/admin/users", "denied")


def test_audit_page_lists_actions_with_filter(client, world, db):
    login(client, world.usernames["admin"])
    client.post("/admin/schools", data={"name": "Trường Mới", "code": "MOI"})
    page = client.get("/admin/audit?action=school_create").get_data(as_text=True)
    assert "school:MOI" in page and "quantri" in page
    assert "school:MOI" not in client.get("/admin/audit?action=login").get_data(as_text=True)


def test_admin_pages_in_english(client, world, db):
    login(client, world.usernames["admin"])
    assert "Audit log" in client.get("/admin/?lang=en").get_data(as_text=True)
    assert "Nhật ký kiểm tra" in client.get("/admin/?lang=vi").get_data(as_text=True)
