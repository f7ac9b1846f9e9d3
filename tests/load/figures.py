"""Latency percentiles and throughput from the requests of a load run, and how they are printed."""

import math


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_figures(timings, seconds):
    """``timings``: (request type, seconds) pairs. Per type and overall: count, rate, p50/p95/p99/max in ms."""
    by_type = {}
    for kind, elapsed in timings:
        by_type.setdefault(kind, []).append(elapsed)
    by_type["all"] = [elapsed for _kind, elapsed in timings]
    figures = {}
    for kind, values in by_type.items():
        values.sort()
        figures[kind] = {
            "requests": len(values),
            "per_second": round(len(values) / seconds, 1) if seconds else None,
            **{
                name: round(percentile(values, fraction) * 1000, 1)
                for name, fraction in (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99), ("max_ms", 1.0))
            },
        }
    return figures


def summary_lines(figures):
    """The terminal lines: the run, then one line per request type."""
    total, connections = figures["latency"]["all"], figures["connections"]
    yield (
        f"self-assessment peak [{figures['backend']}]: {figures['users']} users, "
        f"{figures['processes']} processes x {figures['workers']} workers, "
        f"{total['requests']} requests in {figures['seconds']:.1f} s = {total['per_second']} req/s, "
        f"{figures['conflicts_retried']} conflicts retried, "
        f"{connections['accepted']} connections (at most {connections['most_open']} open at once)"
    )
    for kind, row in figures["latency"].items():
        yield (
            f"  {kind:<10} {row['requests']:>5} req {row['per_second']:>7} req/s  p50 {row['p50_ms']:>7} ms  "
            f"p95 {row['p95_ms']:>7} ms  p99 {row['p99_ms']:>7} ms  max {row['max_ms']:>7} ms"
        )
