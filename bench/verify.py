"""The verification as the benchmark runs it, and the one place in bench that names the engine.

The main list is verified in a spawned child process so that the peak memory of the
verification alone can be read: the child's own high-water mark since it started its program
(VmHWM of /proc/self/status, sent back when it ends). Neither RUSAGE_CHILDREN of this process
(the largest child it ever waited for) nor the child's ru_maxrss will do: Linux carries the
forked copy of this process's memory, hundreds of MB after the intakes, into both. The other
pair's list, a correctness check, is verified in this process. Both go through `verification_run`.
"""

from __future__ import annotations

import multiprocessing
import resource
import time

from bench.environment import django_setup


def verification_run(pair):
    """Start and run a verification of the pair now, in this process; the finished run."""
    from verification.engine import run_create
    from verification.engine import verification_run as run_verification

    run = run_create(pair=pair)
    return run_verification(run_id=run.pk)


def _high_water_kb() -> int:
    """This process's peak resident memory since its program started (Linux), in KB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # includes the fork's copy


def _verify_child(pair_id: int, conn) -> None:
    """Runs in a spawned process: start and run the verification, send back time and counts."""
    django_setup()
    from candidates.models import Pair

    pair = Pair.objects.select_related("election").get(pk=pair_id)
    started = time.perf_counter()
    run = verification_run(pair)
    seconds = time.perf_counter() - started
    peak_kb = _high_water_kb()
    conn.send({"seconds": seconds, "run_id": run.pk, "status": run.status, "counts": run.counts,
               "peak_kb": peak_kb})  # fmt: skip
    conn.close()


def verify_in_child(pair_id: int) -> tuple[dict, int]:
    """(result, peak RSS of the child in MB)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_verify_child, args=(pair_id, child))
    proc.start()
    child.close()
    try:
        result = parent.recv()
    except EOFError:
        result = {"seconds": 0.0, "status": "crashed", "counts": {}, "peak_kb": 0}
    proc.join()
    if proc.exitcode != 0:
        result["status"] = f"exit {proc.exitcode}"
    return result, result.pop("peak_kb") // 1024
