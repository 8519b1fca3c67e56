"""JUnit XML for the test tabs of Jenkins, Azure Pipelines and GitLab: a test suite per file with a
finding, a failed test case per finding (an error case for a file that could not be processed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import List

from .common import RunReport, in_cell, reported


def render(report: RunReport) -> str:
    root = ET.Element("testsuites", name="dalle-migrate")
    total = failures = errors = 0
    for result, path, place in reported(report):
        suite = ET.SubElement(root, "testsuite", name=path)
        cases: List[ET.Element] = []
        for finding in result.findings:
            line, column = place(finding)
            where = f"{path}:{line}:{column}" + (f" ({in_cell(finding)})" if finding.cell is not None else "")
            case = ET.SubElement(suite, "testcase", name=f"{finding.code} at {where}", classname=path, file=path, line=str(line))
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.code)
            failure.text = f"{where}: {finding.code} {finding.message}"
            cases.append(case)
        if result.error:
            case = ET.SubElement(suite, "testcase", name=f"process {path}", classname=path, file=path)
            ET.SubElement(case, "error", message=result.error, type="dalle-migrate").text = result.error
            errors += 1
        suite.set("tests", str(len(cases) + (1 if result.error else 0)))
        suite.set("failures", str(len(cases)))
        suite.set("errors", "1" if result.error else "0")
        total += len(cases) + (1 if result.error else 0)
        failures += len(cases)
    if total == 0:
        # A run with nothing to report is one passing case: a CI test tab shows it ran.
        suite = ET.SubElement(root, "testsuite", name="dalle-migrate", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="dalle-migrate")
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
