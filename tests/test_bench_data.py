"""The bench's data loads into the schema as the migrations leave it: `make bench` is not
part of the suite, and a new NOT NULL column would otherwise break it unseen."""

import pytest

from portal.models import User
from returns.models import FailedPackage
from tests.perf.generate import generate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_bench_data_loads_into_the_current_schema():
    counts = generate(200)

    assert counts["packages"] == 200 == FailedPackage.objects.count()
    assert set(User.objects.values_list("email", flat=True)) == {
        "big@bench.example",
        "agent@swiftlane.bench",
        "operator@bench.example",
    }
