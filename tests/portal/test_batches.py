"""The loop every job runs, exercised on sellers: renaming them stands in for a job's work."""

import pytest

from portal.batches import JobSummary, run_in_batches
from portal.models import Seller
from tests.factories import SellerFactory


class SomeoneElseWon(Exception):
    pass


@pytest.fixture
def shops(db):
    return [SellerFactory(shop_code=f"SHOP-{n}", name=f"Shop {n}") for n in range(1, 6)]


def unrenamed():
    # Like a job's queryset: only rows that still need the work.
    return Seller.objects.exclude(name__startswith="Renamed")


def rename(seller):
    seller.name = f"Renamed {seller.name}"
    seller.save()


def names() -> list[str]:
    return list(Seller.objects.order_by("shop_code").values_list("name", flat=True))


def test_every_row_is_handled_across_several_batches(shops):
    summary = run_in_batches("rename", unrenamed(), rename, describe=str, batch_size=2)

    assert str(summary) == "rename: 5 done, 0 skipped, 0 failed"
    assert names() == [f"Renamed Shop {n}" for n in range(1, 6)]


def test_a_second_run_finds_nothing_left_to_do(shops):
    run_in_batches("rename", unrenamed(), rename, describe=str, batch_size=2)

    again = run_in_batches("rename", unrenamed(), rename, describe=str, batch_size=2)

    assert str(again) == "rename: 0 done, 0 skipped, 0 failed"
    assert names() == [f"Renamed Shop {n}" for n in range(1, 6)]


def test_a_failing_row_is_undone_and_recorded_and_the_rest_go_on(shops, caplog):
    def rename_but_fail_on_shop_3(seller):
        rename(seller)
        if seller.shop_code == "SHOP-3":
            raise ValueError("no such warehouse")

    summary = run_in_batches(
        "rename", unrenamed(), rename_but_fail_on_shop_3, describe=str, batch_size=2
    )

    assert str(summary) == "rename: 4 done, 0 skipped, 1 failed"
    assert summary.details == ["failed Shop 3 (SHOP-3): ValueError: no such warehouse"]
    assert names() == [
        "Renamed Shop 1",
        "Renamed Shop 2",
        "Shop 3",
        "Renamed Shop 4",
        "Renamed Shop 5",
    ]
    assert "rename: Shop 3 (SHOP-3) failed" in caplog.text
    assert "ValueError: no such warehouse" in caplog.text  # with its traceback


def test_a_row_someone_else_changed_first_is_skipped_with_the_reason(shops):
    def rename_unless_shop_2(seller):
        if seller.shop_code == "SHOP-2":
            raise SomeoneElseWon("Shop 2 renamed itself a moment ago")
        rename(seller)

    summary = run_in_batches(
        "rename", unrenamed(), rename_unless_shop_2, describe=str, skip_on=(SomeoneElseWon,)
    )

    assert str(summary) == "rename: 4 done, 1 skipped, 0 failed"
    assert summary.details == ["skipped Shop 2 (SHOP-2): Shop 2 renamed itself a moment ago"]


def test_a_crash_keeps_the_batches_already_committed(shops):
    class WorkerKilled(BaseException):
        pass

    def rename_then_die_on_shop_4(seller):
        if seller.shop_code == "SHOP-4":
            raise WorkerKilled
        rename(seller)

    with pytest.raises(WorkerKilled):
        run_in_batches("rename", unrenamed(), rename_then_die_on_shop_4, describe=str, batch_size=2)

    # Shops 1 and 2 were the first, committed batch; 3 was rolled back with batch 2.
    assert names() == ["Renamed Shop 1", "Renamed Shop 2", "Shop 3", "Shop 4", "Shop 5"]


def test_a_dry_run_describes_each_row_and_handles_none(shops):
    def must_not_run(seller):
        raise AssertionError("a dry run handled a row")

    summary = run_in_batches(
        "rename", unrenamed(), must_not_run, describe=lambda s: f"rename {s.name}", dry_run=True
    )

    assert str(summary) == "rename (dry run): 5 would change, nothing was changed"
    assert summary.details == [f"rename Shop {n}" for n in range(1, 6)]
    assert names() == [f"Shop {n}" for n in range(1, 6)]


def test_an_empty_summary_reads_well():
    assert str(JobSummary(job="nothing")) == "nothing: 0 done, 0 skipped, 0 failed"
