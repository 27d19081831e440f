from courses.imports import ImportReport
from exams.imports import ResultsReport
from school.pages import import_report_read, import_report_store, posted_id, xlsx_response
from school.spreadsheets import Problem


def test_an_imports_report_comes_back_from_the_session_as_it_was_kept(rf):
    request = rf.get("/")
    request.session = {}
    report = ImportReport(2, 1, 1, 0, [Problem(3, "email", "Enter a valid e-mail address.")])
    import_report_store(request, "applicants", report)
    assert import_report_read(request, "applicants", ImportReport) == report
    assert import_report_read(request, "applicants", ImportReport) == report


def test_a_report_read_once_is_gone_and_one_never_kept_is_none(rf):
    request = rf.get("/")
    request.session = {}
    import_report_store(request, "results", ResultsReport(4, [Problem(0, "file", "Unreadable")]))
    assert import_report_read(request, "results", ResultsReport, once=True).recorded == 4
    assert import_report_read(request, "results", ResultsReport) is None
    request.session["old"] = {"counts": [1, 0, 0, 0], "problems": []}
    assert import_report_read(request, "old", ImportReport) is None


def test_a_posted_id_that_is_not_a_whole_number_matches_nothing():
    assert posted_id("42") == 42
    assert [posted_id(value) for value in (None, "", "-1", "4.2", "x", "9" * 19)] == [0] * 6


def test_a_workbook_downloads_as_an_xlsx_attachment():
    response = xlsx_response(b"PK", "results-7.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert response["Content-Disposition"] == 'attachment; filename="results-7.xlsx"'
