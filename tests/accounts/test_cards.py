"""Printable login cards: every student, username, first password until changed, class code, QR code."""
from __future__ import annotations

import re

from tests.accounts.factories import login


def test_cards_list_every_student_with_first_password_and_qr(client, world, db):
    """Issue 5 acceptance: the cards page lists every student of the class."""
    login(client, world.usernames["own_teacher"])
    client.post(f"/classes/{world.class_a_id}/roster",
                data={"csv_text": "\n".join(f"Học Sinh Số {n}" for n in range(1, 31))})
    page = client.get(f"/classes/{world.class_a_id}/cards")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    from lms.accounts.models import SchoolClass

    students = db.session.get(SchoolClass, world.class_a_id).students
    assert len(students) == 31
    assert body.count('<article class="card">') == 31
    for student in students:
        assert student.full_name in body and student.username in body
    assert body.count("<svg") == 31
    assert body.count(world.class_a_code) >= 31
    # first passwords of new pupils are shown (easy to type: letters and two digits)
    shown = re.findall(r'<dd class="secret">([a-z]{8}[0-9]{2})</dd>', body)
    assert len(shown) == 30
    # the world's student already chose a password: none is shown for them
    assert "(đã đổi)" in body


def test_card_password_logs_in_and_disappears_after_change(client, world, db):
    login(client, world.usernames["own_teacher"])
    client.post(f"/classes/{world.class_a_id}/students", data={"full_name": "Bùi Ngọc Lan", "username": "lan.bui"})
    body = client.get(f"/classes/{world.class_a_id}/cards").get_data(as_text=True)
    password = re.search(r'lan\.bui</dd>\s*<dt>[^<]*</dt>\s*<dd class="secret">([a-z0-9]+)</dd>', body).group(1)
    client.post("/logout")
    assert login(client, "lan.bui", password).headers["Location"].endswith("/account/password")
    client.post("/account/password", data={"current_password": password, "new_password": "ngoc-lan-99",
                                           "confirm": "ngoc-lan-99"})
    client.post("/logout")
    from lms.accounts.models import User

    db.session.expire_all()
    assert db.session.query(User).filter_by(username="lan.bui").one().initial_password_encrypted is None
    login(client, world.usernames["own_teacher"])
    body = client.get(f"/classes/{world.class_a_id}/cards").get_data(as_text=True)
    assert password not in body


def test_teacher_reset_puts_a_new_first_password_on_the_card(client, world, db):
    login(client, world.usernames["own_teacher"])
    before = client.get(f"/classes/{world.class_a_id}/cards").get_data(as_text=True)
    assert "(đã đổi)" in before
    client.post(f"/classes/{world.class_a_id}/students/{world.student_public_id}/reset-password")
    after = client.get(f"/classes/{world.class_a_id}/cards").get_data(as_text=True)
    assert "(đã đổi)" not in after
    password = re.search(r'<dd class="secret">([a-z]{8}[0-9]{2})</dd>', after).group(1)
    client.post("/logout")
    assert login(client, world.student_username, password).headers["Location"].endswith("/account/password")


def test_qr_code_holds_the_login_url(client, world, db):
    """The QR code encodes SITE_URL/login?u=<username> (decoded here from segno's matrix)."""
    import segno

    expected = segno.make(f"http://lms.test/login?u={world.student_username}", error="m")
    login(client, world.usernames["own_teacher"])
    body = client.get(f"/classes/{world.class_a_id}/cards").get_data(as_text=True)
    assert expected.svg_inline(scale=3, omitsize=False) in body
