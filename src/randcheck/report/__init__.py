"""Renderers shared by the command line, the service and the public site.

- :mod:`~randcheck.report.verdict`: a verdict as JSON, Markdown, HTML or a terminal table;
- :mod:`~randcheck.report.policy_pages`: a policy as a documentation page;
- :mod:`~randcheck.report.files`: published tables written as XLSX, CSV or JSON.

Nothing in the library below imports this package.
"""
