"""`make bench` keeps docs/benchmarks.md current: each run replaces its own section and nothing else."""

import math

import pytest

from bench.run import BEGIN, END, REPORT, Figures, Settings, report, verdicts, write_report


def _figures(messages_per_s: float, rss_mb: float) -> Figures:
    return Figures(
        training_s=21.9,
        messages_per_screening=44,
        idle_messages=220,
        idle_p50_ms=19.2,
        idle_p95_ms=31.0,
        idle_p99_ms=40.0,
        load_messages=2640,
        load_errors=0,
        load_elapsed_s=43.6,
        load_screenings_completed=60,
        load_messages_per_s=messages_per_s,
        load_screenings_per_min=82.6,
        load_p50_ms=250.0,
        load_p95_ms=600.0,
        load_p99_ms=900.0,
        rasa_rss_mb=rss_mb,
    )


def test_the_report_is_the_printed_table_with_every_verdict():
    project, stock = _figures(60.5, 751.0), _figures(24.5, math.nan)
    text = report("2026-12-07 04:00 UTC", Settings(5, 20, 3, 60.0), project, stock, verdicts(project, stock), 60, 60)
    assert "20 concurrent participants for up to 60 s, 3 screenings each" in text
    assert "load_messages_per_s" in text and "60.5" in text and "24.5" in text and "2.47" in text
    assert "- PASS throughput at 20 concurrent >= 2x stock" in text
    assert "- PASS project Rasa RSS < 900 MB" in text
    slow = _figures(30.0, 950.0)
    missed = report("x", Settings(5, 20, 3, 60.0), slow, stock, verdicts(slow, stock), 59, 60)
    assert "- MISS throughput at 20 concurrent >= 2x stock (1.22x stock, 2x needed)" in missed
    assert "- MISS project Rasa RSS < 900 MB (50 MB over)" in missed
    assert "stored as completed: 59 of 60" in missed


def test_a_run_replaces_only_its_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Figures\n\nby hand\n\n{BEGIN}\nold run\n{END}\n\n## History\n\nkept\n")
    write_report(doc, "new run")
    write_report(doc, "newer run")
    assert doc.read_text() == f"# Figures\n\nby hand\n\n{BEGIN}\nnewer run\n{END}\n\n## History\n\nkept\n"


def test_a_document_without_the_markers_is_refused_not_overwritten(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Figures\n\nby hand\n")
    with pytest.raises(ValueError, match="lacks the lines"):
        write_report(doc, "run")
    assert doc.read_text() == "# Figures\n\nby hand\n"


def test_the_project_document_has_the_section():
    text = REPORT.read_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1 and text.index(BEGIN) < text.index(END)
