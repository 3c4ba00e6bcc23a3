"""The benchmarks themselves: the jobs in tests/perf/jobs.py, the pages in tests/perf/pages.py.

`tests.perf.run` prepares the database and reports."""

from tests.perf import jobs
from tests.perf.figures import Figure
from tests.perf.pages import pages


def all_figures(args) -> list[Figure]:
    figures = []
    if "finalize" in args.only:
        figures.append(jobs.finalize(args.repeat))
    if "pages" in args.only:
        figures += pages(args.repeat, args.seconds, args.baseline)
    if "intake" in args.only:
        figures += jobs.intake(args.repeat)
    if "email" in args.only:
        figures += jobs.email_delivery(args.repeat)
    if "instructions" in args.only:
        from tests.perf.instructions import intake_with_instructions

        figures.append(intake_with_instructions(args.repeat))
    return figures
