"""The replica's lag under a write load: python -m bench.replica_lag [--seconds 30] [--clients 2]

Starts a throwaway PostgreSQL 15 primary and a hot standby made from it by pg_basebackup -R
(free local ports, a temporary directory, run as the postgres OS user when started as root;
the machine's own PostgreSQL is not touched), drives pgbench's TPC-B-like writes on the primary
and samples every 50 ms, on the primary, how far the standby's replay is behind
(pg_stat_replication: replay_lag in time, and bytes of WAL not yet replayed). Prints the
median, p95, p99 and maximum. Both clusters are stopped and removed at the end.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import psycopg

from bench.pgcluster import PG_BIN, Clusters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=2, help="pgbench clients writing")
    parser.add_argument("--scale", type=int, default=10, help="pgbench scale (100k rows each)")
    args = parser.parse_args(argv)
    with Clusters("pilkada-lag-", shared_buffers="128MB") as pg:
        primary = pg.primary_start()
        p_port = primary.port
        primary.run(PG_BIN / "pgbench", "-i", "-q", "-s", args.scale, "-h", "127.0.0.1", "-p",
                    p_port, "-U", "postgres", "postgres")  # fmt: skip
        pg.standby_start()
        samples: list[tuple[float, int]] = []
        load = threading.Thread(
            target=primary.run,
            args=(PG_BIN / "pgbench", "-c", args.clients, "-j", args.clients, "-T",
                  args.seconds, "-h", "127.0.0.1", "-p", p_port, "-U", "postgres", "postgres"),
            kwargs={"timeout": args.seconds + 120},
        )  # fmt: skip
        with psycopg.connect(primary.url(), autocommit=True) as conn:
            load.start()
            time.sleep(1)  # pgbench connects
            while load.is_alive():
                row = conn.execute(
                    "SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0),"
                    " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)"
                    " FROM pg_stat_replication"
                ).fetchone()
                if row:
                    samples.append((float(row[0]) * 1000, int(row[1])))
                time.sleep(0.05)
            load.join()
            tps = conn.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'"
            ).fetchone()[0]
        lags = sorted(s[0] for s in samples)
        behind = sorted(s[1] for s in samples)

        def pct(values: list, p: float) -> float:
            return values[min(len(values) - 1, int(p / 100 * len(values)))]

        print(f"{len(samples)} samples over {args.seconds} s, pgbench -c {args.clients}, "
              f"{tps} commits on the primary ({tps / args.seconds:.0f}/s)")  # fmt: skip
        print(f"replay lag ms: median {statistics.median(lags):.1f}  p95 {pct(lags, 95):.1f}  "
              f"p99 {pct(lags, 99):.1f}  max {lags[-1]:.1f}")  # fmt: skip
        print(f"WAL bytes not yet replayed: median {statistics.median(behind):.0f}  "
              f"p99 {pct(behind, 99):.0f}  max {behind[-1]}")  # fmt: skip
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
