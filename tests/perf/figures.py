"""A benchmark figure: repeated runs, their median, and the floor it is compared with."""

import statistics
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str
    unit: str
    runs: list[float]
    floor_name: str = ""
    floor_runs: list[float] = field(default_factory=list)
    higher_is_better: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def floor(self) -> float | None:
        return statistics.median(self.floor_runs) if self.floor_runs else None

    @property
    def ratio(self) -> float | None:
        """How far from the floor: floor/figure for rates (≥ 1), figure/floor for times."""
        if not self.floor or not self.median:
            return None  # no floor, or not one request answered in the whole run
        return self.floor / self.median if self.higher_is_better else self.median / self.floor

    def row(self) -> str:
        spread = f"{min(self.runs):,.1f}–{max(self.runs):,.1f}"
        floor = f"{self.floor:,.1f} ({self.floor_name})" if self.floor else ""
        ratio = f"{self.ratio:.2f}×" if self.ratio else ""
        extra = ", ".join(f"{k} {v}" for k, v in self.extra.items())
        return (
            f"| {self.name} | {self.median:,.1f} {self.unit} | {spread} | {floor} | {ratio} "
            f"| {extra} |"
        )
