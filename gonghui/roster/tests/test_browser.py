"""Browser test of the roster page: upload a messy roster → preview → start → the progress bar
while the background worker runs → summary → download the error report and read it."""

from __future__ import annotations

import threading

import openpyxl
import pytest

from conftest import BROWSER_MARKS, DESKTOP, open_module, screenshot, sign_in
from gonghui.roster.models import ImportJob

pytestmark = BROWSER_MARKS


def _worker() -> threading.Thread:
    """The background worker (`gonghui worker`), once through the queue."""
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    # db_worker's own Worker, without its signal handlers (those need the main thread)
    worker = Worker(queue_names=["default"], interval=0.2, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="browser-test",
                    excluded_queue_names=[])

    def run() -> None:
        try:
            worker.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_upload_progress_and_error_report(live_server, browser, settings, tree,
                                          grassroots_cadre, messy_xlsx, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = browser.new_context(locale="zh-CN", accept_downloads=True,
                               viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, "grassroots_a11")
    open_module(page, "名册导入导出")
    page.wait_for_selector("#upload-form")
    assert page.input_value("#id_union") == "SH-A-1-1"
    screenshot(page, "roster-home")
    page.set_input_files("#id_file", str(messy_xlsx))
    page.click("text=上传并预览")
    page.wait_for_selector("#mapping")
    assert "表头在第 3 行" in page.inner_text("main")
    assert page.locator("#problems tbody tr").count() == 4
    screenshot(page, "roster-preview")

    page.click("#start-import")
    page.wait_for_selector("#progress")
    assert "排队中" in page.inner_text("#progress")  # the worker has not run yet
    screenshot(page, "roster-import-queued")
    worker = _worker()
    page.wait_for_selector("#download-report", timeout=60_000)  # htmx polled, then reloaded
    worker.join(timeout=60)
    job = ImportJob.objects.get()
    assert job.counts() == {"imported": 9, "unchanged": 0, "rejected": 5, "skipped": 3}
    assert [t.strip() for t in page.locator("#counts .gh-stat").all_inner_texts()] == [
        "9", "0", "5", "3"]
    assert page.locator("#rejections tbody tr").count() == 5
    screenshot(page, "roster-import-done")

    with page.expect_download() as info:
        page.click("#download-report")
    target = tmp_path / "report.xlsx"
    info.value.save_as(target)
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("名册导入错误报告：以下 5 行未导入。")
    assert rows[1][-3:] == ("原行号", "出错列", "错误原因")
    assert [(r[-3], r[-2]) for r in rows[2:]] == [
        (12, "身份证号码"), (13, "身份证号码"), (14, "手机号"), (15, "身份证号码"), (17, "姓名")]
    assert rows[3][2] == "310114197905180020"  # the original cell, as text
    assert rows[3][-1] == "身份证号码校验位不正确，请核对每一位数字。"
