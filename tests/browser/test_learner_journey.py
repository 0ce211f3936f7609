"""The learner's journey in a real browser (headless Chromium), in Vietnamese, with screenshots for docs/."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, login as _login
from tests.learn.helpers import assign, import_fixture_course

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "content" / "screenshots"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (.ci/run installs it)")]


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _answer(page, right: bool) -> None:
    """Fill in the quiz form as a learner would: click, type, choose."""
    page.check("input[name=q-q-single][value=a]" if right else "input[name=q-q-single][value=b]")
    page.check("input[name=q-q-multiple][value=vneid]")
    if right:
        page.check("input[name=q-q-multiple][value=otp]")
    page.check("input[name=q-q-tf][value=false]")
    page.fill("input[name=q-q-short]", "Hà Nội" if right else "Huế")
    page.fill("input[name=q-q-numeric]", "12" if right else "10")
    page.select_option("select[name=q-q-match-p1]", "p1" if right else "p2")
    page.select_option("select[name=q-q-match-p2]", "p2" if right else "p1")
    for item, position in (("login", "1"), ("choose", "2"), ("submit", "3")):
        page.select_option(f"select[name=q-q-order-{item}]", position)


def test_student_reads_fails_retries_passes(live_server, page, world):
    import_fixture_course()
    assign(world.class_a_id)
    _login(page, live_server, world.student_username)

    page.goto(f"{live_server}/learn/")
    assert "Bài được giao" in page.inner_text("h1")
    assert "Chưa bắt đầu" in page.inner_text("table")
    _shot(page, "my-assignments")

    page.click("a.button:has-text('Bắt đầu')")
    assert page.inner_text("h1") == "Cổng dịch vụ công"
    assert page.locator("article.lesson img").evaluate("img => img.naturalWidth") > 0  # the SVG loaded
    _shot(page, "lesson-page")
    page.click("text=Tôi đã đọc xong trang này")

    assert page.inner_text("h1") == "Kiểm tra: cổng dịch vụ công"
    _shot(page, "quiz")
    _answer(page, right=False)
    page.click("text=Nộp bài")
    assert "Chưa đạt" in page.inner_text(".quiz-result")
    _shot(page, "quiz-review-failed")

    page.click("text=Làm lại")
    _answer(page, right=True)
    page.click("text=Nộp bài")
    assert "Đạt" in page.inner_text(".quiz-result") and "100%" in page.inner_text(".quiz-result")
    _shot(page, "quiz-review-passed")
    page.click("button:has-text('Tiếp tục')")
    assert "Hoàn thành" in page.inner_text("main")

    page.click("button:has-text('Đăng xuất')")
    _login(page, live_server, world.usernames["own_teacher"])
    page.goto(f"{live_server}/teach/")
    page.click("text=Sổ điểm")
    assert world.student_name in page.inner_text("table.gradebook")
    assert "100%" in page.inner_text("table.gradebook")
    _shot(page, "gradebook")
